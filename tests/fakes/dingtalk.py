"""A local stand-in for DingTalk's OpenAPI (api.dingtalk.com) and Stream gateway, as strict
as DingTalk.

A client tested against it should meet, before production does, what DingTalk refuses: an
unknown or unpublished card template, a reused outTrackId (the card made, and perhaps shown
nowhere until delivered), a card parameter that is not a string, is over 1 KB or does not fit
its template variable's type, a group the robot is not in (reported per space inside a 200),
a group message to a one-to-one chat, the 21st call to one API within a second, the monthly
quota of a standard-edition organisation (counted as DingTalk counts), a missing or dead
access token, and a Stream connection that goes quiet, says `disconnect` or drops. Answers
keep DingTalk's HTTP statuses, v1.0 error bodies and codes as documented
(../shared/platforms/dingtalk.md, the API pages at open.dingtalk.com, the Stream protocol in
open-dingtalk/developerpedia docs/learn/stream/protocol.md, dingtalk-stream 0.24.3) or as
observed and published by others. Where DingTalk documents no answer, the choice is marked
"not verified" next to it.
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
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, Final, Self

from aiohttp import WSMessage, WSMsgType, web

from tests.fakes.window import Window

APP_KEY: Final = "dingfk3x9aq7bwcv2m4z"
APP_SECRET: Final = "fake-app-secret-0123456789abcdefghijklmnopqrstuvwxyzABCDEF"
ROBOT_CODE: Final = APP_KEY
"""An enterprise-internal app's robot sends with the app's AppKey as robotCode."""
CORP_ID: Final = "dingfake5c3e1b0a9d8f7e6d"
APP_ID: Final = "1305d5f5-6a2b-484f-9c1d-97d9a0b1ef67"
"""The unified app id DingTalk puts in every Stream frame's `appId` header."""

TOKEN_PATH: Final = "/v1.0/oauth2/accessToken"
CREATE_AND_DELIVER_PATH: Final = "/v1.0/card/instances/createAndDeliver"
CARD_INSTANCES_PATH: Final = "/v1.0/card/instances"
DELIVER_PATH: Final = "/v1.0/card/instances/deliver"
"""投放卡片 (https://open.dingtalk.com/document/development/delivery-card-interface): puts a card
made before into spaces it was made for ("若需要被投放的卡片实例不支持该场域，需要先调用appendSpace
接口增加该场域"), `outTrackId`, `openSpaceId` and a deliver model per space type as in
createAndDeliver; answers `{"success": true, "result": [{spaceType, spaceId, success,
carrierId, errorMsg}]}`: the results are the `result` list itself, not a `deliverResults`
inside it."""
GROUP_SEND_PATH: Final = "/v1.0/robot/groupMessages/send"
ONE_TO_ONE_PATH: Final = "/v1.0/robot/oToMessages/batchSend"
"""机器人批量发送人与机器人会话中机器人消息 (batchSendOTO): `robotCode`, `userIds` (at most
20), `msgKey`, `msgParam`; answers `processQueryKey`, with `invalidStaffIdList` for userIds
the robot cannot reach and `flowControlledStaffIdList` for those it may not message now."""
ONE_TO_ONE_MAX_USERS: Final = 20
REGISTER_CALLBACK_PATH: Final = "/v1.0/card/callbacks/register"
GATEWAY_OPEN_PATH: Final = "/v1.0/gateway/connections/open"
STREAM_PATH: Final = "/connect"
TOKEN_HEADER: Final = "x-acs-dingtalk-access-token"
CARD_CALLBACK_TOPIC: Final = "/v1.0/card/instances/callback"
BOT_MESSAGE_TOPIC: Final = "/v1.0/im/bot/messages/get"

# v1.0 error codes. Observed on the live API (a published probe log, 2026-09): the three
# token ones and AUTH_FAILED (dingtalk-stream users' logs).
INVALID_CLIENT: Final = "invalidClientIdOrSecret"
TOKEN_MISSING: Final = "AuthenticationFailed.MissingParameter"
TOKEN_INVALID: Final = "InvalidAuthentication"
AUTH_FAILED: Final = "authFailed"
# The throttling page ("如何处理钉钉服务端API限流") names these; their HTTP status is 403 in
# every client log found for the QPS one and not verified for the monthly one.
QPS_LIMITED: Final = "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"
QPS_LIMITED_GLOBALLY: Final = "Forbidden.AccessDenied.QpsLimitForApi"
"""调用频次与限流, https://open.dingtalk.com/document/development/how-to-process-api-throttling-on-the-dingtalk-server
(接口的全局维度QPS限流): "当钉钉所有企业的所有应用调用同一个接口超过最高频率时，将会触发限流 …
新版服务端api返回错误码Forbidden.AccessDenied.QpsLimitForApi"; "因为qps限流限制时间是1秒，所以当遇到
限流错误时，可以在程序中sleep 1秒，然后继续执行". Every customer of DingTalk makes it, so the fake
answers it only when told (`fail_next(code=QPS_LIMITED_GLOBALLY)`), with the 403 of the per-app
one (its status is not verified)."""
MONTHLY_LIMITED: Final = "Forbidden.AccessDenied.ApiCountLimitForOrg"
# The card API pages' tables (createAndDeliver, PUT instances, callbacks/register).
PARAM_EMPTY: Final = "param.empty"
OUT_TRACK_ID_EMPTY: Final = "param.outTrackIdEmpty"
OPEN_SPACE_ID_EMPTY: Final = "param.openSpaceIdEmpty"
OPEN_SPACE_ID_INVALID: Final = "param.openSpaceIdInvalid"
DELIVER_MODEL_EMPTY: Final = "param.openDeliverModelEmpty"
DELIVER_MODEL_ERROR: Final = "param.openDeliverModelError"
SPACE_MODEL_INVALID: Final = "param.openSpaceModelInvalid"
TEMPLATE_ID_EMPTY: Final = "param.cardTemplateIdEmpty"
TEMPLATE_NOT_EXIST: Final = "param.templateNotExist"
TEMPLATE_UNPUBLISHED: Final = "param.templateUnpublished"
CARD_DATA_EMPTY: Final = "param.cardPublicDataEmpty"
CARD_ALREADY_EXIST: Final = "param.cardAlreadyExist"
CARD_NOT_EXIST: Final = "param.cardNotExist"
BOTH_DATA_EMPTY: Final = "param.cardDataAndPrivateDataBothEmpty"
PARAM_INVALID: Final = "param.invalid"
ROUTE_KEY_EMPTY: Final = "param.callbackRouteKeyEmpty"
CALLBACK_URL_EMPTY: Final = "param.callbackUrlEmpty"
ROUTE_KEY_EXIST: Final = "param.callbackRouteKeyExist"
SYSTEM_BUSY: Final = "system.busy"
# The robot group-send page's table, as DingTalk's own community answers quote it.
ROBOT_CODE_EMPTY: Final = "invalidParameter.robotCode.empty"
ROBOT_CODE_AUTH: Final = "invalidParameter.robotCode.auth"
MSG_KEY_EMPTY: Final = "invalidParameter.msgKey.empty"
MSG_KEY_INVALID: Final = "invalidParameter.msgKey.invalid"
MSG_PARAM_INVALID: Final = "invalidParameter.msgParam.invalid"
MSG_PARAM_TOO_LONG: Final = "invalidParameter.msgParam.tooLong"
CONVERSATION_MISSING: Final = "miss.openConversationId"
CONVERSATION_INVALID: Final = "invalid.openConversationId"
# Not verified: what the gateway answers for a malformed subscription list or an unknown path.
GATEWAY_PARAM_INVALID: Final = "invalidParameter"
NOT_FOUND: Final = "InvalidAction.NotFound"

MESSAGES: Final = {
    INVALID_CLIENT: "无效的clientId或者clientSecret",
    TOKEN_MISSING: "缺少参数：x-acs-dingtalk-access-token",
    TOKEN_INVALID: "不合法的access_token",
    AUTH_FAILED: "鉴权失败",
    QPS_LIMITED: "当前应用调用该接口的频率超过限制",  # wording not verified
    QPS_LIMITED_GLOBALLY: "当前接口调用频率超过限制",  # wording not verified
    MONTHLY_LIMITED: "组织本月的接口调用次数已达上限",  # wording not verified
    SYSTEM_BUSY: "system.busy",
    ROBOT_CODE_EMPTY: "机器人robotCode为空",
    ROBOT_CODE_AUTH: "此应用appkey和机器人robotCode不匹配",
    MSG_KEY_EMPTY: "缺少msgKey",
    MSG_KEY_INVALID: "msgKey不合法",  # wording not verified
    MSG_PARAM_INVALID: "msgParam不合法",  # wording not verified
    MSG_PARAM_TOO_LONG: "msgParam超长",  # wording not verified
    CONVERSATION_MISSING: "缺少openConversationId",  # wording not verified
    CONVERSATION_INVALID: "openConversationId不合法",  # wording not verified
    GATEWAY_PARAM_INVALID: "参数错误",  # not verified
    NOT_FOUND: "Specified api is not found, please check your url and method.",  # not verified
}
"""The card API's tables give each code as its own message; the rest are listed here."""

TOKEN_LIFETIME_S: Final = 7200
QPS_PER_API: Final = 20
"""Standard edition; professional is 40 and exclusive 60 (DingTalk developer-community answer)."""
PARAM_KEY_MAX_BYTES: Final = 100
PARAM_VALUE_MAX_BYTES: Final = 1024
""""1KB": read as 1024 bytes of UTF-8, as the brief asks (the docs do not say which KB)."""
MSG_PARAM_MAX_BYTES: Final = 15_000
TICKET_TTL_S: Final = 90
"""A Stream ticket is good for one connection within 90 seconds (protocol.md)."""
CLICK_TIMEOUT_S: Final = 2.0
NO_UPDATE_DURING_CALLBACK: Final = "updated during its click's callback"
"""The card callback page (事件回调, https://open.dingtalk.com/document/development/event-callback-card,
注意事项) says: "事件回调有超时（TIMEOUT）限制，请在 2 秒内完成业务处理并响应。…请勿在回调过程中，
调用更新接口。" What DingTalk does with such a PUT is not verified: the fake applies it, but
records it with this detail and in `FakeDingTalk.updates_during_callbacks`, which the
company's tests hold to empty."""
DISCONNECT_GRACE_S: Final = 10.0
"""After `disconnect`, DingTalk closes the TCP connection itself after 10 s of silence
(protocol.md: "客户端不需要对此推送信息做任何响应， 服务端在静默10s之后会主动断开 tcp 连接").
Until then the connection is still open and acks on it still count; what DingTalk pushes
meanwhile goes to the client's other connections (that it pushes nothing more on one it
asked to leave is not verified)."""
SPACE_TYPES: Final = ("IM_GROUP", "IM_ROBOT")
"""Of the documented IM_GROUP, IM_SINGLE, IM_ROBOT and ONE_BOX, the ones the fake models."""
MSG_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "sampleText": ("content",),
    "sampleMarkdown": ("title", "text"),
    "sampleLink": ("text", "title", "picUrl", "messageUrl"),
    "sampleImageMsg": ("photoURL",),
    "sampleActionCard": ("title", "text", "singleTitle", "singleURL"),
    "sampleActionCard2": ("title", "text", "actionTitle1", "actionURL1"),
    "sampleActionCard3": ("title", "text", "actionTitle1", "actionURL1"),
    "sampleActionCard4": ("title", "text", "actionTitle1", "actionURL1"),
    "sampleActionCard5": ("title", "text", "actionTitle1", "actionURL1"),
    "sampleActionCard6": ("title", "text", "buttonTitle1", "buttonUrl1"),
}
"""Robot message types and the msgParam fields each needs. Which code DingTalk answers for a
missing field is not verified (the fake answers invalidParameter.msgParam.invalid)."""
BILLED_PATHS: Final = (
    CREATE_AND_DELIVER_PATH,
    CARD_INSTANCES_PATH,
    DELIVER_PATH,
    GROUP_SEND_PATH,
    ONE_TO_ONE_PATH,
    REGISTER_CALLBACK_PATH,
)
"""What counts against the monthly quota. 计费模型说明
(https://open.dingtalk.com/document/development/dingtalk-application-development-platform-billing-model),
计量规则: "因为单应用调用QPS限流、API全局QPS限流、网络不可达等原因导致的失败调用，
不会被统计到调用次数中";
token fetches are on 不纳入调用量限制的接口清单
(https://open.dingtalk.com/document/development/basic-interfaces-such-as-log-off-and-address-book).
So a refusal for speed and a fault the fake was told to make (`fail_next`, `outage`: DingTalk
failing, not serving) count nothing. Not verified: whether opening a Stream connection counts
(it does not here), and whether a call the API then refuses for its content counts (it does
here, once past the token and QPS gates)."""
STANDARD_MONTHLY_QUOTA: Final = 5000
"""计费模型说明: the standard edition's "API接口调用量" is "10000次/自然月" before 2025-11-19 and
"5000 次/自然月" from that day (含当日); "Webhook&Stream调用量" (events and robot messages
pushed to the app) went from 5,000 to 3,000, which the fake does not count."""
BAN_PAGE: Final = {"status": 1111, "wait": 5, "source": "x5", "punish": "deny"}
"""The per-IP ban answers an HTML page carrying this (throttling page, "IP维度频次限流")."""
IP_CALLS: Final = 10_000
IP_WINDOW_S: Final = 20.0
IP_BAN_S: Final = 300.0
"""The per-IP limit of api.dingtalk.com, over every API together. DingTalk's page on call
frequency limits (调用频率限制, https://developers.dingtalk.com/document/app/invocation-frequency-limit;
in English https://help.dingtalk.io/open/development/call-frequency-limit, "IP dimension")
says: "每个IP调用所有接口总量，最高20秒10000次。触发限流，会禁止调用5分钟。限流不会返回对应的
错误码，返回的是一个html页面，需要开发者自行处理", with `BAN_PAGE` as its example. The HTTP
status of that page is not verified (403 here), nor whether calls refused during the ban
count (they do not here)."""
IP_BANNED: Final = "fake.ipBanned"
"""Recorded for a call refused by the per-IP ban; DingTalk sends no code, only the page."""
_BODY: Final = web.RequestKey("fake_body", object)
_CODE: Final = web.RequestKey("fake_code", str)
_DETAIL: Final = web.RequestKey("fake_detail", str)


@dataclass(frozen=True)
class Call:
    """One request the fake answered, with the answer's HTTP status and DingTalk code
    (None on success) and, for refusals, the fake's reason (`detail`, never sent)."""

    method: str
    path: str
    body: Any
    status: int
    code: str | None
    at: float
    detail: str = ""


@dataclass(frozen=True)
class DeliverResult:
    space_type: str
    space_id: str
    success: bool
    carrier_id: str | None
    error_msg: str | None

    def to_json(self) -> dict[str, Any]:
        """Carries `carrierId` only on success and `errorMsg` only on failure, so a client
        cannot lean on both being there (which keys DingTalk omits is not verified)."""
        answer: dict[str, Any] = {
            "spaceType": self.space_type,
            "spaceId": self.space_id,
            "success": self.success,
        }
        if self.carrier_id is not None:
            answer["carrierId"] = self.carrier_id
        if self.error_msg is not None:
            answer["errorMsg"] = self.error_msg
        return answer


@dataclass
class CardInstance:
    """A card DingTalk created; `revisions` holds every public param map, the shown one last,
    whether it came from PUT /v1.0/card/instances or from a click's ack."""

    out_track_id: str
    template_id: str
    spaces: list[tuple[str, str]]
    deliver_results: list[DeliverResult]
    revisions: list[dict[str, str]]
    callback_type: str | None
    callback_route_key: str | None
    at_user_ids: dict[str, str]
    recipients: list[str] | None
    user_id_type: int
    private_data: dict[str, dict[str, str]]
    created_at: float
    """On the fake's clock."""

    @property
    def param_map(self) -> dict[str, str]:
        return self.revisions[-1]

    def shown_in(self, space_id: str) -> bool:
        """Whether the card's last delivery to this space succeeded: made and never delivered
        (the robot not in the group then), it shows nowhere until POST /deliver puts it there."""
        return any(r.space_id == space_id and r.success for r in self.deliver_results)


@dataclass(frozen=True)
class GroupMessage:
    open_conversation_id: str
    msg_key: str
    msg_param: dict[str, Any]
    process_query_key: str
    at: float


@dataclass(frozen=True)
class OneToOneMessage:
    """A robot message in a person's one-to-one chat with the robot."""

    user_id: str
    msg_key: str
    msg_param: dict[str, Any]
    process_query_key: str
    at: float


@dataclass(frozen=True)
class CallbackRoute:
    route_key: str
    callback_url: str
    api_secret: str | None


@dataclass(frozen=True)
class Ack:
    """A Stream client's answer to one pushed frame. `data` is its `data` string parsed;
    `late` says it came after the 2 s a click waits (on the fake's clock), and `applied` that
    the fake showed a click's `response` on the card, as DingTalk would."""

    code: int
    message: str
    data: Any
    headers: Mapping[str, str]
    connection_id: str
    elapsed: float
    late: bool = False
    applied: bool = False


@dataclass
class StreamConnection:
    """One Stream WebSocket as DingTalk saw it. `closed_by` is "client", "server" (after
    `disconnect` or on close), "dropped" (cut without a close frame) or None while open;
    `unsolicited` keeps frames that answered nothing the fake asked. `told_to_leave_at` and
    `closed_at` are on the fake's clock."""

    connection_id: str
    subscriptions: list[dict[str, str]]
    ua: str | None
    local_ip: str | None
    opened_at: float
    ws_pings: int = 0
    unsolicited: list[Any] = field(default_factory=list)
    closed_by: str | None = None
    told_to_leave_at: float | None = None
    closed_at: float | None = None

    def subscribes(self, topic: str) -> bool:
        return any(s["type"] == "CALLBACK" and s["topic"] == topic for s in self.subscriptions)


class StreamProtocolError(Exception):
    """A Stream client answered outside the protocol (protocol.md); `frame` is what it sent."""

    def __init__(self, problem: str, frame: Any = None) -> None:
        super().__init__(problem)
        self.frame = frame


VARIABLE_TYPES: Final = ("string", "number", "boolean", "object", "array")
"""The card platform's variable types. API 卡片数据的填写说明
(https://open.dingtalk.com/document/development/instructions-for-filling-in-api-card-data):
"三个接口都是使用 `Map<String, String>` 来传递卡片数据的"; a Number or Boolean goes as its text
("1", "true"), "对象类型，需要将对象转成 JSONString", "数组类型，需要将数组转成 JSONString". What
the card shows for a value that is not of its variable's type is not verified (an array
variable with "" or plain text can show nothing): the fake refuses it (param.invalid), so that
a test sees the mistake."""


def _fits(kind: str, value: str) -> bool:
    if kind == "string":
        return True
    try:
        parsed = json.loads(value)
    except ValueError:
        return False
    if kind == "number":
        return isinstance(parsed, int | float) and not isinstance(parsed, bool)
    return isinstance(parsed, {"boolean": bool, "object": dict, "array": list}[kind])


@dataclass
class _Template:
    variables: Mapping[str, str] | None
    """name → type (VARIABLE_TYPES)"""
    published: bool


@dataclass
class _Group:
    name: str
    robot_member: bool


@dataclass
class _Ticket:
    issued_at: float
    subscriptions: list[dict[str, str]]
    ua: str | None
    local_ip: str | None


@dataclass
class _Connection:
    info: StreamConnection
    socket: web.WebSocketResponse
    request: web.Request
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class _Faults:
    failures: list[tuple[int, str]] = field(default_factory=list)
    outage_until: float = -math.inf
    outage_status: int = 500
    outage_html: bool = False
    delay: float = 0.0


class _Refused(Exception):
    """Ends a request with DingTalk's error answer; raised anywhere inside a handler."""

    def __init__(self, status: int, code: str, detail: str = "", *, html: bool = False) -> None:
        super().__init__(f"{code} {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.html = html


class FakeDingTalk:
    """api.dingtalk.com on 127.0.0.1 (random port), plus the Stream gateway's WebSocket."""

    def __init__(
        self,
        *,
        app_key: str = APP_KEY,
        app_secret: str = APP_SECRET,
        monthly_quota: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        ip_calls: int = IP_CALLS,
    ) -> None:
        """`monthly_quota` models an organisation's API calls a month (a standard-edition
        one has STANDARD_MONTHLY_QUOTA); None means unlimited. `clock` drives every limit
        and expiry (token, ticket, QPS, the 2 s click window, the per-IP ban), so a test can
        move time by hand. `ip_calls` is the per-IP limit within 20 s, lowered by a test
        that would rather not make 10,000."""
        self.app_key = app_key
        self.app_secret = app_secret
        self.robot_code = app_key
        self.monthly_quota = monthly_quota
        self.requests: list[Call] = []
        self.cards: dict[str, CardInstance] = {}
        self.callback_routes: dict[str, CallbackRoute] = {}
        self.stream_connections: list[StreamConnection] = []
        self.acks: list[Ack] = []
        self.updates_during_callbacks: list[Call] = []
        self._calling_back: Counter[str] = Counter()
        self._clock = clock
        self._faults = _Faults()
        self._templates: dict[str, _Template] = {}
        self._groups: dict[str, _Group] = {}
        self._users: dict[str, str] = {}
        self._single_chats: dict[str, str] = {}
        self._messages: list[GroupMessage] = []
        self._one_to_one: list[OneToOneMessage] = []
        self._tokens: dict[str, float] = {}
        self._current_token: str | None = None
        self._qps = Window(QPS_PER_API, 1.0)
        self._per_ip = Window(ip_calls, IP_WINDOW_S)
        self._banned: dict[str, float] = {}
        self._month_calls = 0
        self._tickets: dict[str, _Ticket] = {}
        self._open: dict[str, _Connection] = {}
        self._waiting: dict[str, asyncio.Future[Any]] = {}
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._stalling = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0

    # Life cycle

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_post(TOKEN_PATH, self._token)
        app.router.add_post(CREATE_AND_DELIVER_PATH, self._create_and_deliver)
        app.router.add_put(CARD_INSTANCES_PATH, self._update_card)
        app.router.add_post(DELIVER_PATH, self._deliver_card)
        app.router.add_post(GROUP_SEND_PATH, self._group_send)
        app.router.add_post(ONE_TO_ONE_PATH, self._one_to_one_send)
        app.router.add_post(REGISTER_CALLBACK_PATH, self._register_callback)
        app.router.add_post(GATEWAY_OPEN_PATH, self._gateway_open)
        app.router.add_get(STREAM_PATH, self._stream)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        self._closing.set()
        self.stall(False)
        for connection in list(self._open.values()):
            if connection.info.closed_by is None:
                connection.info.closed_by = "server"
            with suppress(TimeoutError):
                await asyncio.wait_for(connection.socket.close(), 1.0)
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
        """Stands for https://api.dingtalk.com; plain http on 127.0.0.1."""
        return f"http://127.0.0.1:{self._port}"

    # The organisation, as a test sets it up

    def add_template(
        self,
        template_id: str,
        variables: Mapping[str, str] | None = None,
        *,
        published: bool = True,
    ) -> None:
        """A card template made in the card platform, with its variables' names and types
        (VARIABLE_TYPES). A cardParamMap key outside them is refused: stricter than DingTalk,
        which is not verified to check; so is a value that does not fit its type."""
        if variables is not None and not set(variables.values()) <= set(VARIABLE_TYPES):
            raise ValueError(f"variable types are {VARIABLE_TYPES}: {variables}")
        self._templates[template_id] = _Template(variables, published)

    def add_group(
        self, open_conversation_id: str, *, robot_member: bool = True, name: str | None = None
    ) -> None:
        self._groups[open_conversation_id] = _Group(name or open_conversation_id, robot_member)

    def add_user(self, user_id: str, name: str | None = None) -> None:
        """A member of the organisation the robot can reach in a 1:1 chat (IM_ROBOT)."""
        self._users[user_id] = name or user_id

    def conversation_with(self, user_id: str) -> str:
        """The conversationId of a person's one-to-one chat with the robot, as its robot
        messages carry it (with conversationType "1"). It looks like a group's (`cid…`; the
        protocol.md sample of a one-to-one message has one), but it is no group: see
        `_group_send`."""
        digest = hashlib.sha256(user_id.encode()).digest()[:16]
        conversation = "cid" + base64.b64encode(digest).decode()
        self._single_chats[conversation] = user_id
        return conversation

    def revoke_tokens(self) -> None:
        """Every access token stops working, as when DingTalk expires one early."""
        self._tokens.clear()
        self._current_token = None

    def reset_month(self) -> None:
        self._month_calls = 0

    # Faults

    def fail_next(self, n: int, *, status: int = 403, code: str = QPS_LIMITED) -> None:
        """Refuse the next `n` calls (not token fetches) with `status` and `code`."""
        self._faults.failures.extend([(status, code)] * n)

    def outage(self, seconds: float, *, status: int = 500, html: bool = False) -> None:
        """Answer everything, token fetches and Stream handshakes included, with `status` for
        `seconds`: a v1.0 error body, or with `html` the page of the per-IP ban."""
        self._faults.outage_until = self._clock() + seconds
        self._faults.outage_status = status
        self._faults.outage_html = html

    def slow(self, seconds: float) -> None:
        """Hold every answer (not token fetches) `seconds` after doing the work, so a client
        that times out has still created its card; `slow(0)` ends it."""
        self._faults.delay = seconds

    def stall(self, on: bool = True) -> None:
        """Half-open Stream connections: the sockets stay up, but the fake stops reading them,
        so acks, echoes and WebSocket pings get no answer (aiohttp answers a ping only when
        the server reads), and it pushes nothing. New connections still open, and stall too."""
        if on:
            self._flowing.clear()
            self._stalling.set()
        else:
            self._stalling.clear()
            self._flowing.set()

    # Observations

    @property
    def token_fetches(self) -> int:
        return sum(1 for call in self.requests if call.path == TOKEN_PATH)

    @property
    def calls_this_month(self) -> int:
        return self._month_calls

    @property
    def connections(self) -> int:
        """Stream connections the fake believes open (a stalled one still counts)."""
        return len(self._open)

    def group_messages(self, open_conversation_id: str) -> list[GroupMessage]:
        return [m for m in self._messages if m.open_conversation_id == open_conversation_id]

    def one_to_one_messages(self, user_id: str) -> list[OneToOneMessage]:
        return [m for m in self._one_to_one if m.user_id == user_id]

    def max_per_second(self, path: str) -> int:
        """The most calls to one API DingTalk accepted within any one second."""
        return self._qps.busiest(path)

    # The Stream gateway

    async def push_callback(
        self,
        topic: str,
        data: Mapping[str, Any],
        *,
        timeout: float = 5.0,
        message_id: str | None = None,
    ) -> Ack:
        """Deliver a CALLBACK frame to one open connection that subscribed to `topic` (at
        random, as DingTalk picks among a client's connections) and wait for its ack. Reuse a
        `message_id` to redeliver, as DingTalk does when an ack is slow. An ack to a card
        click within 2 s has its `response` applied to the card."""
        candidates = [
            c
            for c in self._open.values()
            if c.info.subscribes(topic) and c.info.told_to_leave_at is None
        ]
        if not candidates:
            raise RuntimeError(f"no open Stream connection subscribed to {topic}")
        connection = random.choice(candidates)
        message_id = message_id or _message_id()
        frame = {
            "specVersion": "1.0",
            "type": "CALLBACK",
            "headers": {
                "appId": APP_ID,
                "connectionId": connection.info.connection_id,
                "contentType": "application/json",
                "messageId": message_id,
                "time": _millis(),
                "topic": topic,
            },
            "data": json.dumps(data, ensure_ascii=False),
        }
        started = self._clock()
        with self._callback(data if topic == CARD_CALLBACK_TOPIC else None):
            raw = await self._exchange(connection, frame, timeout)
        ack = _ack(raw, connection.info.connection_id, self._clock() - started)
        if topic == CARD_CALLBACK_TOPIC:
            late = ack.elapsed > CLICK_TIMEOUT_S
            response = ack.data.get("response") if isinstance(ack.data, dict) else None
            applied = not late and ack.code == 200 and self.apply_answer(data, response)
            ack = replace(ack, late=late, applied=applied)
        self.acks.append(ack)
        return ack

    async def http_callback(
        self, click: Mapping[str, Any], send: Callable[[], Awaitable[tuple[int, Any]]]
    ) -> tuple[int, Any]:
        """DingTalk's side of an HTTP card callback: `send` posts `click` to the app and
        returns its status and body; a 200's body is shown on the card (`apply_answer`).
        Until it returns, the card is in its callback (`NO_UPDATE_DURING_CALLBACK`)."""
        with self._callback(click):
            status, answer = await send()
        if status == 200:
            self.apply_answer(click, answer)
        return status, answer

    @contextmanager
    def _callback(self, click: Mapping[str, Any] | None) -> Iterator[None]:
        """The card `click` names is in its callback while the block runs."""
        card = str(click.get("outTrackId")) if click is not None else None
        if card is not None:
            self._calling_back[card] += 1
        try:
            yield
        finally:
            if card is not None:
                self._calling_back[card] -= 1

    async def ping(self, *, timeout: float = 5.0) -> list[Ack]:
        """Send DingTalk's SYSTEM `ping` to every open connection; each must echo the ping's
        `opaque` in its ack's data (protocol.md), else StreamProtocolError."""
        acks = []
        for connection in list(self._open.values()):
            opaque = str(uuid.uuid4())
            frame = _system_frame("ping", {"opaque": opaque})
            raw = await self._exchange(connection, frame, timeout)
            ack = _ack(raw, connection.info.connection_id, 0.0)
            if not isinstance(ack.data, dict) or ack.data.get("opaque") != opaque:
                raise StreamProtocolError("the ping's opaque was not echoed", raw)
            acks.append(ack)
        return acks

    async def disconnect_all(
        self, *, reason: str = "connection is expired", grace: float = DISCONNECT_GRACE_S
    ) -> int:
        """Send DingTalk's SYSTEM `disconnect` (which wants no answer) to every open
        connection, give each `grace` seconds of real time to close itself, then close the
        rest. Meanwhile each is still read, so acks on it still count, and callbacks go to
        connections not asked to leave. Returns how many clients closed on their own."""
        connections = list(self._open.values())
        frame = _system_frame("disconnect", {"reason": reason})
        del frame["headers"]["messageId"]  # protocol.md's example has none: no answer is due
        for connection in connections:
            connection.info.told_to_leave_at = self._clock()
            if self._flowing.is_set():
                with suppress(ConnectionError):
                    await connection.socket.send_str(json.dumps(frame))
        if connections:
            waits = [asyncio.ensure_future(c.finished.wait()) for c in connections]
            _, pending = await asyncio.wait(waits, timeout=grace)
            for wait in pending:
                wait.cancel()
        by_client = 0
        for connection in connections:
            if connection.finished.is_set():
                by_client += connection.info.closed_by == "client"
                continue
            connection.info.closed_by = "server"
            with suppress(TimeoutError):
                await asyncio.wait_for(connection.socket.close(), 1.0)
        return by_client

    async def drop_connections(self) -> None:
        """Cut every Stream connection without a close frame, as a network failure does."""
        for connection in list(self._open.values()):
            connection.info.closed_by = "dropped"
            connection.ended.set()
            transport = connection.request.transport
            if transport is not None:
                transport.abort()

    async def _exchange(
        self, connection: _Connection, frame: Mapping[str, Any], timeout: float
    ) -> Any:
        """Send a frame and wait for the answer with its messageId. While stalled nothing is
        sent: a half-open connection delivers nothing, so the wait just times out."""
        message_id = str(frame["headers"]["messageId"])
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[message_id] = answer
        try:
            if self._flowing.is_set():
                await connection.socket.send_str(json.dumps(frame, ensure_ascii=False))
            return await asyncio.wait_for(answer, timeout)
        finally:
            self._waiting.pop(message_id, None)

    def apply_answer(self, click: Mapping[str, Any], response: Any) -> bool:
        """Show a click's answer as DingTalk would: cardData on the card (merged by key
        with updateCardDataByKey, else replacing, as PUT does; the same rule for the answer
        is not verified) and userPrivateData for the clicking user. A Stream ack's
        `response` is shown by `push_callback`; a test posting an HTTP callback calls this
        with our answer's body, as DingTalk's side of that exchange (that DingTalk applies
        an HTTP answer as it does an ack is not verified). Returns whether it was shown."""
        card = self.cards.get(str(click.get("outTrackId")))
        if card is None or not isinstance(response, dict):
            return False
        options = response.get("cardUpdateOptions")
        by_key = isinstance(options, dict) and options.get("updateCardDataByKey") is True
        card_data = response.get("cardData")
        if isinstance(card_data, dict) and "cardParamMap" in card_data:
            try:
                update = self._param_map(card_data["cardParamMap"], None)
            except _Refused as refused:
                detail = f"answer cardParamMap: {refused.detail}"
                raise StreamProtocolError(detail, response) from None
            card.revisions.append({**card.param_map, **update} if by_key else update)
        private = response.get("userPrivateData")
        if isinstance(private, dict) and "cardParamMap" in private:
            user = str(click.get("userId"))
            try:
                update = self._param_map(private["cardParamMap"], None)
            except _Refused as refused:
                detail = f"answer userPrivateData: {refused.detail}"
                raise StreamProtocolError(detail, response) from None
            card.private_data[user] = {**card.private_data.get(user, {}), **update}
        return True

    # Plumbing

    @web.middleware
    async def _middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        if request.path == STREAM_PATH and request.method == "GET":
            return await handler(request)
        request[_BODY] = _parse(await request.read())
        token_fetch = request.path == TOKEN_PATH
        try:
            self._per_ip_limit(request.remote or "")
            if self._clock() < self._faults.outage_until:
                raise _Refused(
                    self._faults.outage_status, SYSTEM_BUSY, "outage", html=self._faults.outage_html
                )
            if not token_fetch and self._faults.failures:
                status, code = self._faults.failures.pop(0)
                raise _Refused(status, code, "fail_next")
            response = await handler(request)
        except _Refused as refused:
            request[_CODE] = refused.code
            request[_DETAIL] = refused.detail
            response = _refusal(refused)
        if not token_fetch and self._faults.delay > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._faults.delay)
        self._record(request, response.status)
        return response

    def _record(self, request: web.Request, status: int) -> None:
        call = Call(
            method=request.method,
            path=request.path,
            body=request.get(_BODY),
            status=status,
            code=request.get(_CODE),
            at=self._clock(),
            detail=request.get(_DETAIL, ""),
        )
        self.requests.append(call)
        if call.detail == NO_UPDATE_DURING_CALLBACK:
            self.updates_during_callbacks.append(call)

    def _admit(self, request: web.Request) -> None:
        """The gates every OpenAPI call passes: a live token (which names the app the
        per-app limit counts), 20 calls a second per API, then the month's quota."""
        token = request.headers.get(TOKEN_HEADER, "").strip()
        if not token:
            raise _Refused(400, TOKEN_MISSING)
        expires = self._tokens.get(token)
        if expires is None or expires <= self._clock():
            raise _Refused(400, TOKEN_INVALID, "unknown, revoked or expired token")
        self._limit(request.path)
        if request.path in BILLED_PATHS:
            if self.monthly_quota is not None and self._month_calls >= self.monthly_quota:
                raise _Refused(403, MONTHLY_LIMITED, f"{self.monthly_quota} calls this month")
            self._month_calls += 1

    def _per_ip_limit(self, ip: str) -> None:
        """Every call to api.dingtalk.com, token fetches and the Stream gateway included,
        counts against its IP (`IP_CALLS`); the call over the limit starts a 5-minute ban."""
        now = self._clock()
        if now < self._banned.get(ip, -math.inf):
            raise _Refused(403, IP_BANNED, f"{ip} is banned", html=True)
        if self._per_ip.wait(ip, now) > 0:
            self._banned[ip] = now + IP_BAN_S
            raise _Refused(403, IP_BANNED, f"over {self._per_ip.limit} calls in 20 s", html=True)
        self._per_ip.add(ip, now)

    def _limit(self, path: str) -> None:
        now = self._clock()
        if self._qps.wait(path, now) > 0:
            raise _Refused(403, QPS_LIMITED, f"{QPS_PER_API} calls within a second")
        self._qps.add(path, now)

    def _param_map(self, raw: Any, template: _Template | None) -> dict[str, str]:
        """A cardParamMap as DingTalk takes it: strings only (numbers, booleans and JSON as
        strings), keys up to 100 bytes, values up to 1 KB. Which code DingTalk gives each
        breach is not verified (param.invalid here)."""
        if not isinstance(raw, dict):
            raise _Refused(400, PARAM_INVALID, "cardParamMap must be an object")
        for key, value in raw.items():
            if not isinstance(value, str):
                kind = type(value).__name__
                raise _Refused(400, PARAM_INVALID, f"cardParamMap[{key!r}] is {kind}, not str")
            if len(key.encode()) > PARAM_KEY_MAX_BYTES:
                raise _Refused(400, PARAM_INVALID, f"key {key[:20]!r}… over 100 bytes")
            size = len(value.encode())
            if size > PARAM_VALUE_MAX_BYTES:
                raise _Refused(400, PARAM_INVALID, f"cardParamMap[{key!r}] is {size} bytes > 1 KB")
        if template is not None and template.variables is not None:
            unknown = sorted(set(raw) - set(template.variables))
            if unknown:
                raise _Refused(400, PARAM_INVALID, f"not variables of the template: {unknown}")
            for key, value in raw.items():
                kind = template.variables[key]
                if not _fits(kind, value):
                    raise _Refused(400, PARAM_INVALID, f"cardParamMap[{key!r}] is no {kind}")
        return dict(raw)

    def _private_data(self, raw: Any, template: _Template | None) -> dict[str, dict[str, str]]:
        """privateData: userId → {"cardParamMap": …}, each map held to the public rules."""
        if not isinstance(raw, dict):
            raise _Refused(400, PARAM_INVALID, "privateData maps userId to cardParamMap")
        private = {}
        for user, data in raw.items():
            param_map = data.get("cardParamMap") if isinstance(data, dict) else None
            private[user] = self._param_map(param_map, template)
        return private

    # Handlers

    async def _token(self, request: web.Request) -> web.Response:
        """Within its 2 hours a token is handed out again, its life renewed (documented for
        the v1.0 endpoint: 有效期内重复获取会返回相同结果并自动续期)."""
        body = request.get(_BODY)
        if (
            not isinstance(body, dict)
            or body.get("appKey") != self.app_key
            or body.get("appSecret") != self.app_secret
        ):
            raise _Refused(400, INVALID_CLIENT)
        self._limit(request.path)
        now = self._clock()
        token = self._current_token
        if token is None or self._tokens.get(token, now) <= now:
            token = secrets.token_hex(16)
            self._current_token = token
        self._tokens[token] = now + TOKEN_LIFETIME_S
        return web.json_response({"accessToken": token, "expireIn": TOKEN_LIFETIME_S})

    async def _create_and_deliver(self, request: web.Request) -> web.Response:
        self._admit(request)
        body = _object(request)
        template_id = body.get("cardTemplateId")
        if not isinstance(template_id, str) or not template_id:
            raise _Refused(400, TEMPLATE_ID_EMPTY)
        out_track_id, open_space_id = _card_and_space(body)
        template = self._templates.get(template_id)
        if template is None:
            raise _Refused(400, TEMPLATE_NOT_EXIST)
        if not template.published:
            raise _Refused(400, TEMPLATE_UNPUBLISHED)
        if out_track_id in self.cards:
            raise _Refused(400, CARD_ALREADY_EXIST)
        card_data = body.get("cardData")
        if not isinstance(card_data, dict):
            raise _Refused(400, CARD_DATA_EMPTY)
        param_map = self._param_map(card_data.get("cardParamMap", {}), template)
        callback_type, route_key = _callback(body)
        spaces = _spaces(open_space_id)
        user_id_type = body.get("userIdType", 1)
        if isinstance(user_id_type, bool) or user_id_type not in (1, 2):
            raise _Refused(400, PARAM_INVALID, "userIdType is 1 (userId) or 2 (unionId)")
        private_data = self._private_data(body.get("privateData") or {}, template)
        for model in ("imGroupOpenSpaceModel", "imRobotOpenSpaceModel"):
            _space_model(body, model)
        kinds = {kind for kind, _ in spaces}
        at_user_ids: dict[str, str] = {}
        recipients = None
        if "IM_GROUP" in kinds:
            at_user_ids, recipients = self._group_model(body.get("imGroupOpenDeliverModel"))
        if "IM_ROBOT" in kinds:
            self._robot_model(body.get("imRobotOpenDeliverModel"))
        card = CardInstance(
            out_track_id=out_track_id,
            template_id=template_id,
            spaces=spaces,
            deliver_results=[self._deliver(kind, space_id) for kind, space_id in spaces],
            revisions=[param_map],
            callback_type=callback_type,
            callback_route_key=route_key,
            at_user_ids=at_user_ids,
            recipients=recipients,
            user_id_type=int(user_id_type),
            private_data=private_data,
            created_at=self._clock(),
        )
        # A card whose every delivery failed is still created, so its outTrackId is spent
        # (creation comes before delivery; not verified against the live API).
        self.cards[out_track_id] = card
        result = {
            "outTrackId": out_track_id,
            "deliverResults": [r.to_json() for r in card.deliver_results],
        }
        return web.json_response({"success": True, "result": result})

    def _group_model(self, model: Any) -> tuple[dict[str, str], list[str] | None]:
        """The group deliver model; a robotCode other than this app's is refused outright
        (the code DingTalk gives is not verified)."""
        if not isinstance(model, dict):
            raise _Refused(400, DELIVER_MODEL_EMPTY, "IM_GROUP needs imGroupOpenDeliverModel")
        if model.get("robotCode") != self.robot_code:
            raise _Refused(400, DELIVER_MODEL_ERROR, "robotCode is not this app's AppKey")
        at_user_ids = model.get("atUserIds", {})
        if not isinstance(at_user_ids, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in at_user_ids.items()
        ):
            raise _Refused(400, DELIVER_MODEL_ERROR, "atUserIds maps userId to name")
        recipients = model.get("recipients")
        if recipients is not None and not (
            isinstance(recipients, list) and all(isinstance(r, str) for r in recipients)
        ):
            raise _Refused(400, DELIVER_MODEL_ERROR, "recipients is a list of userIds")
        return dict(at_user_ids), recipients

    def _robot_model(self, model: Any) -> None:
        """The 1:1 deliver model: with no other field set, spaceType must say IM_ROBOT."""
        if not isinstance(model, dict):
            raise _Refused(400, DELIVER_MODEL_EMPTY, "IM_ROBOT needs imRobotOpenDeliverModel")
        if model.get("spaceType") != "IM_ROBOT":
            raise _Refused(400, DELIVER_MODEL_ERROR, 'imRobotOpenDeliverModel.spaceType "IM_ROBOT"')
        if "robotCode" in model and model["robotCode"] != self.robot_code:
            raise _Refused(400, DELIVER_MODEL_ERROR, "robotCode is not this app's AppKey")

    def _deliver(self, kind: str, space_id: str) -> DeliverResult:
        """One space's outcome; the errorMsg texts are not verified."""
        if kind == "IM_GROUP":
            group = self._groups.get(space_id)
            if group is None:
                return DeliverResult(kind, space_id, False, None, "群会话不存在")
            if not group.robot_member:
                return DeliverResult(kind, space_id, False, None, "机器人不在群内")
        elif space_id not in self._users:
            return DeliverResult(kind, space_id, False, None, "用户不存在")
        return DeliverResult(kind, space_id, True, secrets.token_urlsafe(24), None)

    async def _deliver_card(self, request: web.Request) -> web.Response:
        """See DELIVER_PATH; the codes are the page's table. Delivering again to a space where
        the card shows is answered as a success and shows nothing new (not verified)."""
        self._admit(request)
        body = _object(request)
        out_track_id, open_space_id = _card_and_space(body)
        card = self.cards.get(out_track_id)
        if card is None:
            raise _Refused(400, CARD_NOT_EXIST)
        spaces = _spaces(open_space_id)
        kinds = {kind for kind, _ in spaces}
        if "IM_GROUP" in kinds:
            self._group_model(body.get("imGroupOpenDeliverModel"))
        if "IM_ROBOT" in kinds:
            self._robot_model(body.get("imRobotOpenDeliverModel"))
        results = []
        for space in spaces:
            if space not in card.spaces:  # the errorMsg is not verified
                results.append(DeliverResult(*space, False, None, "卡片实例不支持该场域"))
                continue
            result = self._deliver(*space)
            kept = [r for r in card.deliver_results if (r.space_type, r.space_id) != space]
            card.deliver_results = [*kept, result]
            results.append(result)
        return web.json_response({"success": True, "result": [r.to_json() for r in results]})

    async def _update_card(self, request: web.Request) -> web.Response:
        self._admit(request)
        body = _object(request)
        out_track_id = body.get("outTrackId")
        if not isinstance(out_track_id, str) or not out_track_id:
            raise _Refused(400, OUT_TRACK_ID_EMPTY)
        card = self.cards.get(out_track_id)
        if card is None:
            raise _Refused(400, CARD_NOT_EXIST)
        if self._calling_back[out_track_id] > 0:
            request[_DETAIL] = NO_UPDATE_DURING_CALLBACK
        card_data = body.get("cardData")
        private_data = body.get("privateData")
        if not card_data and not private_data:
            raise _Refused(400, BOTH_DATA_EMPTY)
        options = body.get("cardUpdateOptions", {})
        if not isinstance(options, dict) or not all(
            isinstance(options.get(k, False), bool)
            for k in ("updateCardDataByKey", "updatePrivateDataByKey")
        ):
            raise _Refused(400, PARAM_INVALID, "cardUpdateOptions holds booleans")
        template = self._templates.get(card.template_id)
        public: dict[str, str] | None = None
        if card_data:
            if not isinstance(card_data, dict):
                raise _Refused(400, PARAM_INVALID, "cardData must be an object")
            public = self._param_map(card_data.get("cardParamMap", {}), template)
        private = self._private_data(private_data or {}, template)
        if public is not None:
            by_key = options.get("updateCardDataByKey") is True
            card.revisions.append({**card.param_map, **public} if by_key else public)
        for user, update in private.items():
            if options.get("updatePrivateDataByKey") is True:
                update = {**card.private_data.get(user, {}), **update}
            card.private_data[user] = update
        return web.json_response({"success": True, "result": True})

    async def _group_send(self, request: web.Request) -> web.Response:
        self._admit(request)
        body = _object(request)
        msg_key, msg_param = self._robot_message(body)
        conversation = body.get("openConversationId")
        if not isinstance(conversation, str) or not conversation:
            raise _Refused(400, CONVERSATION_MISSING)
        if conversation in self._single_chats:
            # 机器人发送群聊消息 sends to groups only; for a one-to-one chat the robot has
            # 批量发送人与机器人会话中机器人消息 (ONE_TO_ONE_PATH). What DingTalk answers a group
            # send to a one-to-one conversationId is not verified: refused here as a group
            # it does not know.
            raise _Refused(400, CONVERSATION_INVALID, "a one-to-one chat, not a group")
        group = self._groups.get(conversation)
        if group is None:
            # Not verified: one user saw DingTalk accept a wrong openConversationId silently
            # (DingTalk-Real-AI/dingtalk-openclaw-connector#193); refusing is the stricter bet.
            raise _Refused(400, CONVERSATION_INVALID)
        if not group.robot_member:
            # The page's note for this code reads "请检查机器人是否在群内"; that DingTalk
            # answers this code for a robot outside the group is not verified.
            raise _Refused(400, ROBOT_CODE_EMPTY, "the robot is not in the group")
        message = GroupMessage(
            conversation, msg_key, msg_param, secrets.token_urlsafe(24), self._clock()
        )
        self._messages.append(message)
        return web.json_response({"processQueryKey": message.process_query_key})

    async def _one_to_one_send(self, request: web.Request) -> web.Response:
        """See ONE_TO_ONE_PATH. A userId the organisation does not have is listed in
        `invalidStaffIdList` and gets nothing; the call itself still succeeds."""
        self._admit(request)
        body = _object(request)
        msg_key, msg_param = self._robot_message(body)
        users = body.get("userIds")
        if not isinstance(users, list) or not users or not all(isinstance(u, str) for u in users):
            raise _Refused(400, PARAM_INVALID, "userIds is a non-empty list of userIds")
        if len(users) > ONE_TO_ONE_MAX_USERS:
            raise _Refused(400, PARAM_INVALID, f"at most {ONE_TO_ONE_MAX_USERS} userIds")
        key = secrets.token_urlsafe(24)
        invalid = [u for u in users if u not in self._users]
        for user in users:
            if user not in invalid:
                self._one_to_one.append(
                    OneToOneMessage(user, msg_key, msg_param, key, self._clock())
                )
        answer = {
            "processQueryKey": key,
            "invalidStaffIdList": invalid,
            "flowControlledStaffIdList": [],
        }
        return web.json_response(answer)

    def _robot_message(self, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The robot and message of a robot send, as both kinds of chat check them."""
        robot_code = body.get("robotCode")
        if not isinstance(robot_code, str) or not robot_code:
            raise _Refused(400, ROBOT_CODE_EMPTY)
        if robot_code != self.robot_code:
            raise _Refused(400, ROBOT_CODE_AUTH)
        msg_key = body.get("msgKey")
        if not isinstance(msg_key, str) or not msg_key:
            raise _Refused(400, MSG_KEY_EMPTY)
        if msg_key not in MSG_KEYS:
            raise _Refused(400, MSG_KEY_INVALID, f"the fake knows {sorted(MSG_KEYS)}")
        raw = body.get("msgParam")
        if not isinstance(raw, str):
            raise _Refused(400, MSG_PARAM_INVALID, "msgParam is a JSON string")
        size = len(raw.encode())
        if size > MSG_PARAM_MAX_BYTES:
            raise _Refused(400, MSG_PARAM_TOO_LONG, f"{size} bytes > {MSG_PARAM_MAX_BYTES}")
        try:
            msg_param = json.loads(raw)
        except ValueError:
            msg_param = None
        if not isinstance(msg_param, dict):
            raise _Refused(400, MSG_PARAM_INVALID, "msgParam is not a JSON object")
        missing = [k for k in MSG_KEYS[msg_key] if not isinstance(msg_param.get(k), str)]
        if missing:
            raise _Refused(400, MSG_PARAM_INVALID, f"{msg_key} needs {missing}")
        return msg_key, msg_param

    async def _register_callback(self, request: web.Request) -> web.Response:
        self._admit(request)
        body = _object(request)
        route_key = body.get("callbackRouteKey")
        url = body.get("callbackUrl")
        secret = body.get("apiSecret")
        if not isinstance(route_key, str) or not route_key:
            raise _Refused(400, ROUTE_KEY_EMPTY)
        if not isinstance(url, str) or not url:
            raise _Refused(400, CALLBACK_URL_EMPTY)
        if secret is not None and not isinstance(secret, str):
            raise _Refused(400, PARAM_INVALID, "apiSecret is a string")
        if route_key in self.callback_routes and body.get("forceUpdate") is not True:
            raise _Refused(500, ROUTE_KEY_EXIST)  # 500, as the page lists it
        self.callback_routes[route_key] = CallbackRoute(route_key, url, secret)
        result = {"callbackUrl": url, "apiSecret": secret}
        return web.json_response({"success": True, "result": result})

    async def _gateway_open(self, request: web.Request) -> web.Response:
        """Registers a Stream ticket. DingTalk only pushes what a connection subscribed to,
        and an EVENT subscription takes "*" only (protocol.md)."""
        body = request.get(_BODY)
        if (
            not isinstance(body, dict)
            or body.get("clientId") != self.app_key
            or body.get("clientSecret") != self.app_secret
        ):
            raise _Refused(401, AUTH_FAILED)
        self._limit(request.path)
        subscriptions = body.get("subscriptions")
        if not isinstance(subscriptions, list) or not subscriptions:
            raise _Refused(400, GATEWAY_PARAM_INVALID, "subscriptions is a non-empty list")
        for item in subscriptions:
            if not (
                isinstance(item, dict)
                and item.get("type") in ("EVENT", "CALLBACK")
                and isinstance(item.get("topic"), str)
                and item["topic"]
            ):
                raise _Refused(400, GATEWAY_PARAM_INVALID, f"bad subscription {item!r}")
            if item["type"] == "EVENT" and item["topic"] != "*":
                raise _Refused(400, GATEWAY_PARAM_INVALID, 'EVENT subscribes to "*" only')
        ua, local_ip = body.get("ua"), body.get("localIp")
        ticket = str(uuid.uuid4())
        self._tickets[ticket] = _Ticket(
            self._clock(),
            [{"type": s["type"], "topic": s["topic"]} for s in subscriptions],
            ua if isinstance(ua, str) else None,
            local_ip if isinstance(local_ip, str) else None,
        )
        endpoint = f"ws://127.0.0.1:{self._port}{STREAM_PATH}"
        return web.json_response({"endpoint": endpoint, "ticket": ticket})

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        """The WebSocket at the endpoint, opened with `?ticket=`: each ticket once, within
        90 s. How DingTalk refuses a bad ticket is not verified (HTTP 401 here)."""
        request[_BODY] = None
        if self._clock() < self._faults.outage_until:
            refused = _Refused(
                self._faults.outage_status, SYSTEM_BUSY, "outage", html=self._faults.outage_html
            )
            request[_CODE] = refused.code
            self._record(request, refused.status)
            return _refusal(refused)
        ticket = self._tickets.pop(request.query.get("ticket", ""), None)
        if ticket is None or self._clock() - ticket.issued_at > TICKET_TTL_S:
            request[_CODE] = AUTH_FAILED
            request[_DETAIL] = "unknown, used or expired ticket"
            self._record(request, 401)
            return web.json_response(_error_body(AUTH_FAILED), status=401)
        socket = web.WebSocketResponse(autoping=False)
        await socket.prepare(request)
        info = StreamConnection(
            connection_id=str(uuid.uuid4()),
            subscriptions=ticket.subscriptions,
            ua=ticket.ua,
            local_ip=ticket.local_ip,
            opened_at=self._clock(),
        )
        connection = _Connection(info, socket, request)
        self._open[info.connection_id] = connection
        self.stream_connections.append(info)
        self._record(request, 101)
        try:
            await self._read(connection)
        finally:
            del self._open[info.connection_id]
            info.closed_at = self._clock()
            if info.closed_by is None:
                info.closed_by = "client"
            connection.finished.set()
        return socket

    async def _read(self, connection: _Connection) -> None:
        """Reads frames until the socket closes, pausing (without reading, so without
        answering WebSocket pings) whenever the fake is stalled."""
        socket = connection.socket
        held: WSMessage | None = None
        while True:
            if not await self._until_flowing(connection):
                return
            if held is not None:
                message, held = held, None
            else:
                reading = asyncio.ensure_future(socket.receive())
                stalling = asyncio.ensure_future(self._stalling.wait())
                await asyncio.wait({reading, stalling}, return_when=asyncio.FIRST_COMPLETED)
                stalling.cancel()
                if self._stalling.is_set():
                    # A frame read as the stall began waits for the end of it; an unfinished
                    # read is cancelled, which leaves the frame queued in aiohttp's reader.
                    reading.cancel()
                    with suppress(asyncio.CancelledError):
                        held = await reading
                    continue
                message = reading.result()
            if message.type is WSMsgType.TEXT:
                self._on_text(connection, message.data)
            elif message.type is WSMsgType.PING:
                connection.info.ws_pings += 1
                await socket.pong(message.data)
            elif message.type is WSMsgType.BINARY:
                connection.info.unsolicited.append(message.data)
            elif message.type is not WSMsgType.PONG:
                return

    async def _until_flowing(self, connection: _Connection) -> bool:
        """False once the connection was cut while the fake was stalled."""
        if self._flowing.is_set():
            return True
        waits = {
            asyncio.ensure_future(self._flowing.wait()),
            asyncio.ensure_future(connection.ended.wait()),
        }
        _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for wait in pending:
            wait.cancel()
        return not connection.ended.is_set()

    def _on_text(self, connection: _Connection, data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            connection.info.unsolicited.append(data)
            return
        headers = frame.get("headers") if isinstance(frame, dict) else None
        message_id = headers.get("messageId") if isinstance(headers, dict) else None
        answer = self._waiting.get(message_id) if isinstance(message_id, str) else None
        if answer is None or answer.done():
            connection.info.unsolicited.append(frame)
        else:
            answer.set_result(frame)

    async def _not_found(self, request: web.Request) -> web.Response:
        raise _Refused(404, NOT_FOUND, f"{request.method} {request.path}")


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def _card_and_space(body: Mapping[str, Any]) -> tuple[str, str]:
    """outTrackId and openSpaceId, both required wherever a card goes into a space."""
    out_track_id, open_space_id = body.get("outTrackId"), body.get("openSpaceId")
    if not isinstance(out_track_id, str) or not out_track_id:
        raise _Refused(400, OUT_TRACK_ID_EMPTY)
    if not isinstance(open_space_id, str) or not open_space_id:
        raise _Refused(400, OPEN_SPACE_ID_EMPTY)
    return out_track_id, open_space_id


def _object(request: web.Request) -> dict[str, Any]:
    body = request.get(_BODY)
    if not isinstance(body, dict) or not body:
        raise _Refused(400, PARAM_EMPTY, "the body is not a JSON object")
    return body


def _callback(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """STREAM or HTTP (upper case, as the page insists); HTTP needs the route key of a
    registered callback URL. Refusing HTTP without one is not verified."""
    kind = body.get("callbackType")
    route_key = body.get("callbackRouteKey")
    if kind is None:
        return None, None
    if kind not in ("STREAM", "HTTP"):
        raise _Refused(400, PARAM_INVALID, 'callbackType is "STREAM" or "HTTP"')
    if kind == "HTTP" and not (isinstance(route_key, str) and route_key):
        raise _Refused(400, PARAM_INVALID, "callbackType HTTP needs callbackRouteKey")
    return kind, route_key if isinstance(route_key, str) else None


def _spaces(open_space_id: str) -> list[tuple[str, str]]:
    """`dtv1.card//TYPE.id;TYPE.id…`; DingTalk's own example writes the type in lower case."""
    prefix = "dtv1.card//"
    if not open_space_id.startswith(prefix):
        raise _Refused(400, OPEN_SPACE_ID_INVALID, f"openSpaceId starts with {prefix}")
    spaces = []
    for part in open_space_id[len(prefix) :].split(";"):
        kind, dot, space_id = part.partition(".")
        kind = kind.upper()
        if not dot or not space_id or not kind:
            raise _Refused(400, OPEN_SPACE_ID_INVALID, f"{part!r} is not TYPE.id")
        if kind not in SPACE_TYPES:
            raise _Refused(400, OPEN_SPACE_ID_INVALID, f"{kind} is not modelled by the fake")
        spaces.append((kind, space_id))
    return spaces


def _space_model(body: Mapping[str, Any], name: str) -> None:
    """A space model, when given, must say whether the card may be forwarded."""
    model = body.get(name)
    if model is None:
        return
    if not isinstance(model, dict) or not isinstance(model.get("supportForward"), bool):
        raise _Refused(400, SPACE_MODEL_INVALID, f"{name}.supportForward is a boolean")


def _error_body(code: str) -> dict[str, str]:
    return {
        "code": code,
        "message": MESSAGES.get(code, code),
        "requestid": str(uuid.uuid4()).upper(),
    }


def _refusal(refused: _Refused) -> web.Response:
    """A v1.0 error body; the fake's own reason travels in x-fake-detail, never in the body,
    so the body stays what DingTalk sends."""
    headers = {"x-fake-detail": refused.detail.encode("unicode_escape").decode()}
    if refused.html:
        info = json.dumps({**BAN_PAGE, "uuid": str(uuid.uuid4())})
        page = f"<!DOCTYPE html><html><head><title>denied</title></head><body>{info}</body></html>"
        return web.Response(
            status=refused.status, text=page, content_type="text/html", headers=headers
        )
    return web.json_response(_error_body(refused.code), status=refused.status, headers=headers)


def _millis() -> str:
    return str(int(time.time() * 1000))


def _message_id() -> str:
    """Shaped like DingTalk's, e.g. 212ca9d7_974_1898c159aa6_1783b."""
    millis = format(int(time.time() * 1000), "x")
    return (
        f"{secrets.token_hex(4)}_{random.randrange(100, 1000)}_{millis}_{secrets.token_hex(3)[:5]}"
    )


def _system_frame(topic: str, data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "specVersion": "1.0",
        "type": "SYSTEM",
        "headers": {
            "contentType": "application/json",
            "messageId": _message_id(),
            "time": _millis(),
            "topic": topic,
        },
        "data": json.dumps(data),
    }


def _ack(raw: Any, connection_id: str, elapsed: float) -> Ack:
    """An ack as protocol.md defines it: a numeric code, headers echoing messageId with
    contentType application/json, a message, and data as a JSON *string*."""
    if not isinstance(raw, dict):
        raise StreamProtocolError("the ack is not a JSON object", raw)
    code = raw.get("code")
    headers = raw.get("headers")
    message = raw.get("message", "")
    data = raw.get("data")
    if not isinstance(code, int) or isinstance(code, bool):
        raise StreamProtocolError("the ack's code is not a number", raw)
    if not isinstance(headers, dict) or headers.get("contentType") != "application/json":
        raise StreamProtocolError("the ack's headers lack contentType application/json", raw)
    if not isinstance(message, str):
        raise StreamProtocolError("the ack's message is not a string", raw)
    if not isinstance(data, str):
        raise StreamProtocolError("the ack's data is not a JSON string", raw)
    try:
        parsed = json.loads(data)
    except ValueError:
        raise StreamProtocolError("the ack's data is not JSON", raw) from None
    return Ack(code, message, parsed, dict(headers), connection_id, elapsed)
