"""A DingTalk card click (`actionCallback`), whichever transport brought it, and its answer.

The click names only its card (`outTrackId`, which is our delivery key) and the clicker's
userId; the key ends with a digest of the card's chat, which says whom the card shows. Button
parameters arrive in `cardPrivateData.params`: `action` is the button's own value, and the
card's shared inputs come as `text` and `to`, of which a button reads only those it names.

DingTalk waits 2 s for the answer. The answer carries the fresh card for everyone and the
toast for the clicker alone (`userPrivateData`); a slower click still completes and reaches
the chat through the outbox.
"""

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cards.model import ActionValue
from integration.clicks import SLOW_TOAST, Click, ClickRouter
from integration.delivery.worker import digest_of_key
from integration.dingtalk.adapter import DingTalkAdapter
from tickets.audience import Audience
from tickets.states import Source

log = logging.getLogger(__name__)

ANSWER_WITHIN_S = 1.5


class NotAClick(Exception):
    """A payload this edge does not handle (another type, a card that is not ours)."""


@dataclass(frozen=True)
class DingTalkCallbacks:
    router: ClickRouter
    adapter: DingTalkAdapter
    members: Mapping[str, str]
    """DingTalk userId → member id"""
    chats: Mapping[str, tuple[Audience, str | None]]
    """A chat's digest (the end of a card's outTrackId) → whom the card there shows, and
    for a private chat, whose it is"""


def parse_click(
    data: Mapping[str, Any], callbacks: DingTalkCallbacks, event_id: str | None
) -> Click:
    if data.get("type") != "actionCallback":
        raise NotAClick(f"not a card click: {data.get('type')!r}")
    try:
        content = json.loads(str(data.get("content") or "{}"))
        params = content["cardPrivateData"]["params"]
        action = json.loads(str(params["action"]))
        value = ActionValue.from_dict(action)
    except (ValueError, KeyError, TypeError) as error:
        raise NotAClick(f"the click carries no baoxiu action: {error!r}") from error
    digest = digest_of_key(str(data.get("outTrackId") or ""))
    if digest is None or digest not in callbacks.chats:
        raise NotAClick(f"card {data.get('outTrackId')!r} is not in a chat baoxiu knows")
    audience, owner = callbacks.chats[digest]
    member = callbacks.members.get(str(data.get("userId") or ""))
    form = {
        name: str(params.get("to" if name == "to" else "text") or "")
        for name in action.get("f", [])
    }
    return Click(
        source=Source.DINGTALK,
        member_id=member,
        value=value,
        audience=audience,
        viewer_id=owner,
        form=form,
        event_id=event_id,
    )


async def answer(
    callbacks: DingTalkCallbacks, data: Mapping[str, Any], event_id: str | None
) -> dict[str, Any]:
    """The click's answer as DingTalk applies it: the card's new variables, and the toast
    in the clicker's private data. An empty answer changes nothing."""
    try:
        click = parse_click(data, callbacks, event_id)
    except NotAClick as error:
        log.info("ignored DingTalk callback: %s", error)
        return {}
    result = await callbacks.router.click_within(click, ANSWER_WITHIN_S)
    if result is None:
        return _private(SLOW_TOAST, "info")
    reply = _private(result.toast, result.level)
    if result.card is not None:
        reply["cardData"] = {"cardParamMap": callbacks.adapter.params(result.card)}
    return reply


def _private(toast: str, level: str) -> dict[str, Any]:
    return {
        "cardUpdateOptions": {"updateCardDataByKey": True, "updatePrivateDataByKey": True},
        "userPrivateData": {"cardParamMap": {"toast": toast, "toast_tone": level}},
    }
