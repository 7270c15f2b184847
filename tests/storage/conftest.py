from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest

from baoxiu.config import Settings
from baoxiu.wiring import build_service
from storage.engine import create_engine
from tests.clock import FakeClock as Clock
from tickets.service import TicketService

ServiceFor = Callable[[Settings], AbstractAsyncContextManager[TicketService]]


@pytest.fixture
def service_for(db_url: str, clock: Clock) -> ServiceFor:
    """A service on this test's database for any settings (e.g. a bigger crew)."""

    @asynccontextmanager
    async def open_for(settings: Settings) -> AsyncIterator[TicketService]:
        engine = create_engine(db_url)
        try:
            yield build_service(settings, engine, clock)
        finally:
            await engine.dispose()

    return open_for


@pytest.fixture
async def service(service_for: ServiceFor, demo_settings: Settings) -> AsyncIterator[TicketService]:
    async with service_for(demo_settings) as service:
        yield service
