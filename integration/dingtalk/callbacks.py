"""A DingTalk card click, whichever transport brought it, and its answer.

DingTalk waits 2 s for the answer. The answer carries the fresh card for everyone and the
toast for the clicker alone (`userPrivateData`); a slower click still completes and reaches
the chat through the outbox.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from integration.clicks import SLOW_TOAST, ClickRouter
from integration.dingtalk.adapter import DingTalkAdapter
from integration.dingtalk.parse import DingTalkPeople, NotAClick, parse_click

log = logging.getLogger(__name__)

ANSWER_WITHIN_S = 1.5


@dataclass(frozen=True)
class DingTalkCallbacks:
    router: ClickRouter
    adapter: DingTalkAdapter
    people: DingTalkPeople


async def answer(
    callbacks: DingTalkCallbacks, data: Mapping[str, Any], event_id: str | None
) -> dict[str, Any]:
    """The click's answer as DingTalk applies it: the card's new variables, and the toast
    in the clicker's private data. An empty answer changes nothing."""
    try:
        click = parse_click(data, callbacks.people, event_id)
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
