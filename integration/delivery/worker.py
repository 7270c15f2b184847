"""The delivery worker: sends what the outbox holds, after the change has committed.

It renders each card from the ticket as it is at sending time, so a burst of changes to one
ticket costs one send per chat, and it edits no card that already shows that version: a
click's answer brought it there (`DeliveryStore.answered`). A card the platform will no
longer edit (recalled, or near the end of the time it allows) is posted anew and followed
from then on, and the ticket's timeline says so. It is woken right after a commit in this
process and polls for rows written elsewhere (the CLI, other replicas).
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta

from cards.build import CardContext, latest, ticket_card
from cards.messages import about_ticket, note_card, report_card
from integration.delivery.adapter import ChatAdapter
from integration.outbound.errors import DeliveryError, MessageFrozen
from integration.outbound.keys import delivery_key, message_key, repost_key
from integration.outbound.pace import backoff
from integration.supervisor import supervise
from storage.outbox import DeliveryStore, Pending, Post
from tickets.actions import Command, Verb
from tickets.clock import Clock
from tickets.events import CardReposted, DeliveryFailed
from tickets.messages import Escalation, Note, Reminder, Report, TicketCard, Visit
from tickets.model import SYSTEM
from tickets.service import TicketService
from tickets.states import Source

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF_S = 300.0
STOP_GRACE_S = 10.0


class DeliveryWorker:
    def __init__(
        self,
        store: DeliveryStore,
        service: TicketService,
        cards: CardContext,
        adapters: Mapping[str, ChatAdapter],
        wakeup: asyncio.Event,
        clock: Clock,
        *,
        poll_interval: float = 1.0,
        lease: timedelta = timedelta(seconds=30),
        batch: int = 50,
    ) -> None:
        self._store = store
        self._service = service
        self._cards = cards
        self._adapters = adapters
        self._clock = clock
        self._poll_interval = poll_interval
        self._lease = lease
        self._batch = batch
        self._owner = uuid.uuid4().hex
        self._wakeup = wakeup
        """Set after each commit in this process (the service's `on_commit`)."""
        self._stopping = asyncio.Event()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Deliver in the background while the block runs, then stop gracefully.

        Stopping lets each chat finish the card in hand rather than cancelling it: a task
        cancelled inside a database call leaves SQLAlchemy closing its connection in a task
        of its own, which can outlive the engine. Only a platform call still hanging after
        `STOP_GRACE_S` is cancelled; its lease expires and another run sends the card.
        """
        self._stopping.clear()
        task = asyncio.create_task(supervise("the delivery worker", self._run))
        try:
            yield
        finally:
            self._stopping.set()
            self._wakeup.set()
            try:
                await asyncio.wait_for(asyncio.shield(task), STOP_GRACE_S)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _run(self) -> None:
        """Deliver until stopped; an error in one round never stops the next."""
        while not self._stopping.is_set():
            self._wakeup.clear()  # before the round: a commit during it wakes the next one
            try:
                while not self._stopping.is_set() and await self.deliver_due():
                    pass
            except Exception:
                log.exception("delivery round failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._poll_interval)

    async def deliver_due(self) -> int:
        """One round: lease what is due, deliver it; returns how many cards were handled."""
        pending = await self._store.lease(self._owner, self._clock.now(), self._lease, self._batch)
        lanes: dict[tuple[str, str], list[Pending]] = {}
        for item in pending:
            lanes.setdefault((item.address.platform, item.address.chat_id), []).append(item)
        await asyncio.gather(*(self._deliver_in_turn(lane) for lane in lanes.values()))
        return len(pending)

    async def _deliver_in_turn(self, lane: list[Pending]) -> None:
        """One chat's cards, in order. Chats go side by side: a chat held back by its rate
        limit (Feishu: 5 per second per group) does not hold back the others."""
        for done, item in enumerate(lane):
            if self._stopping.is_set():
                await self._store.release(lane[done:])
                return
            await self._deliver(item)

    async def _deliver(self, item: Pending) -> None:
        adapter = self._adapters.get(item.address.platform)
        if adapter is None:
            error = f"no chat platform {item.address.platform!r} is configured"
            await self._store.give_up(item, error, self._clock.now())
            return
        try:
            if isinstance(item.message, TicketCard):
                await self._show_ticket(adapter, item)
            else:
                await self._send(adapter, item)
        except DeliveryError as error:
            await self._failed(item, str(error), error.retryable, error.retry_after)
        except Exception as error:
            log.exception("delivering %s to %s failed", item.message.kind, item.address)
            await self._failed(item, repr(error), True, None)

    async def _show_ticket(self, adapter: ChatAdapter, item: Pending) -> None:
        """Post the ticket's card in the chat once, and edit that message ever after, until
        the platform will no longer edit it: then post it anew, and edit the new one."""
        assert item.number is not None and item.ticket_id is not None
        history = await self._service.history(item.number)
        ticket = history.ticket
        a = item.address
        card = ticket_card(ticket, a.audience, self._cards, a.member_id, latest(history.events))
        post = await self._store.post(item.ticket_id, a)
        if post is None or post.message_id is None:
            key = delivery_key(item.ticket_id, a.platform, a.chat_id)
            posted = self._clock.now()  # no later than the platform starts counting
            message_id = await adapter.post(a.chat_id, card, key)
            await self._store.delivered(item, message_id, ticket.version, posted)
            return
        frozen = self._aged(adapter, post)
        if frozen is None and post.delivered_version < ticket.version:
            try:
                await adapter.edit(post.message_id, card)
            except MessageFrozen as error:
                frozen = str(error)
        if frozen is None:
            await self._store.delivered(item, post.message_id, ticket.version, self._clock.now())
            return
        key = repost_key(item.ticket_id, a.platform, a.chat_id, post.message_id)
        posted = self._clock.now()
        message_id = await adapter.post(a.chat_id, card, key)
        await self._store.delivered(item, message_id, ticket.version, posted)
        reposted = CardReposted(a.platform, a.chat_id, frozen)
        command = Command(Verb.RECORD_CARD_REPOST, SYSTEM, details=reposted)
        await self._service.act(item.number, command, Source.JOB)

    def _aged(self, adapter: ChatAdapter, post: Post) -> str | None:
        """Why the posted card is too old to be worth editing, or None while it is not."""
        age = self._clock.now() - post.posted_at
        if adapter.repost_after is None or age < adapter.repost_after:
            return None
        return f"卡片已发出 {age.days} 天，接近或超过平台允许更新的期限"

    async def _send(self, adapter: ChatAdapter, item: Pending) -> None:
        """A message sent once and never edited, keyed by its outbox row so that a resend
        after a crash is one message where the platform deduplicates."""
        a = item.address
        key = message_key(item.ids[0], a.platform, a.chat_id)
        match item.message:
            case Reminder() | Escalation() | Visit():
                assert item.number is not None
                history = await self._service.history(item.number)
                shown = latest(history.events)
                card = about_ticket(history.ticket, item.message, self._cards, a, shown)
                await adapter.post(a.chat_id, card, key)  # a card with buttons, like a ticket's
            case Note():
                await adapter.send(a.chat_id, note_card(item.message), key)
            case Report():
                await adapter.send(a.chat_id, report_card(item.message), key)
        await self._store.sent(item, self._clock.now())

    async def _failed(
        self, item: Pending, error: str, retryable: bool, retry_after: float | None
    ) -> None:
        now = self._clock.now()
        if not retryable or item.attempts + 1 >= MAX_ATTEMPTS:
            what = item.number or item.message.kind.label
            log.warning("giving up on %s in %s: %s", what, item.address, error)
            await self._store.give_up(item, error, now)
            if item.number is not None:  # staff look at the ticket; doctor lists the rest
                failed = DeliveryFailed(item.address.platform, item.address.chat_id, error)
                command = Command(Verb.RECORD_DELIVERY_FAILURE, SYSTEM, details=failed)
                await self._service.act(item.number, command, Source.JOB)
            return
        delay = retry_after or backoff(item.attempts, first=1.0, cap=MAX_BACKOFF_S)
        await self._store.retry_later(item, error, now + timedelta(seconds=delay))
