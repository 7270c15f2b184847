"""The sandbox's pages: the chats, their cards live, and clicks as any configured member.

There is no login: the visitor picks who they are, per browser tab. It is a development,
training and demo tool; a site that uses only Feishu or DingTalk does not mount it.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp_sse import EventSourceResponse, sse_response
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cards.model import ActionValue
from cards.render_html import render_card
from integration.clicks import Click, ClickRouter
from integration.sandbox.adapter import Hub
from integration.web.hosts import Handler, from_this_machine, same_origin
from integration.web.photos import PhotoStore
from integration.web.schemas import in_words
from storage.sandbox import SandboxStore
from tickets.audience import Audience
from tickets.clock import Clock
from tickets.people import Directory
from tickets.states import Source

WATCH_S = 2.0
"""How often this process looks for messages other processes posted (one query for all
open pages)."""
KEEPALIVE_S = 25.0
"""A page's stream hears at least this often, so proxies keep it open and a closed one ends."""
STREAMS_PER_CLIENT = 8
"""Open pages one address may keep: a few tabs, not hundreds."""
"""How often an open page re-reads its chat even without a local wake-up (other replicas)."""
MAX_ID = 2**63 - 1
"""The largest id a database integer holds; a larger one overflows the query."""
_SEEN = re.compile(r"[0-9]{1,18}")
ANSWER_S = 2.0
"""The sandbox writes a click's card to the clicked message itself, right after the change;
the outbox holds that message's update back this long meanwhile, as for a platform's wait."""


@dataclass(frozen=True)
class SandboxChat:
    id: str
    title: str
    audience: Audience
    member_id: str | None = None
    """The member of a private chat (DIRECT)."""
    default_member: str | None = None
    """Who a visitor is when they open this chat first."""


@dataclass(frozen=True, eq=False)
class Stream:
    """An open page's event stream, and the address that opened it."""

    response: EventSourceResponse
    client: str


@dataclass(frozen=True)
class Sandbox:
    site_name: str
    tz: ZoneInfo
    chats: tuple[SandboxChat, ...]
    directory: Directory
    store: SandboxStore
    hub: Hub
    router: ClickRouter
    clock: Clock
    streams: set["Stream"] = field(default_factory=set)
    """Open event streams, closed on shutdown so that stopping the server never waits on them."""

    def chat(self, chat_id: str) -> SandboxChat:
        for chat in self.chats:
            if chat.id == chat_id:
                return chat
        raise web.HTTPNotFound(text=f"没有这个聊天：{chat_id}")


SANDBOX = web.AppKey("sandbox", Sandbox)

_pages = Environment(
    loader=PackageLoader("integration.sandbox", "templates"),
    autoescape=select_autoescape(default=True),
)


class ClickBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: int = Field(ge=1, le=MAX_ID)
    value: dict[str, Any]
    form: dict[str, str] = {}
    member: str = Field(min_length=1, max_length=64)
    click_id: str = Field(min_length=8, max_length=64)


def _why(error: ValidationError) -> str:
    return "；".join(
        in_words(item)
        if item["type"] == "value_error"
        else f"{'.'.join(map(str, item['loc']))}: {item['msg']}"
        for item in error.errors()
    )


_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
"""As the resident pages send, but for the bars' widths, which are inline styles of escaped
cards; no page may frame the sandbox (a click-jacked 接单 acts as whoever is chosen)."""


def _page(template: str, **context: object) -> web.Response:
    html = _pages.get_template(template).render(**context)
    return web.Response(text=html, content_type="text/html", headers=_HEADERS)


async def index(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    return _page("index.html", sandbox=sandbox, members=_members(sandbox))


async def chat_page(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    chat = sandbox.chat(request.match_info["chat"])
    messages = await sandbox.store.messages(chat.id)
    return _page(
        "chat.html", sandbox=sandbox, chat=chat, messages=messages, members=_members(sandbox)
    )


async def chat_events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: each new or changed message of the chat, as rendered HTML."""
    sandbox = request.app[SANDBOX]
    chat = sandbox.chat(request.match_info["chat"])
    if not all(_SEEN.fullmatch(k) and _SEEN.fullmatch(v) for k, v in request.query.items()):
        raise web.HTTPBadRequest(text="无法识别的参数：应为「消息编号=版本」，均为数字")
    seen = {int(k): int(v) for k, v in request.query.items()}
    client = request.remote or ""
    if sum(1 for s in sandbox.streams if s.client == client) >= STREAMS_PER_CLIENT:
        raise web.HTTPTooManyRequests(text=f"同一地址最多同时打开 {STREAMS_PER_CLIENT} 个沙盒页面")
    async with sse_response(request) as response:
        stream = Stream(response, client)
        sandbox.streams.add(stream)
        changed = True
        while response.is_connected():
            if not changed:  # the stream's own pings keep it open meanwhile
                changed = await sandbox.hub.wait(KEEPALIVE_S)
                continue
            for message in await sandbox.store.messages(chat.id):
                if seen.get(message.id) != message.revision:
                    seen[message.id] = message.revision
                    payload = {
                        "id": message.id,
                        "revision": message.revision,
                        "html": message.html,
                        "time": message.created_at.astimezone(sandbox.tz).strftime("%H:%M"),
                    }
                    await response.send(json.dumps(payload, ensure_ascii=False), event="message")
            changed = await sandbox.hub.wait(KEEPALIVE_S)
    sandbox.streams.discard(stream)
    return response


async def click(request: web.Request) -> web.Response:
    if not same_origin(request):
        return _refusal("请在本站的沙盒页面上点击", 403)
    sandbox = request.app[SANDBOX]
    chat = sandbox.chat(request.match_info["chat"])
    try:
        body = ClickBody.model_validate(await request.json())
        value = ActionValue.from_dict(body.value)
    except ValidationError as error:
        return _refusal(f"无法识别的点击：{_why(error)}", 400)
    except (ValueError, RecursionError) as error:
        return _refusal(f"无法识别的点击：{error}", 400)
    message = await sandbox.store.message(body.message_id)
    if message is None or message.chat_id != chat.id:
        return _refusal("这条消息不在本聊天中", 404)
    answer = await sandbox.router.click(
        Click(
            source=Source.SANDBOX,
            member_id=body.member if body.member in sandbox.directory.members else None,
            value=value,
            audience=chat.audience,
            viewer_id=chat.member_id,
            form=body.form,
            event_id=body.click_id,
            card_id=str(message.id),
        ),
        ANSWER_S,
    )
    html = None
    if answer.card is not None:
        html = render_card(answer.card, PhotoStore.url)
        if await sandbox.store.edit(message.id, html, sandbox.clock.now()) is not None:
            sandbox.hub.notify()
            await sandbox.router.answer_sent(answer)
    return web.json_response({"toast": answer.toast, "level": answer.level, "html": html})


def _refusal(text: str, status: int) -> web.Response:
    return web.json_response({"toast": text, "level": "error", "html": None}, status=status)


def _members(sandbox: Sandbox) -> list[tuple[str, str]]:
    labels = []
    for member in sandbox.directory.members.values():
        roles = "、".join(role.label for role in sorted(member.roles))
        labels.append((member.id, f"{member.name}（{roles}）"))
    return labels


NOT_FROM_HERE = (
    "沙盒只能在运行 baoxiu 的这台电脑上打开：它不用登录，能打开它的人都能以任何成员的身份操作。"
    "确需在局域网演示，请在配置里设 [sandbox] on_network = true"
)


@web.middleware
async def _this_machine_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    sandbox = request.path == "/sandbox" or request.path.startswith("/sandbox/")
    if sandbox and not from_this_machine(request):
        raise web.HTTPForbidden(text=NOT_FROM_HERE)
    return await handler(request)


def add_routes(app: web.Application, *, this_machine_only: bool) -> None:
    """The sandbox's pages; `this_machine_only` refuses them to every other machine."""
    if this_machine_only:
        app.middlewares.append(_this_machine_only)
    app.router.add_get("/sandbox", index)
    app.router.add_get("/sandbox/c/{chat}", chat_page)
    app.router.add_get("/sandbox/c/{chat}/events", chat_events)
    app.router.add_post("/sandbox/c/{chat}/click", click)
    app.router.add_static("/sandbox/static", Path(__file__).parent / "static")
    app.on_shutdown.append(_close_streams)


async def _close_streams(app: web.Application) -> None:
    sandbox = app[SANDBOX]
    for stream in list(sandbox.streams):
        stream.response.stop_streaming()
    sandbox.hub.notify()
