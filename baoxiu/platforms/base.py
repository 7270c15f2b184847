"""What a chat platform plugs into: the `Platform` protocol and what its hooks are given.

Every hook takes the whole settings and answers for itself whether the platform is in use
(a sandbox chat in the config, a `[feishu]` section, …): the loops in the app, the planner and
the doctor then stay one line each, and a platform's rule for being on lives with it.
"""

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import MemberConfig, PlatformFields, Settings, platform_id
from integration.clicks import ClickRouter
from integration.delivery.adapter import ChatAdapter
from integration.intake import Sender
from integration.web.photos import PhotoStore
from tickets.clock import Clock
from tickets.service import TicketService


@dataclass(frozen=True)
class EdgeParts:
    """What an edge may use while the app runs."""

    app: web.Application
    settings: Settings
    engine: AsyncEngine
    service: TicketService
    router: ClickRouter
    clock: Clock
    photos: PhotoStore
    """Where residents' photos are kept: cards name them, a chat report adds to them."""


@dataclass(frozen=True)
class Finding:
    """One line of `baoxiu doctor`: ✓ or ✗, and what to do about it."""

    ok: bool
    text: str


@dataclass(frozen=True)
class Checkup:
    """What `baoxiu doctor`'s checks of a platform may read."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine | None
    """None while the database is not at the current schema: nothing can be read from it."""


class Platform(PlatformFields, Protocol):
    """A chat platform ticket cards are posted to and clicked in."""

    @property
    def label(self) -> str:
        """Its name for people, in `baoxiu doctor`'s words (飞书)."""
        ...

    def add_routes(self, app: web.Application, settings: Settings) -> None:
        """The routes its callbacks or pages need, if it is in use."""
        ...

    def home(self, settings: Settings) -> str | None:
        """A page of its own that `/` should lead to, if it is in use and has one."""
        ...

    def edge(self, parts: EdgeParts) -> AbstractAsyncContextManager[ChatAdapter] | None:
        """If it is in use: its connections for the life of the app, entered to give the
        adapter cards are sent through."""
        ...

    def direct_chat(self, settings: Settings, member: MemberConfig) -> str | None:
        """The member's private chat with the bot on it, if it is in use and knows them."""
        ...

    async def examine(self, checkup: Checkup) -> list[Finding]:
        """`baoxiu doctor`'s checks of it, if it is in use."""
        ...


def without_ids(settings: Settings, platform: str, label: str, field: str) -> list[Finding]:
    """Members of a team working on `platform` whom the platform's clicks cannot name."""
    teams = {t.id for t in settings.teams if any(c.platform == platform for c in t.chats)}
    return [
        Finding(False, f"{m.name}没有配置 {field}：在{label}卡片上点按钮会被拒绝")
        for m in settings.members
        if not platform_id(m, field) and teams & set(m.teams)
    ]


def reporters(settings: Settings, field: str) -> dict[str, Sender]:
    """Members who may report by @-mentioning the bot, by their id in the member `field`.

    A report needs the reporter's phone; a member without one reports with none."""
    return {
        their_id: Sender(m.id, m.name, m.phone or "")
        for m in settings.members
        if (their_id := platform_id(m, field))
    }


def team_categories(settings: Settings, platform: str) -> dict[str, str]:
    """Each team group on `platform` → the category a report there takes by default."""
    return {
        chat.chat_id: team.categories[0]
        for team in settings.teams
        for chat in team.chats
        if chat.platform == platform
    }
