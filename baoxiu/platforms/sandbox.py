"""The sandbox as a platform of baoxiu: the config's chats in the browser, at /sandbox.

It is in use when a chat of the config names it; its optional `[sandbox]` section says only
whether it may be served beyond this machine. A member has
a private chat with the bot in it only when a team of theirs has its group here: a private
card shows a resident's full contact, and the sandbox has no login, so a site that keeps only
its management chat here (while switching over to Feishu or DingTalk) must show no one's
private cards. Its messages live in our own database.
"""

from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from aiohttp import web

from baoxiu.config import ChatBinding, MemberConfig, Section, Settings, platform_section
from baoxiu.platforms.base import Checkup, EdgeParts, Finding
from integration.delivery.adapter import ChatAdapter
from integration.sandbox import web as sandbox_web
from integration.sandbox.adapter import Hub, SandboxAdapter
from integration.sandbox.web import SandboxChat
from integration.supervisor import supervised
from integration.web.hosts import LOOPBACK
from storage.sandbox import SandboxStore
from tickets.audience import Audience

NAME = "sandbox"
HOME = "/sandbox"


def in_use(settings: Settings) -> bool:
    return any(chat.platform == NAME for chat in settings.all_chats())


class SandboxConfig(Section):
    on_network: bool = False
    """Let the sandbox answer other machines too. It has no login: anyone who can open it
    acts as any member and sees private cards. Off, it answers only this machine, however
    widely `baoxiu serve` listens (the resident pages then reach phones on the network)."""


def on_network(settings: Settings) -> bool:
    config = platform_section(settings, NAME, SandboxConfig)
    return config is not None and config.on_network


def exposure(settings: Settings, host: str) -> str | None:
    """The warning `baoxiu serve` prints when listening on `host` opens the sandbox to
    others: it has no login, so the administrator must have said so, knowingly."""
    if not in_use(settings) or not on_network(settings) or host in LOOPBACK:
        return None
    return (
        "沙盒对网络开放（[sandbox] on_network = true）：它不用登录，能打开 /sandbox 的人"
        "都能以任何成员的身份操作、看到业主的联系方式。演示完请关掉"
    )


def works_here(settings: Settings, member: MemberConfig) -> bool:
    """A team of the member's has its group in the sandbox: their private cards may be too."""
    return any(
        chat.platform == NAME
        for team in settings.teams
        if team.id in member.teams
        for chat in team.chats
    )


def direct_chat_id(member_id: str) -> str:
    """Chat id of a member's private chat with the bot in the sandbox."""
    return f"dm-{member_id}"


def sandbox_chats(settings: Settings) -> tuple[SandboxChat, ...]:
    """The sandbox's chats: team groups, the dispatch desk, management, customer service
    (客服群), and the private chat of each member who works here."""
    directory = settings.directory()

    def first(role: str) -> str | None:
        return next((m.id for m in settings.members if role in m.roles), None)

    def here(bindings: Iterable[ChatBinding]) -> list[str]:
        return [b.chat_id for b in bindings if b.platform == NAME]

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
        SandboxChat(c, "客服群", Audience.AGENTS, None, first("agent"))
        for c in here(settings.chats.agents)
    ]
    chats += [
        SandboxChat(direct_chat_id(m.id), f"{m.name}（私聊）", Audience.DIRECT, m.id, m.id)
        for m in settings.members
        if works_here(settings, m)
    ]
    return tuple(chats)


@asynccontextmanager
async def sandbox_edge(parts: EdgeParts) -> AsyncIterator[SandboxAdapter]:
    """The adapter cards go out through; the pages get the chats, messages and click router."""
    store, hub = SandboxStore(parts.engine), Hub()
    settings = parts.settings
    parts.app[sandbox_web.SANDBOX] = sandbox_web.Sandbox(
        site_name=settings.site.name,
        tz=settings.site.tz,
        chats=sandbox_chats(settings),
        directory=parts.service.directory,
        store=store,
        hub=hub,
        router=parts.router,
        clock=parts.clock,
    )
    async with supervised({"the sandbox's watch": lambda: hub.watch(store, sandbox_web.WATCH_S)}):
        yield SandboxAdapter(store, hub, parts.clock)


class SandboxPlatform:
    name = NAME
    label = "沙盒"
    section = SandboxConfig
    member_field = None

    def add_routes(self, app: web.Application, settings: Settings) -> None:
        if in_use(settings):
            sandbox_web.add_routes(app, this_machine_only=not on_network(settings))

    def home(self, settings: Settings) -> str | None:
        return HOME if in_use(settings) else None

    def edge(self, parts: EdgeParts) -> AbstractAsyncContextManager[ChatAdapter] | None:
        return sandbox_edge(parts) if in_use(parts.settings) else None

    def direct_chat(self, settings: Settings, member: MemberConfig) -> str | None:
        return direct_chat_id(member.id) if works_here(settings, member) else None

    async def examine(self, checkup: Checkup) -> list[Finding]:
        """Not a fault, but worth seeing: the sandbox lets anyone act as anyone."""
        if not in_use(checkup.settings):
            return []
        count = len(sandbox_chats(checkup.settings))
        where = f"{self.label}已开启（{HOME}，{count} 个聊天）"
        where += "：不用登录，能打开它的人都能以任何成员的身份操作"
        if on_network(checkup.settings):
            exposed = "[sandbox] on_network = true 让网络上的人都能打开它"
            return [Finding(False, f"{where}；{exposed}")]
        return [Finding(True, f"{where}；只在运行 baoxiu 的这台电脑上能打开")]


PLATFORM = SandboxPlatform()
