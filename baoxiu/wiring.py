"""Building the ticket service from settings, for the web app and the CLI alike."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import Settings
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWorkFactory
from tickets.service import TicketService, utc_now


def build_service(
    settings: Settings, engine: AsyncEngine, clock: Callable[[], datetime] = utc_now
) -> TicketService:
    return TicketService(
        SqlUnitOfWorkFactory(engine),
        settings.directory(),
        settings.site.tz,
        emergency_words=settings.routing.emergency_words,
        urgent_words=settings.routing.urgent_words,
        clock=clock,
    )


@asynccontextmanager
async def open_service(
    settings: Settings, *, migrate: bool = False
) -> AsyncIterator[TicketService]:
    engine = create_engine(settings.database.url)
    try:
        if migrate:
            await upgrade(engine)
        yield build_service(settings, engine)
    finally:
        await engine.dispose()
