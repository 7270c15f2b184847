"""Building the running parts from settings, for the web app and the CLI alike."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import ChatBinding, Settings
from cards.build import CardContext
from integration.intake import Sender
from integration.sandbox.web import SandboxChat
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWorkFactory
from tickets.audience import Audience
from tickets.clock import Clock, SystemClock
from tickets.recipients import Chat, ChatPlanner
from tickets.service import TicketService

SANDBOX = "sandbox"
FEISHU = "feishu"
DINGTALK = "dingtalk"
ID_FIELDS = {FEISHU: "feishu_open_id", DINGTALK: "dingtalk_user_id"}
"""The member setting that names a member on each platform."""


def sandbox_dm(member_id: str) -> str:
    """Chat id of a member's private chat with the bot in the sandbox."""
    return f"dm-{member_id}"


def uses_sandbox(settings: Settings) -> bool:
    return any(chat.platform == SANDBOX for chat in settings.all_chats())


def platform_groups(settings: Settings, platform: str) -> list[tuple[Audience, str]]:
    """Every group chat of `platform` in the config, and whom a card there shows."""
    bindings = [(Audience.TEAM, c) for t in settings.teams for c in t.chats]
    bindings += [(Audience.SUPERVISORS, c) for c in settings.chats.supervisors]
    bindings += [(Audience.MANAGEMENT, c) for c in settings.chats.management]
    return [(audience, c.chat_id) for audience, c in bindings if c.platform == platform]


def reporters(settings: Settings, platform: str) -> dict[str, Sender]:
    """Members who may report by @-mentioning the bot on `platform`, by their id there.

    A report needs the reporter's phone; a member without one reports with none."""
    field = ID_FIELDS[platform]
    return {
        getattr(m, field): Sender(m.id, m.name, m.phone or "")
        for m in settings.members
        if getattr(m, field)
    }


def team_categories(settings: Settings, platform: str) -> dict[str, str]:
    """Each team group on `platform` → the category a report there takes by default."""
    return {
        chat.chat_id: team.categories[0]
        for team in settings.teams
        for chat in team.chats
        if chat.platform == platform
    }


def planner_for(settings: Settings) -> ChatPlanner:
    def chats(bindings: Iterable[ChatBinding]) -> list[Chat]:
        return [(b.platform, b.chat_id) for b in bindings]

    direct: dict[str, list[Chat]] = {}
    for member in settings.members:
        mine = direct.setdefault(member.id, [])
        if uses_sandbox(settings):
            mine.append((SANDBOX, sandbox_dm(member.id)))
        if settings.feishu is not None and member.feishu_open_id:
            mine.append((FEISHU, member.feishu_open_id))
        if settings.dingtalk is not None and member.dingtalk_user_id:
            mine.append((DINGTALK, member.dingtalk_user_id))
    return ChatPlanner(
        directory=settings.directory(),
        team_chats={t.id: chats(t.chats) for t in settings.teams},
        supervisor_chats=chats(settings.chats.supervisors),
        management_chats=chats(settings.chats.management),
        direct_chats=direct,
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
    )


PHOTO_ROUTE = "/media/photos"


def card_context(settings: Settings) -> CardContext:
    return CardContext(settings.directory(), settings.site.tz, lambda name: f"{PHOTO_ROUTE}/{name}")


def sandbox_chats(settings: Settings) -> tuple[SandboxChat, ...]:
    """The sandbox's chats: team groups, the dispatch desk, management, everyone's DM."""
    directory = settings.directory()

    def first(role: str) -> str | None:
        return next((m.id for m in settings.members if role in m.roles), None)

    def here(bindings: Iterable[ChatBinding]) -> list[str]:
        return [b.chat_id for b in bindings if b.platform == SANDBOX]

    chats = [
        SandboxChat(chat_id, f"{team.name}群", Audience.TEAM, None, technicians[0].id)
        if (technicians := directory.technicians(team.id))
        else SandboxChat(chat_id, f"{team.name}群", Audience.TEAM)
        for team in settings.teams
        for chat_id in here(team.chats)
    ]
    chats += [
        SandboxChat(c, "派单台（班组长）", Audience.SUPERVISORS, None, first("supervisor"))
        for c in here(settings.chats.supervisors)
    ]
    chats += [
        SandboxChat(c, "管理层群", Audience.MANAGEMENT, None, first("manager"))
        for c in here(settings.chats.management)
    ]
    chats += [
        SandboxChat(sandbox_dm(m.id), f"{m.name}（私聊）", Audience.DIRECT, m.id, m.id)
        for m in settings.members
    ]
    return tuple(chats)


@asynccontextmanager
async def tasks(*work: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """Run background work while the block runs; cancel it and wait for it afterwards."""
    running = [asyncio.create_task(w) for w in work]
    try:
        yield
    finally:
        for task in running:
            task.cancel()
        for task in running:
            with contextlib.suppress(asyncio.CancelledError):
                await task


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
