"""A local stand-in for Feishu's OpenAPI and long connection, as strict as Feishu.

A client tested against it should meet, before production does, what Feishu refuses: the
per-chat send limit, a bot outside the chat, oversized or invalid cards, a card edited
without `update_multi`, a revoked token, a gateway that answers 429, 500 or nothing in time.
Answers keep Feishu's HTTP statuses, codes and shapes (the docs cited in
../shared/platforms/feishu.md, lark-oapi 1.7.5). Where Feishu documents no answer, the
choice is marked "not verified" next to it.
"""

import asyncio
import base64
import hashlib
import json
import math
import random
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import urlencode

from aiohttp import WSMsgType, web
from lark_oapi.ws.pb.pbbp2_pb2 import Frame

from tests.fakes.window import Window

Validator = Callable[[object], list[str]]
"""Returns the problems Feishu would find in a card; none means Feishu would take it."""

APP_ID: Final = "cli_a5fb0ae6a4b1c2d3"
APP_SECRET: Final = "fake-app-secret-0123456789abcdef"
TENANT_KEY: Final = "2df73991750a1b2c"
TOKEN_PATH: Final = "/open-apis/auth/v3/tenant_access_token/internal"
WS_ENDPOINT_PATH: Final = "/callback/ws/endpoint"

# Codes. HTTP 400 unless noted.
RATE_LIMITED: Final = 99991400
"""The gateway's limit (per app and endpoint): HTTP 429 with x-ogw-ratelimit-* headers."""
FREQUENCY_LIMITED: Final = 230020
"""IM's own limits (per chat, per user, per message). Observed for the per-chat limit on a
real tenant ("ext=chat rate limit", openclaw/openclaw#89659); no rate headers documented."""
TOKEN_MISSING: Final = 99991661
TOKEN_INVALID: Final = 99991663
APP_INVALID: Final = 10003
"""Unknown app_id at the token endpoint, answered with HTTP 200."""
SECRET_INVALID: Final = 10014
"""Wrong app_secret; HTTP 200 like 10003 (not verified)."""
INVALID_PARAM: Final = 230001
BOT_NOT_IN_CHAT: Final = 230002
USER_UNAVAILABLE: Final = 230013
CONTENT_TOO_LONG: Final = 230025
RECALLED: Final = 230011
EDIT_WINDOW_PASSED: Final = 230031
"""PATCH on a recalled card, and on one sent more than 14 days ago: the error table of
im-v1/message/patch (https://open.feishu.cn/document/server-docs/im-v1/message-card/patch,
also open.larksuite.com/document/uAjLw4CM/ukTMukTMukTM/reference/im-v1/message/patch):
"400 | 230011 | The message is recalled. | 消息已被撤回，不支持该操作" and "400 | 230031 | Message
can only be modified within 14 days after sending. | 在消息发送后的14天内才可以修改消息内容"."""
CARD_INVALID: Final = 230099
CHAT_INVALID: Final = 232006
# The image upload's codes, and 232006 / 41050 for the look-ups, are as the docs
# list them; which one Feishu picks for each case below is not verified.
IMAGE_INVALID: Final = 234001
IMAGE_TOO_BIG: Final = 234006
IMAGE_EMPTY: Final = 234010
IMAGE_FORMAT: Final = 234011
NO_USER_AUTHORITY: Final = 41050
FIELD_INVALID: Final = 99992402
INTERNAL_ERROR: Final = 1500
MISSING_SCOPE: Final = 99991672
"""The app lacks a scope the call needs. Feishu's message names the scopes, in English and in
Chinese, with the console's link, and `error.permission_violations` lists them (the form of
the sibling 99991679 in trouble-shooting/how-to-resolve-error-99991679, `type`
action_scope_required for this code; the message as tenants report it, e.g. "Access denied.
One of the following scopes is required: [task:task:write, task:task:writeonly].应用尚未开通
所需的应用身份权限：[…]，点击链接申请并开通任一权限即可：https://open.feishu.cn/app/cli_…/auth?
q=task:task:write,task:task:writeonly&op_from=openapi&token_type=tenant")."""
RESOURCE_INVALID: Final = IMAGE_INVALID
"""The message-resource endpoint's "Invalid request param."; which cases Feishu answers with
it (no `type`, a key from another message, an unknown message) is not verified."""
RESOURCE_UNSUPPORTED: Final = 234043
"""Asked for a resource of a card or a merged-forward message (im-v1/message-resource/get:
"如果请求时传入了合并转发消息或子消息的 ID、卡片消息 ID，则会返回错误码 234043")."""

MESSAGES: Final = {
    RATE_LIMITED: "request trigger frequency limit",
    FREQUENCY_LIMITED: "This operation triggers the frequency limit",
    TOKEN_MISSING: "Missing access token for authorization. "
    "Please make a request with token attached.",
    TOKEN_INVALID: "Invalid access token for authorization. "
    "Please make a request with token attached.",
    APP_INVALID: "invalid param",
    SECRET_INVALID: "app secret invalid",
    INVALID_PARAM: "Your request contains an invalid request parameter.",
    BOT_NOT_IN_CHAT: "The bot can not be outside the group.",
    USER_UNAVAILABLE: "Bot has NO availability to this user.",
    CONTENT_TOO_LONG: "The length of the message content reaches its limit.",
    RECALLED: "The message is recalled.",
    EDIT_WINDOW_PASSED: "Message can only be modified within 14 days after sending.",
    CARD_INVALID: "Failed to create card content",
    CHAT_INVALID: "Your request specifies a chat_id which is invalid.",
    IMAGE_INVALID: "Invalid request param.",
    IMAGE_TOO_BIG: "The file size exceed the max value.",
    IMAGE_EMPTY: "File's size can't be 0.",
    IMAGE_FORMAT: "Can't regonnize the image format.",
    NO_USER_AUTHORITY: "no user authority error",
    FIELD_INVALID: "field validation failed",
    INTERNAL_ERROR: "internal error",
    RESOURCE_UNSUPPORTED: "Unsupported message type",  # the wording is not verified
}

BOT_OPEN_ID: Final = "ou_7d8a6e6df7621556ce0d21922b676706"
"""The app's bot as users see it: the open_id its mentions carry and bot/v3/info names."""
BOT_NAME: Final = "报修助手"
GROUP_MESSAGES: Final = "im:message.group_msg"
"""获取群组中所有消息: reading a group's messages by id needs it (im-v1/message/get)."""
READ_MESSAGES: Final = frozenset({"im:message", "im:message:readonly"})
"""Either one lets the app read messages and their resources."""
SCOPES: Final = frozenset(
    {"im:message:send_as_bot", "im:resource", "im:message:readonly", GROUP_MESSAGES}
)
"""What the app is granted unless a test takes some away."""

TOKEN_LIFETIME_S: Final = 7200
TOKEN_RENEW_S: Final = 1800
"""With less than this left, Feishu hands out a new token; the old one stays valid."""
UUID_TTL_S: Final = 3600
CARD_MAX_BYTES: Final = 30_000
"""230025 "消息体长度超出限制。文本消息请求体最大不能超过150KB；卡片及富文本消息请求体最大不能超过
30KB" (im-v1/message/create and im-v1/message/patch, https://open.feishu.cn/document/server-docs/
im-v1/message/create): the request body as it arrives is measured, not the card in it, which
is shorter by the escaping of its JSON into `content` and by the fields around it. KB read as
1000 bytes, the stricter reading (as feishu_cards does)."""
EDIT_WINDOW_S: Final = 14 * 86400
CARD_TOKEN_TTL_S: Final = 1800
CLICK_ANSWER_S: Final = 3.0
"""Feishu waits this long for a click's answer (200341 after it), and shows only an answer
given in time."""
CARD_TOKEN_USES: Final = 2
IMAGE_MAX_BYTES: Final = 10 * 1024 * 1024
PER_TARGET: Final = 5
"""Sends per second to one chat (shared by every bot in it) or to one user."""
PER_MESSAGE: Final = 5
"""Edits per second of one message."""
PER_APP_SECOND: Final = 50
PER_APP_MINUTE: Final = 1000
IMAGE_MAGIC: Final = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"\x00\x00\x01\x00",
)
DEFAULT_CLIENT_CONFIG: Final = {
    "ReconnectCount": -1,
    "ReconnectInterval": 120,
    "ReconnectNonce": 30,
    "PingInterval": 120,
}
"""The SDK's own defaults (ws/client.py); the values Feishu's endpoint sends are not verified.
lark.ws.Client replaces its timings with whatever the endpoint answers."""
FRAME_CONTROL: Final = 0
FRAME_DATA: Final = 1
_BODY: Final = web.RequestKey("fake_body", object)
_CODE: Final = web.RequestKey("fake_code", int)
_SIZE: Final = web.RequestKey("fake_size", int)


def accept_any(card: object) -> list[str]:
    """The validator until a stricter one is given: Feishu's card checks are not modelled."""
    return []


@dataclass
class Message:
    """A card Feishu accepted; `cards` holds every revision, the one shown last."""

    message_id: str
    chat_id: str
    receive_id: str
    uuid: str | None
    cards: list[dict[str, Any]]
    sent_at: float
    """On the fake's clock."""
    recalled: bool = False
    thread_id: str | None = None
    """The thread a reply opened on the card (`omt_…`), which later replies join."""

    @property
    def card(self) -> dict[str, Any]:
        return self.cards[-1]


@dataclass(frozen=True)
class Mention:
    """`@_user_1` in a message's text stands for this user or bot."""

    key: str
    open_id: str
    name: str


@dataclass
class Said:
    """A message other than a card: what a user posted (text, post or image), or the bot's
    reply. `content` is the message's content as its `msg_type` defines it (the doc
    im-v1/message/events/message_content); `resources` are the images it carries, by key."""

    message_id: str
    chat_id: str
    chat_type: str
    """"group", or "p2p" for a user's private chat with the bot."""
    msg_type: str
    content: dict[str, Any]
    sender: str
    """A user's open_id, or the app_id for the bot's own replies."""
    mentions: tuple[Mention, ...]
    parent_id: str | None
    root_id: str | None
    thread_id: str | None
    resources: Mapping[str, bytes]
    uuid: str | None
    sent_at: float


@dataclass(frozen=True)
class Call:
    """One request the fake answered, with the answer's HTTP status and Feishu code."""

    method: str
    path: str
    query: Mapping[str, str]
    body: Any
    status: int
    code: int | None
    at: float


@dataclass(frozen=True)
class CardUpdate:
    token: str
    message_id: str
    card: dict[str, Any]
    at: float


@dataclass(frozen=True)
class WsReply:
    """What lark.ws.Client sent back for a pushed frame; `data` is the handler's answer, and
    `applied` says the fake showed the card in a click's answer, as Feishu would."""

    code: int
    data: Any
    headers: Mapping[str, str]
    applied: bool = False


@dataclass(frozen=True)
class Answer:
    """A card a click's answer put on the clicked message (no OpenAPI call)."""

    message_id: str
    card: dict[str, Any]
    at: float


class AnswerRefused(Exception):
    """A click's answer Feishu would not show (an error in the clicker's client instead)."""


@dataclass
class _Chat:
    name: str
    bot_member: bool


@dataclass
class _CardToken:
    message_id: str
    issued_at: float
    uses: int = 0


@dataclass
class _Connection:
    socket: web.WebSocketResponse
    service_id: int


@dataclass
class _Faults:
    failures: list[tuple[int, int, int]] = field(default_factory=list)
    outage_until: float = -math.inf
    outage_status: int = 500
    outage_html: bool = False
    delay: float = 0.0
    upload_delay: float = 0.0


class _Refused(Exception):
    """Ends a request with Feishu's error answer; raised anywhere inside a handler."""

    def __init__(
        self,
        status: int,
        code: int,
        detail: str = "",
        *,
        headers: Mapping[str, str] | None = None,
        html: bool = False,
        message: str | None = None,
        error: Mapping[str, Any] | None = None,
    ) -> None:
        """`message` replaces the code's usual one and its `detail`; `error` adds to the
        answer's `error` object."""
        super().__init__(f"{code} {message or detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})
        self.html = html
        self.message = message
        self.error = dict(error or {})


class FakeFeishu:
    """Feishu's OpenAPI on 127.0.0.1 (random port), plus the long connection's WebSocket."""

    def __init__(
        self,
        *,
        app_id: str = APP_ID,
        app_secret: str = APP_SECRET,
        validator: Validator = accept_any,
        chat_limit_code: int = FREQUENCY_LIMITED,
        client_config: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`chat_limit_code` picks how the per-chat, per-user and per-message limits answer:
        230020 (HTTP 400, as observed) or 99991400 (HTTP 429 with headers, the gateway's
        form). `client_config` overrides some of the long connection's timings (the SDK
        takes all four from the endpoint, so missing ones keep the defaults). `clock`
        drives every limit and expiry, so a test can move time by hand."""
        if chat_limit_code not in (FREQUENCY_LIMITED, RATE_LIMITED):
            raise ValueError("chat_limit_code is 230020 or 99991400")
        self.app_id = app_id
        self.app_secret = app_secret
        self.requests: list[Call] = []
        self.images: dict[str, bytes] = {}
        self.card_updates: list[CardUpdate] = []
        self.answers: list[Answer] = []
        self.pings = 0
        self._validate = validator
        self._chat_limit_code = chat_limit_code
        self._client_config = {**DEFAULT_CLIENT_CONFIG, **(client_config or {})}
        self._clock = clock
        self._faults = _Faults()
        self._chats: dict[str, _Chat] = {}
        self._users: dict[str, str] = {}
        self._tokens: dict[str, float] = {}
        self._current_token: str | None = None
        self._messages: dict[str, Message] = {}
        self._uuids: dict[str, str] = {}
        self._said: dict[str, Said] = {}
        self._reply_uuids: dict[str, str] = {}
        self.scopes = set(SCOPES)
        self.bot_open_id = BOT_OPEN_ID
        self._card_tokens: dict[str, _CardToken] = {}
        self._per_target = Window(PER_TARGET, 1.0)
        self._per_message = Window(PER_MESSAGE, 1.0)
        self._per_app_second = Window(PER_APP_SECOND, 1.0)
        self._per_app_minute = Window(PER_APP_MINUTE, 60.0)
        self._tickets: set[str] = set()
        self._uploads = 0
        self._connections: list[_Connection] = []
        self._replies: dict[str, asyncio.Future[Frame]] = {}
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0

    # Life cycle

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware], client_max_size=2 * IMAGE_MAX_BYTES)
        app.router.add_post(TOKEN_PATH, self._token)
        app.router.add_post("/open-apis/im/v1/messages", self._send)
        app.router.add_patch("/open-apis/im/v1/messages/{message_id}", self._patch)
        app.router.add_get("/open-apis/im/v1/messages/{message_id}", self._get_message)
        app.router.add_post("/open-apis/im/v1/messages/{message_id}/reply", self._reply)
        app.router.add_get(
            "/open-apis/im/v1/messages/{message_id}/resources/{file_key}", self._resource
        )
        app.router.add_get("/open-apis/bot/v3/info", self._bot_info)
        app.router.add_post("/open-apis/im/v1/images", self._image)
        app.router.add_post("/open-apis/interactive/v1/card/update", self._card_update)
        app.router.add_get("/open-apis/im/v1/chats/{chat_id}", self._chat)
        app.router.add_get("/open-apis/im/v1/chats/{chat_id}/members/is_in_chat", self._is_in_chat)
        app.router.add_get("/open-apis/contact/v3/users/{user_id}", self._user)
        app.router.add_post(WS_ENDPOINT_PATH, self._ws_endpoint)
        app.router.add_get("/ws", self._ws)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        self._closing.set()
        for connection in list(self._connections):
            await connection.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """What `lark.Client.builder().domain(...)` takes: plain http is allowed on 127.0.0.1."""
        return f"http://127.0.0.1:{self._port}"

    # The tenant, as a test sets it up

    def add_chat(self, chat_id: str, *, bot_member: bool = True, name: str | None = None) -> None:
        self._chats[chat_id] = _Chat(name or chat_id, bot_member)

    def add_user(self, open_id: str, *, name: str | None = None) -> None:
        """A user within the app's availability scope, reachable by direct message."""
        self._users[open_id] = name or open_id

    def direct_chat(self, open_id: str) -> str:
        """The chat_id of a user's private (p2p) chat with the bot."""
        return "oc_" + hashlib.sha256(open_id.encode()).hexdigest()[:32]

    def post_as_user(
        self,
        chat_id: str,
        sender: str,
        msg_type: str,
        content: Mapping[str, Any],
        *,
        mentions: tuple[Mention, ...] = (),
        resources: Mapping[str, bytes] | None = None,
        parent_id: str | None = None,
        in_thread: bool = False,
    ) -> Said:
        """A user writes in a group the bot is in, or to the bot directly; the test then
        delivers the event (feishu_callbacks.message_received). `parent_id` makes it a
        reply to that message, a user's or the bot's card (`in_thread`: in its thread), as
        the client's 回复 does."""
        direct = chat_id not in self._chats
        if direct and chat_id not in {self.direct_chat(u) for u in self._users}:
            raise ValueError(f"{chat_id} is neither a group nor a user's chat with the bot")
        parent: Said | Message | None = None
        if parent_id is not None:
            parent = self._said.get(parent_id) or self._messages.get(parent_id)
            if parent is None or parent.chat_id != chat_id:
                raise ValueError(f"no message {parent_id} in {chat_id} to reply to")
        thread_id = _thread_of(parent, in_thread)
        if isinstance(parent, Message):  # the card's thread, opened once
            parent.thread_id = thread_id
        said = Said(
            message_id="om_" + uuid.uuid4().hex,
            chat_id=chat_id,
            chat_type="p2p" if direct else "group",
            msg_type=msg_type,
            content=dict(content),
            sender=sender,
            mentions=mentions,
            parent_id=parent_id,
            root_id=_root_of(parent),
            thread_id=thread_id,
            resources=dict(resources or {}),
            uuid=None,
            sent_at=self._clock(),
        )
        self._said[said.message_id] = said
        return said

    def issue_card_token(self, message_id: str) -> str:
        """The `c-…` token Feishu puts in a click on this card, for a delayed update."""
        self.message(message_id)
        token = "c-" + secrets.token_hex(20)
        self._card_tokens[token] = _CardToken(message_id, self._clock())
        return token

    def recall(self, message_id: str) -> None:
        """Someone recalls the card (撤回), as a group's owner or admin may; it stays in
        `messages`, marked recalled, and can no longer be edited."""
        self._messages[message_id].recalled = True

    def revoke_tokens(self) -> None:
        """Every tenant token stops working, as when Feishu expires or revokes one early."""
        self._tokens.clear()
        self._current_token = None

    # Faults

    def fail_next(
        self, n: int, *, status: int = 429, code: int = RATE_LIMITED, reset: int = 1
    ) -> None:
        """Refuse the next `n` OpenAPI calls (not token fetches) with `status` and `code`;
        99991400 comes with x-ogw-ratelimit-reset: `reset` seconds."""
        self._faults.failures.extend([(status, code, reset)] * n)

    def outage(self, seconds: float, *, status: int = 500, html: bool = False) -> None:
        """Answer every request, token fetches included, with `status` for `seconds`: a JSON
        error like Feishu's, or with `html` the page a load balancer serves instead."""
        self._faults.outage_until = self._clock() + seconds
        self._faults.outage_status = status
        self._faults.outage_html = html

    def slow(self, seconds: float) -> None:
        """Hold every OpenAPI answer (not token fetches) `seconds` after doing the work, so a
        client that times out has still sent its card; `slow(0)` ends it."""
        self._faults.delay = seconds

    def slow_uploads(self, seconds: float) -> None:
        """Hold each image upload's answer `seconds` after storing the image (a large photo
        on a slow uplink); `slow_uploads(0)` ends it."""
        self._faults.upload_delay = seconds

    # Observations

    @property
    def token_fetches(self) -> int:
        return sum(1 for call in self.requests if call.path == TOKEN_PATH)

    @property
    def uploads(self) -> int:
        """Image uploads begun, answered or not yet."""
        return self._uploads

    def messages(self, to: str) -> list[Message]:
        """Cards sent to a chat (chat_id) or to a user (open_id), oldest first."""
        return [m for m in self._messages.values() if to in (m.chat_id, m.receive_id)]

    def message(self, message_id: str) -> Message:
        return self._messages[message_id]

    def said(self, message_id: str) -> Said:
        return self._said[message_id]

    def replies(self, message_id: str) -> list[Said]:
        """The bot's replies to a message, oldest first."""
        return [
            m for m in self._said.values() if m.parent_id == message_id and m.sender == self.app_id
        ]

    def max_per_second(self, to: str) -> int:
        """The most sends Feishu accepted for one chat or user within any one second."""
        return self._per_target.busiest(to)

    @property
    def ws_connections(self) -> int:
        return len(self._connections)

    # The long connection

    async def drop_connections(self) -> None:
        """Close every long connection from Feishu's side, as a gateway restart does."""
        for connection in list(self._connections):
            await connection.socket.close()

    async def push(
        self,
        payload: Mapping[str, Any],
        *,
        kind: str = "event",
        parts: int = 1,
        timeout: float = CLICK_ANSWER_S,
    ) -> WsReply:
        """Deliver an event (e.g. a card.action.trigger) to one open long connection, chosen
        at random as Feishu does, in `parts` frames, and wait for the client's answer. A
        click's answer given within 3 s has its card shown (`apply_answer`).

        As Feishu's server does, a push waits for its own answer only: pushes made at once
        send their frames at once, each answer matched to its frame by `message_id`, so a
        client that reads one frame only after answering the last is seen to be late. After
        `timeout` (Feishu's 3 s) there is no answer to wait for: TimeoutError, where the
        clicker sees "出错了，请稍后重试" (200340, larksuite/oapi-sdk-python#126)."""
        if not self._connections:
            raise RuntimeError("no long connection is open")
        connection = random.choice(self._connections)
        message_id = uuid.uuid4().hex
        data = json.dumps(payload, ensure_ascii=False).encode()
        size = math.ceil(len(data) / parts)
        reply: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._replies[message_id] = reply
        started = self._clock()
        try:
            for seq in range(parts):
                headers = {
                    "type": kind,
                    "message_id": message_id,
                    "trace_id": uuid.uuid4().hex,
                    "sum": str(parts),
                    "seq": str(seq),
                }
                chunk = data[seq * size : (seq + 1) * size]
                frame = _frame(FRAME_DATA, connection.service_id, headers, chunk)
                await connection.socket.send_bytes(frame)
            answer = await asyncio.wait_for(reply, timeout)
        finally:
            self._replies.pop(message_id, None)
        response = json.loads(answer.payload)
        encoded = response.get("data")
        answered = json.loads(base64.b64decode(encoded)) if encoded else None
        in_time = self._clock() - started <= CLICK_ANSWER_S
        applied = (
            kind == "event"
            and int(response["code"]) == 200
            and in_time
            and self.apply_answer(payload, answered)
        )
        return WsReply(
            code=int(response["code"]),
            data=answered,
            headers={h.key: h.value for h in answer.headers},
            applied=applied,
        )

    def apply_answer(self, click: Mapping[str, Any], answer: Any) -> bool:
        """Show a click's answer as Feishu does: a `card` in it (`{"type": "raw", "data":
        …}`) replaces the clicked card, the message the click's `open_message_id` names, for
        everyone in the chat. Over the long connection `push` calls this; a test posting to
        a webhook calls it with the HTTP answer, as Feishu's side of that exchange. Returns
        whether a card was shown. The card must keep the schema the message was sent with
        (200830) and pass the card checks; otherwise `AnswerRefused`."""
        if not isinstance(answer, dict) or not isinstance(answer.get("card"), dict):
            return False
        context = (click.get("event") or {}).get("context") or {}
        message = self._messages.get(str(context.get("open_message_id")))
        if message is None:
            return False
        raw = answer["card"]
        if raw.get("type") != "raw" or not isinstance(raw.get("data"), dict):
            raise AnswerRefused(f"the answer's card is not {{type: raw, data: {{…}}}}: {raw!r}")
        card = raw["data"]
        if card.get("schema") != message.card.get("schema"):
            raise AnswerRefused("200830: the card's schema differs from the one first sent")
        try:
            self._card(card, len(json.dumps(card, ensure_ascii=False).encode()))
        except _Refused as refused:
            raise AnswerRefused(f"{refused.code}: {refused.detail}") from None
        message.cards.append(card)
        self.answers.append(Answer(message.message_id, card, self._clock()))
        return True

    # Plumbing

    @web.middleware
    async def _middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        openapi = request.path.startswith("/open-apis/") and request.path != TOKEN_PATH
        if request.method != "GET" and request.content_type != "multipart/form-data":
            raw = await request.read()
            request[_BODY] = _parse(raw)
            request[_SIZE] = len(raw)
        try:
            if self._clock() < self._faults.outage_until:
                raise _Refused(
                    self._faults.outage_status, INTERNAL_ERROR, html=self._faults.outage_html
                )
            if openapi and self._faults.failures:
                status, code, reset = self._faults.failures.pop(0)
                raise _Refused(status, code, headers=_rate_headers(PER_APP_SECOND, reset, code))
            response = await handler(request)
        except _Refused as refused:
            request[_CODE] = refused.code
            response = _refusal(refused)
        if openapi and self._faults.delay > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._faults.delay)
        self.requests.append(
            Call(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                body=request.get(_BODY),
                status=response.status,
                code=request.get(_CODE),
                at=self._clock(),
            )
        )
        return response

    def _ok(self, request: web.Request, data: Any) -> web.Response:
        request[_CODE] = 0
        body = {"code": 0, "msg": "success", "data": data}
        return web.json_response(body, headers={"X-Tt-Logid": _log_id()})

    def _authorize(self, request: web.Request) -> None:
        """Feishu's gateway: no `Bearer <token>` is a missing token, an unknown one invalid."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not token.strip():
            raise _Refused(400, TOKEN_MISSING)
        expires = self._tokens.get(token.strip())
        if expires is None or expires <= self._clock():
            raise _Refused(400, TOKEN_INVALID)

    def _app_limit(self, endpoint: str) -> None:
        """The gateway's per-app limit of each endpoint: "接口频率限制 1000 次/分钟、50 次/秒"
        (im-v1/message/create and the others the fake serves; the tiers are described at
        https://open.feishu.cn/document/ukTMukTMukTM/uUzN04SN3QjL1cDN), both counted."""
        now = self._clock()
        for window in (self._per_app_second, self._per_app_minute):
            wait = window.wait(endpoint, now)
            if wait > 0:
                raise _Refused(
                    429, RATE_LIMITED, headers=_rate_headers(window.limit, wait, RATE_LIMITED)
                )
        for window in (self._per_app_second, self._per_app_minute):
            window.add(endpoint, now)

    def _business_limit(self, window: Window, key: str, ext: str) -> None:
        wait = window.wait(key, self._clock())
        if wait <= 0:
            return
        if self._chat_limit_code == RATE_LIMITED:
            headers = _rate_headers(window.limit, wait, RATE_LIMITED)
            raise _Refused(429, RATE_LIMITED, headers=headers)
        raise _Refused(400, FREQUENCY_LIMITED, ext)

    def _card(self, card: Any, size: int) -> dict[str, Any]:
        """The card, if Feishu would show it: within 30 KB, valid, its images uploaded."""
        if size > CARD_MAX_BYTES:
            raise _Refused(400, CONTENT_TOO_LONG, f"{size} bytes > {CARD_MAX_BYTES}")
        if not isinstance(card, dict):
            raise _Refused(400, CARD_INVALID, "card content is not a JSON object")
        problems = list(self._validate(card))
        unknown = sorted(set(_image_keys(card)) - set(self.images))
        if unknown:
            problems.append(f"ErrCode: 200570; ErrMsg: invalid image keys {unknown}")
        if problems:
            raise _Refused(400, CARD_INVALID, "; ".join(problems))
        return card

    def _card_from_content(self, request: web.Request, content: Any) -> dict[str, Any]:
        """The card in a message's `content`, JSON in a string, if the request's body is
        within the limit as it arrived (a body written with ensure_ascii spends 6 bytes, not
        3, on each Chinese character)."""
        if not isinstance(content, str):
            raise _Refused(400, FIELD_INVALID, "content must be a string")
        try:
            card = json.loads(content)
        except ValueError:
            card = None
        return self._card(card, request[_SIZE])

    # Handlers

    async def _token(self, request: web.Request) -> web.Response:
        """Accepts the SDK's fetch, which sends its JSON without a Content-Type."""
        body = request.get(_BODY)
        answer: dict[str, Any]
        if not isinstance(body, dict) or body.get("app_id") != self.app_id:
            answer = {"code": APP_INVALID, "msg": MESSAGES[APP_INVALID], "data": {}}
        elif body.get("app_secret") != self.app_secret:
            answer = {"code": SECRET_INVALID, "msg": MESSAGES[SECRET_INVALID], "data": {}}
        else:
            token, expires = self._issue_token()
            left = int(expires - self._clock())
            answer = {"code": 0, "msg": "ok", "tenant_access_token": token, "expire": left}
        request[_CODE] = answer["code"]
        return web.json_response(answer)

    def _issue_token(self) -> tuple[str, float]:
        now = self._clock()
        current = self._current_token
        if current is not None and self._tokens.get(current, now) - now >= TOKEN_RENEW_S:
            return current, self._tokens[current]
        token = "t-" + secrets.token_hex(20)
        self._tokens[token] = now + TOKEN_LIFETIME_S
        self._current_token = token
        return token, self._tokens[token]

    async def _send(self, request: web.Request) -> web.Response:
        self._authorize(request)
        self._app_limit("im.message.create")
        kind = request.query.get("receive_id_type")
        body = request.get(_BODY)
        if kind not in ("chat_id", "open_id"):
            raise _Refused(400, FIELD_INVALID, "receive_id_type must be chat_id or open_id")
        if not isinstance(body, dict):
            raise _Refused(400, FIELD_INVALID, "body is not a JSON object")
        receive_id = body.get("receive_id")
        dedupe = body.get("uuid")
        if not isinstance(receive_id, str) or not receive_id:
            raise _Refused(400, FIELD_INVALID, "receive_id is required")
        if body.get("msg_type") != "interactive":
            raise _Refused(400, INVALID_PARAM, "the fake takes interactive (card) messages only")
        if dedupe is not None and not (isinstance(dedupe, str) and 1 <= len(dedupe) <= 50):
            raise _Refused(400, FIELD_INVALID, "uuid is 1 to 50 characters")
        earlier = self._sent_with(dedupe)
        if earlier is not None:
            return self._ok(request, self._message_data(earlier))
        card = self._card_from_content(request, body.get("content"))
        chat_id = self._reachable(kind, receive_id)
        self._business_limit(self._per_target, receive_id, "chat rate limit")
        now = self._clock()
        self._per_target.add(receive_id, now)
        message = Message("om_" + uuid.uuid4().hex, chat_id, receive_id, dedupe, [card], now)
        self._messages[message.message_id] = message
        if dedupe is not None:
            self._uuids[dedupe] = message.message_id
        return self._ok(request, self._message_data(message))

    def _sent_with(self, dedupe: str | None) -> Message | None:
        """The message an earlier send with this uuid created within the hour. Feishu keys
        uuids by app, not by receiver: a uuid reused for another chat sends nothing."""
        if dedupe is None or dedupe not in self._uuids:
            return None
        message = self._messages[self._uuids[dedupe]]
        if self._clock() - message.sent_at >= UUID_TTL_S:
            del self._uuids[dedupe]
            return None
        return message

    def _reachable(self, kind: str, receive_id: str) -> str:
        """The chat a send lands in: a group with the bot in it, or the user's p2p chat.
        An unknown chat_id answers 230001 "invalid receive_id" (not verified)."""
        if kind == "chat_id":
            chat = self._chats.get(receive_id)
            if chat is None:
                raise _Refused(400, INVALID_PARAM, "invalid receive_id")
            if not chat.bot_member:
                raise _Refused(400, BOT_NOT_IN_CHAT)
            return receive_id
        if receive_id not in self._users:
            raise _Refused(400, USER_UNAVAILABLE)
        return self.direct_chat(receive_id)

    def _message_data(self, message: Message) -> dict[str, Any]:
        millis = str(int(time.time() * 1000))
        return {
            "message_id": message.message_id,
            "msg_type": "interactive",
            "create_time": millis,
            "update_time": millis,
            "deleted": False,
            "updated": len(message.cards) > 1,
            "chat_id": message.chat_id,
            "sender": {
                "id": self.app_id,
                "id_type": "app_id",
                "sender_type": "app",
                "tenant_key": TENANT_KEY,
            },
            "body": {"content": json.dumps(message.card, ensure_ascii=False)},
        }

    async def _patch(self, request: web.Request) -> web.Response:
        """Feishu edits only shared cards: `update_multi: true` declared before and after
        (the PATCH doc asks for it explicitly, though JSON 2.0 defaults it to true). "仅支持
        更新未撤回的卡片" and "仅支持更新 14 天内发送的消息" (im-v1/message-card/patch): a
        recalled card answers 230011, an older one 230031; which one a card both recalled
        and old gets is not verified (230011 here)."""
        self._authorize(request)
        self._app_limit("im.message.patch")
        message = self._messages.get(request.match_info["message_id"])
        body = request.get(_BODY)
        if message is None:
            raise _Refused(400, INVALID_PARAM, "invalid message_id")
        if not isinstance(body, dict):
            raise _Refused(400, FIELD_INVALID, "body is not a JSON object")
        if message.recalled:
            raise _Refused(400, RECALLED)
        if self._clock() - message.sent_at > EDIT_WINDOW_S:
            raise _Refused(400, EDIT_WINDOW_PASSED)
        card = self._card_from_content(request, body.get("content"))
        for which, version in (("sent", message.card), ("new", card)):
            if not _shared(version):
                # The code Feishu answers with is not documented (not verified).
                raise _Refused(400, INVALID_PARAM, f"the {which} card lacks update_multi: true")
        self._business_limit(self._per_message, message.message_id, "message rate limit")
        self._per_message.add(message.message_id, self._clock())
        message.cards.append(card)
        return self._ok(request, {})

    async def _image(self, request: web.Request) -> web.Response:
        self._authorize(request)
        self._app_limit("im.image.create")
        self._uploads += 1
        form = await request.post()
        image_type = form.get("image_type")
        image = form.get("image")
        if not isinstance(image, web.FileField):
            request[_BODY] = {"image_type": image_type, "image": None}
            raise _Refused(400, IMAGE_INVALID, "image is required")
        data = image.file.read()
        request[_BODY] = {"image_type": image_type, "image": {"size": len(data)}}
        if image_type not in ("message", "avatar"):
            raise _Refused(400, IMAGE_INVALID, "image_type is message or avatar")
        if not data:
            raise _Refused(400, IMAGE_EMPTY)
        if len(data) > IMAGE_MAX_BYTES:
            raise _Refused(400, IMAGE_TOO_BIG)
        if not data.startswith(IMAGE_MAGIC) and data[8:12] != b"WEBP":
            raise _Refused(400, IMAGE_FORMAT)
        key = "img_v3_" + uuid.uuid4().hex
        self.images[key] = data
        if self._faults.upload_delay > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._faults.upload_delay)
        return self._ok(request, {"image_key": key})

    async def _card_update(self, request: web.Request) -> web.Response:
        """A delayed update after a click: its token works twice within 30 minutes. Feishu's
        code for a spent or expired token is not documented (not verified)."""
        self._authorize(request)
        self._app_limit("interactive.card.update")
        body = request.get(_BODY)
        if not isinstance(body, dict):
            raise _Refused(400, FIELD_INVALID, "body is not a JSON object")
        token = self._card_tokens.get(str(body.get("token")))
        now = self._clock()
        if token is None or now - token.issued_at > CARD_TOKEN_TTL_S:
            raise _Refused(400, FIELD_INVALID, "token is invalid or expired")
        if token.uses >= CARD_TOKEN_USES:
            raise _Refused(400, FIELD_INVALID, "token was used twice already")
        raw = body.get("card")
        card = self._card(raw, len(json.dumps(raw, ensure_ascii=False).encode()))
        token.uses += 1
        self.card_updates.append(CardUpdate(str(body["token"]), token.message_id, card, now))
        self._messages[token.message_id].cards.append(card)
        return self._ok(request, {})

    async def _chat(self, request: web.Request) -> web.Response:
        """group/chat/get (https://open.feishu.cn/document/server-docs/group/chat/get): a
        chat the bot is not in still answers, with its basic information only ("机器人或授权
        用户必须在群里，否则只会返回群名称、群头像等基本信息"), so a name proves nothing about
        membership. Which other fields Feishu leaves out then is not verified."""
        self._authorize(request)
        chat_id = request.match_info["chat_id"]
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _Refused(400, CHAT_INVALID)
        if not chat.bot_member:
            return self._ok(request, {"avatar": "", "name": chat.name})
        return self._ok(
            request,
            {
                "avatar": "",
                "name": chat.name,
                "description": "",
                "owner_id_type": "open_id",
                "chat_mode": "group",
                "chat_type": "private",
                "external": False,
                "tenant_key": TENANT_KEY,
                "bot_count": "1",
                "chat_status": "normal",
            },
        )

    async def _is_in_chat(self, request: web.Request) -> web.Response:
        """group/chat-member/is_in_chat (https://open.feishu.cn/document/server-docs/group/
        chat-member/is_in_chat, lark-oapi 1.7.5 IsInChatChatMembersRequest): "根据使用的
        access_token 判断对应的用户或者机器人是否在群里" → `{"is_in_chat": bool}`. An unknown
        chat answers 232006 as the chat look-up does (not verified)."""
        self._authorize(request)
        chat = self._chats.get(request.match_info["chat_id"])
        if chat is None:
            raise _Refused(400, CHAT_INVALID)
        return self._ok(request, {"is_in_chat": chat.bot_member})

    async def _user(self, request: web.Request) -> web.Response:
        self._authorize(request)
        open_id = request.match_info["user_id"]
        if request.query.get("user_id_type", "open_id") != "open_id":
            raise _Refused(400, FIELD_INVALID, "the fake resolves open_ids only")
        name = self._users.get(open_id)
        if name is None:
            raise _Refused(400, NO_USER_AUTHORITY)
        suffix = open_id.removeprefix("ou_")
        status = {"is_frozen": False, "is_resigned": False, "is_activated": True}
        user = {"open_id": open_id, "union_id": "on_" + suffix, "name": name, "status": status}
        return self._ok(request, {"user": user})

    async def _reply(self, request: web.Request) -> web.Response:
        """im-v1/message/reply: `{"content", "msg_type", "reply_in_thread", "uuid"}`; "回复群消息
        时，机器人需要在群中"; the group's 5 QPS is shared with sends; a `uuid` makes a repeat
        within the hour return the first reply. An unknown message is 230001 "invalid
        message_id" (trouble-shooting/how-to-resolve-error-230001). The fake takes text
        replies only; the code for a malformed `content` is not verified."""
        self._authorize(request)
        self._app_limit("im.message.reply")
        target = self._said.get(request.match_info["message_id"])
        body = request.get(_BODY)
        if target is None:
            raise _Refused(400, INVALID_PARAM, "invalid message_id")
        if not isinstance(body, dict):
            raise _Refused(400, FIELD_INVALID, "body is not a JSON object")
        dedupe = body.get("uuid")
        in_thread = body.get("reply_in_thread", False)
        if dedupe is not None and not (isinstance(dedupe, str) and 1 <= len(dedupe) <= 50):
            raise _Refused(400, FIELD_INVALID, "uuid is 1 to 50 characters")
        if not isinstance(in_thread, bool):
            raise _Refused(400, FIELD_INVALID, "reply_in_thread is a boolean")
        if body.get("msg_type") != "text":
            raise _Refused(400, INVALID_PARAM, "the fake takes text replies only")
        text = _text_content(body.get("content"))
        earlier = self._reply_uuids.get(dedupe) if dedupe is not None else None
        if earlier is not None and self._clock() - self._said[earlier].sent_at < UUID_TTL_S:
            return self._ok(request, self._said_data(self._said[earlier]))
        chat = self._chats.get(target.chat_id)
        if chat is not None and not chat.bot_member:
            raise _Refused(400, BOT_NOT_IN_CHAT)
        self._business_limit(self._per_target, target.chat_id, "chat rate limit")
        now = self._clock()
        self._per_target.add(target.chat_id, now)
        reply = Said(
            message_id="om_" + uuid.uuid4().hex,
            chat_id=target.chat_id,
            chat_type=target.chat_type,
            msg_type="text",
            content={"text": text},
            sender=self.app_id,
            mentions=(),
            parent_id=target.message_id,
            root_id=target.root_id or target.message_id,
            thread_id=_thread_of(target, in_thread),
            resources={},
            uuid=dedupe,
            sent_at=now,
        )
        self._said[reply.message_id] = reply
        if dedupe is not None:
            self._reply_uuids[dedupe] = reply.message_id
        return self._ok(request, self._said_data(reply))

    async def _get_message(self, request: web.Request) -> web.Response:
        """im-v1/message/get: `{"items": [message]}`. "机器人必须在消息所属的群组内"; by the app's
        identity, "获取群聊消息 需先申请单聊场景的任一权限（im:message、im:message:readonly），此外
        应用还必须开启 获取群组中所有消息（im:message.group_msg）". Which code answers a message
        in a chat without the bot is not verified (230002 here)."""
        self._authorize(request)
        self._app_limit("im.message.get")
        message_id = request.match_info["message_id"]
        said = self._said.get(message_id)
        if said is None:
            if message_id in self._messages:
                return self._ok(
                    request, {"items": [self._message_data(self._messages[message_id])]}
                )
            raise _Refused(400, INVALID_PARAM, "invalid message_id")
        if not self.scopes & READ_MESSAGES:
            raise _missing(self.app_id, READ_MESSAGES)
        if said.chat_type == "group" and GROUP_MESSAGES not in self.scopes:
            raise _missing(self.app_id, {GROUP_MESSAGES})
        chat = self._chats.get(said.chat_id)
        if chat is not None and not chat.bot_member:
            raise _Refused(400, BOT_NOT_IN_CHAT)
        return self._ok(request, {"items": [self._said_data(said)]})

    async def _resource(self, request: web.Request) -> web.StreamResponse:
        """im-v1/message-resource/get: the bytes of one image or file of a message, asked with
        `type` image ("对应消息中的图片或富文本消息中的图片") or file; "请求的 file_key 和
        message_id 需要匹配"; cards and merged-forward messages answer 234043; needs
        im:message or im:message:readonly (or the history scope)."""
        self._authorize(request)
        self._app_limit("im.message_resource.get")
        kind = request.query.get("type")
        message_id = request.match_info["message_id"]
        if kind not in ("image", "file"):
            raise _Refused(400, RESOURCE_INVALID, "type is image or file")
        if not self.scopes & (READ_MESSAGES | {"im:message.history:readonly"}):
            raise _missing(self.app_id, READ_MESSAGES)
        if message_id in self._messages:
            raise _Refused(400, RESOURCE_UNSUPPORTED)
        said = self._said.get(message_id)
        data = said.resources.get(request.match_info["file_key"]) if said is not None else None
        if said is None or data is None or kind != "image":
            raise _Refused(400, RESOURCE_INVALID, "file_key does not belong to message_id")
        request[_CODE] = 0
        return web.Response(body=data, content_type=_image_type(data))

    async def _bot_info(self, request: web.Request) -> web.Response:
        """bot/v3/info: the bot's open_id and name, at the top level beside `code` (no
        `data` wrapper), as the doc's sample shows."""
        self._authorize(request)
        request[_CODE] = 0
        bot = {
            "activate_status": 2,
            "app_name": BOT_NAME,
            "avatar_url": "",
            "ip_white_list": [],
            "open_id": self.bot_open_id,
        }
        return web.json_response({"code": 0, "msg": "ok", "bot": bot})

    def _said_data(self, said: Said) -> dict[str, Any]:
        """A message as im-v1/message/get answers it: mentions carry a plain open_id there."""
        millis = str(int(time.time() * 1000))
        by_bot = said.sender == self.app_id
        data: dict[str, Any] = {
            "message_id": said.message_id,
            "msg_type": said.msg_type,
            "create_time": millis,
            "update_time": millis,
            "deleted": False,
            "updated": False,
            "chat_id": said.chat_id,
            "sender": {
                "id": said.sender,
                "id_type": "app_id" if by_bot else "open_id",
                "sender_type": "app" if by_bot else "user",
                "tenant_key": TENANT_KEY,
            },
            "body": {"content": json.dumps(said.content, ensure_ascii=False)},
            "mentions": [
                {
                    "key": m.key,
                    "id": m.open_id,
                    "id_type": "open_id",
                    "name": m.name,
                    "tenant_key": TENANT_KEY,
                }
                for m in said.mentions
            ],
        }
        for name in ("root_id", "parent_id", "thread_id"):
            if getattr(said, name) is not None:
                data[name] = getattr(said, name)
        return data

    async def _ws_endpoint(self, request: web.Request) -> web.Response:
        """lark.ws.Client's handshake; it takes any non-zero code other than 1 and 1000040343
        as fatal. Feishu's code for wrong credentials here is not verified."""
        body = request.get(_BODY)
        if not isinstance(body, dict) or body.get("AppID") != self.app_id:
            raise _Refused(200, APP_INVALID)
        if body.get("AppSecret") != self.app_secret:
            raise _Refused(200, SECRET_INVALID)
        ticket = secrets.token_hex(16)
        self._tickets.add(ticket)
        query = {
            "device_id": str(random.randrange(10**18)),
            "service_id": str(random.randrange(10**6, 10**8)),
            "access_key": secrets.token_hex(16),
            "ticket": ticket,
        }
        url = f"ws://127.0.0.1:{self._port}/ws?{urlencode(query)}"
        return self._ok(request, {"URL": url, "ClientConfig": self._client_config})

    async def _ws(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("ticket") not in self._tickets:
            headers = {"handshake-status": "403", "handshake-msg": "invalid ticket"}
            return web.Response(status=403, headers=headers)
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        connection = _Connection(socket, int(request.query["service_id"]))
        self._connections.append(connection)
        try:
            async for message in socket:
                if message.type == WSMsgType.BINARY:
                    await self._on_frame(connection, message.data)
        finally:
            self._connections.remove(connection)
        return socket

    async def _on_frame(self, connection: _Connection, data: bytes) -> None:
        frame = Frame()
        frame.ParseFromString(data)
        headers = {h.key: h.value for h in frame.headers}
        if frame.method == FRAME_CONTROL and headers.get("type") == "ping":
            self.pings += 1
            pong = _frame(FRAME_CONTROL, connection.service_id, {"type": "pong"}, b"")
            await connection.socket.send_bytes(pong)
        elif frame.method == FRAME_DATA:
            reply = self._replies.get(headers.get("message_id", ""))
            if reply is not None and not reply.done():
                reply.set_result(frame)

    async def _not_found(self, request: web.Request) -> web.Response:
        """Feishu answers an unknown path or method in plain text, not with a JSON code."""
        return web.Response(status=404, text="404 page not found")


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def _refusal(refused: _Refused) -> web.Response:
    if refused.html:
        page = f"<html><body><h1>{refused.status}</h1></body></html>"
        return web.Response(status=refused.status, text=page, content_type="text/html")
    message = MESSAGES.get(refused.code, "error")
    if refused.detail:
        message = f"{message.rstrip('.')}, ext={refused.detail}"
    log_id = _log_id()
    body = {
        "code": refused.code,
        "msg": refused.message or message,
        "error": {**refused.error, "log_id": log_id, "troubleshooter": ""},
    }
    headers = {"X-Tt-Logid": log_id, **refused.headers}
    return web.json_response(body, status=refused.status, headers=headers)


def _log_id() -> str:
    return time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(8).upper()


def _rate_headers(limit: int, wait: float, code: int) -> dict[str, str]:
    """Only the gateway's 99991400 says when to come back; seconds, rounded up."""
    if code != RATE_LIMITED:
        return {}
    return {"x-ogw-ratelimit-limit": str(limit), "x-ogw-ratelimit-reset": str(math.ceil(wait))}


def _text_content(content: Any) -> str:
    """The text of a text message's `content`: JSON `{"text": "…"}` in a string."""
    try:
        parsed = json.loads(content) if isinstance(content, str) else None
    except ValueError:
        parsed = None
    if (
        not isinstance(parsed, dict)
        or not isinstance(parsed.get("text"), str)
        or not parsed["text"]
    ):
        raise _Refused(400, INVALID_PARAM, "invalid content")
    return str(parsed["text"])


def _missing(app_id: str, scopes: set[str] | frozenset[str]) -> _Refused:
    """99991672 as Feishu words it: any one of `scopes` would do."""
    names = sorted(scopes)
    listed = "[" + ", ".join(names) + "]"
    link = f"https://open.feishu.cn/app/{app_id}/auth?q={','.join(names)}"
    message = (
        f"Access denied. One of the following scopes is required: {listed}."
        f"应用尚未开通所需的应用身份权限：{listed}，点击链接申请并开通任一权限即可："
        f"{link}&op_from=openapi&token_type=tenant"
    )
    violations = [{"type": "action_scope_required", "subject": name} for name in names]
    return _Refused(
        400, MISSING_SCOPE, message=message, error={"permission_violations": violations}
    )


def _root_of(parent: "Said | Message | None") -> str | None:
    """A reply's root: its parent's root, or the parent itself (a card is never a reply)."""
    if isinstance(parent, Said) and parent.root_id is not None:
        return parent.root_id
    return parent.message_id if parent is not None else None


def _thread_of(parent: "Said | Message | None", in_thread: bool) -> str | None:
    """A reply joins its parent's thread, or opens one (`omt_…`) when asked to."""
    if parent is not None and parent.thread_id is not None:
        return parent.thread_id
    return "omt_" + uuid.uuid4().hex[:16] if parent is not None and in_thread else None


def _image_type(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"


def _shared(card: dict[str, Any]) -> bool:
    config = card.get("config")
    return isinstance(config, dict) and config.get("update_multi") is True


def _image_keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("tag") == "img" and isinstance(node.get("img_key"), str):
            yield node["img_key"]
        for value in node.values():
            yield from _image_keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _image_keys(value)


def _frame(method: int, service: int, headers: Mapping[str, str], payload: bytes) -> bytes:
    """A pbbp2 frame as lark.ws.Client reads it; SeqID, LogID, service and method are
    required fields of the proto2 schema."""
    frame = Frame()
    frame.SeqID = 0
    frame.LogID = 0
    frame.service = service
    frame.method = method
    for key, value in headers.items():
        header = frame.headers.add()
        header.key = key
        header.value = value
    frame.payload = payload
    serialized: bytes = frame.SerializeToString()
    return serialized
