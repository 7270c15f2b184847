"""A DingTalk card click, whichever transport brought it, and its answer.

DingTalk waits 2 s for the answer. The answer carries the fresh card for everyone and the
toast for the clicker alone (`userPrivateData`); a slower click still completes and reaches
the chat through the outbox. Each transport records the answer as shown once it has sent it
(`ClickRouter.answer_sent`): on DingTalk's standard edition, the update it spares is one of
the 5,000 API calls of the month.

DingTalk also asks that no card be updated during its callback (card callback page,
https://open.dingtalk.com/document/development/event-callback-card, 注意事项: "请勿在回调过程中，
调用更新接口"): the answer is that update. `OutsideCallbacks` is the adapter the outbox sends
through, and holds its edits of a card back while a click on it is being answered.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cards.model import Card
from integration.clicks import SLOW_TOAST, ClickAnswer, ClickRouter
from integration.dingtalk.adapter import DingTalkAdapter
from integration.dingtalk.parse import DingTalkPeople, NotAClick, parse_click
from integration.outbound.errors import DeliveryError
from tickets.states import Source

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


class OutsideCallbacks:
    """The DingTalk adapter as the outbox uses it: an edit of a card whose click is being
    answered is refused as retryable, until the answer is due. By then the answer has been
    sent and recorded, and the worker finds the chat up to date; or it was not, and the
    worker updates the card. Whatever change queued the edit, the answer shows the ticket
    as it is, or the worker then sends what it missed. Only clicks answered by this process
    are known: with several replicas, another replica's worker can still update the card."""

    def __init__(self, adapter: DingTalkAdapter, router: ClickRouter) -> None:
        self._adapter = adapter
        self._router = router

    @property
    def repost_after(self) -> timedelta | None:
        return self._adapter.repost_after

    async def post(self, chat_id: str, card: Card, key: str) -> str:
        return await self._adapter.post(chat_id, card, key)

    async def edit(self, message_id: str, card: Card) -> None:
        wait = self._router.answering(Source.DINGTALK.value, message_id)
        if wait > 0:
            raise DeliveryError(
                "a click on this card is being answered", retryable=True, retry_after=wait
            )
        await self._adapter.edit(message_id, card)

    async def send(self, chat_id: str, card: Card, key: str) -> None:
        await self._adapter.send(chat_id, card, key)


def _private(toast: str, level: str) -> dict[str, Any]:
    return {
        "cardUpdateOptions": {"updateCardDataByKey": True, "updatePrivateDataByKey": True},
        "userPrivateData": {"cardParamMap": {"toast": toast, "toast_tone": level}},
    }
