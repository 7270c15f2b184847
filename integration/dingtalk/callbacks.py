"""A DingTalk card click, whichever transport brought it, and its answer.

DingTalk waits 2 s for the answer. The answer carries the fresh card for everyone and the
toast for the clicker alone (`userPrivateData`); a slower click still completes and reaches
the chat through the outbox. Each transport records the answer as shown once it has sent it
(`ClickRouter.answer_sent`): on DingTalk's standard edition, the update it spares is one of
the 5,000 API calls of the month.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from integration.clicks import SLOW_TOAST, ClickAnswer, ClickRouter
from integration.dingtalk.adapter import DingTalkAdapter
from integration.dingtalk.parse import DingTalkPeople, NotAClick, parse_click

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DingTalkCallbacks:
    router: ClickRouter
    adapter: DingTalkAdapter
    people: DingTalkPeople
    deadline: float
    """Seconds DingTalk waits for a click's answer."""


async def answer(
    callbacks: DingTalkCallbacks, data: Mapping[str, Any], event_id: str | None
) -> tuple[dict[str, Any], ClickAnswer | None]:
    """The click's answer as DingTalk applies it: the card's new variables, and the toast
    in the clicker's private data (an empty answer changes nothing); and the router's answer,
    for `ClickRouter.answer_sent` once it is sent."""
    try:
        click = parse_click(data, callbacks.people, event_id)
    except NotAClick as error:
        log.info("ignored DingTalk callback: %s", error)
        return {}, None
    result = await callbacks.router.click_within(click, callbacks.deadline)
    if result is None:
        return _private(SLOW_TOAST, "info"), None
    reply = _private(result.toast, result.level)
    if result.card is not None:
        reply["cardData"] = {"cardParamMap": callbacks.adapter.params(result.card)}
    return reply, result


def _private(toast: str, level: str) -> dict[str, Any]:
    return {
        "cardUpdateOptions": {"updateCardDataByKey": True, "updatePrivateDataByKey": True},
        "userPrivateData": {"cardParamMap": {"toast": toast, "toast_tone": level}},
    }
