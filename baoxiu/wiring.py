"""Building the running parts from settings, for the web app and the CLI alike."""

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import ChatBinding, Settings
from baoxiu.platforms import PLATFORMS
from cards.build import CardContext
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWorkFactory
from tickets.clock import Clock, SystemClock
from tickets.recipients import Chat, ChatPlanner
from tickets.service import TicketService


def planner_for(settings: Settings) -> ChatPlanner:
    def chats(bindings: Iterable[ChatBinding]) -> list[Chat]:
        return [(b.platform, b.chat_id) for b in bindings]

    direct = {
        member.id: [
            (platform.name, chat)
            for platform in PLATFORMS
            if (chat := platform.direct_chat(settings, member))
        ]
        for member in settings.members
    }
    return ChatPlanner(
        directory=settings.directory(),
        team_chats={t.id: chats(t.chats) for t in settings.teams},
        supervisor_chats=chats(settings.chats.supervisors),
        management_chats=chats(settings.chats.management),
        direct_chats=direct,
        agent_chats=chats(settings.chats.agents),
    )


def build_service(
    settings: Settings,
    engine: AsyncEngine,
    clock: Clock,
    on_commit: Callable[[], None] = lambda: None,
) -> TicketService:
    return TicketService(
        SqlUnitOfWorkFactory(engine),
        settings.directory(),
        settings.site.tz,
        planner_for(settings),
        clock,
        emergency_words=settings.routing.emergency_words,
        urgent_words=settings.routing.urgent_words,
        on_commit=on_commit,
        policy=settings.sla.policy(settings.site.tz),
        fees=settings.fee_schedule(),
        visits=settings.visit_policy(),
        rotas=settings.rotas(),
        duplicates=settings.duplicates.rule(),
        hotspots=settings.hotspots.rule(),
    )


def card_context(settings: Settings, clock: Clock | None = None) -> CardContext:
    """`clock` lets a card say how late a job is when it is rendered."""
    return CardContext(settings.directory(), settings.site.tz, clock, settings.site.public_url)


@asynccontextmanager
async def open_service(
    settings: Settings, *, migrate: bool = False
) -> AsyncIterator[TicketService]:
    engine = create_engine(settings.database.url)
    try:
        if migrate:
            await upgrade(engine)
        yield build_service(settings, engine, SystemClock())
    finally:
        await engine.dispose()
