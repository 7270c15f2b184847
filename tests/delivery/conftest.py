"""A service, a delivery worker and the sandbox on one test database."""

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import pytest

from baoxiu.config import Settings
from baoxiu.platforms import sandbox
from baoxiu.wiring import build_service, card_context
from cards.build import CardContext
from integration.delivery.adapter import ChatAdapter
from integration.delivery.worker import DeliveryWorker
from integration.sandbox.adapter import Hub, SandboxAdapter
from storage.engine import create_engine
from storage.outbox import DeliveryStore
from storage.sandbox import SandboxStore
from tests.clock import FakeClock as Clock
from tickets.service import TicketService


@dataclass
class Site:
    service: TicketService
    store: DeliveryStore
    sandbox: SandboxStore
    cards: CardContext
    clock: Clock

    def worker(self, adapters: Mapping[str, ChatAdapter] | None = None) -> DeliveryWorker:
        """A worker sending to the sandbox, or to the given adapters."""
        targets = adapters or {sandbox.NAME: SandboxAdapter(self.sandbox, Hub(), self.clock)}
        return DeliveryWorker(
            self.store, self.service, self.cards, targets, asyncio.Event(), self.clock
        )


@pytest.fixture
async def site(db_url: str, demo_settings: Settings, clock: Clock) -> AsyncIterator[Site]:
    engine = create_engine(db_url)
    yield Site(
        build_service(demo_settings, engine, clock),
        DeliveryStore(engine),
        SandboxStore(engine),
        card_context(demo_settings),
        clock,
    )
    await engine.dispose()
