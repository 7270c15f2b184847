"""The sandbox as a delivery target: cards become HTML messages in our own table."""

import asyncio
import logging

from cards.model import Card
from cards.render_html import render_card
from integration.outbound.errors import DeliveryError
from integration.web.photos import PhotoStore
from storage.sandbox import SandboxStore
from tickets.clock import Clock

log = logging.getLogger(__name__)


class Hub:
    """Wakes the open sandbox pages of this process when a message changes.

    A change made here wakes them at once; one watcher per process (`watch`) looks for
    changes made by other processes, so that an open page costs nothing while nothing
    happens, however many pages are open (each used to poll the database on its own).
    """

    def __init__(self) -> None:
        self._changed = asyncio.Event()

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        """True when woken by a change, False when `timeout` passed without one."""
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def watch(self, store: SandboxStore, every: float) -> None:
        """Wake the pages when another process posted or edited a message; runs until
        cancelled."""
        last = await store.latest_change()
        while True:
            await asyncio.sleep(every)
            try:
                now = await store.latest_change()
            except Exception:
                log.exception("could not look for sandbox changes; trying again")
                continue
            if now != last:
                last = now
                self.notify()


class SandboxAdapter:
    repost_after = None

    def __init__(self, store: SandboxStore, hub: Hub, clock: Clock) -> None:
        self._store = store
        self._hub = hub
        self._clock = clock

    async def post(self, chat_id: str, card: Card, key: str) -> str:
        message_id = await self._store.post(
            chat_id, key, render_card(card, PhotoStore.url), self._clock.now()
        )
        self._hub.notify()
        return str(message_id)

    async def send(self, chat_id: str, card: Card, key: str) -> None:
        await self.post(chat_id, card, key)

    async def edit(self, message_id: str, card: Card) -> None:
        if (
            await self._store.edit(
                int(message_id), render_card(card, PhotoStore.url), self._clock.now()
            )
            is None
        ):
            raise DeliveryError(f"sandbox message {message_id} is gone", retryable=False)
        self._hub.notify()
