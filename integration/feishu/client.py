"""Outbound Feishu calls through lark-oapi, paced, retried and classified.

The SDK does the requests; around it we keep what it lacks: an asynchronous, cached tenant
token (its own fetch is synchronous and would block the event loop), Feishu's rate limits
(5 sends per second per group chat, shared by every bot in it; 50 per second and 1,000 per
minute per app, which Feishu counts per endpoint and we over all calls together; 5 edits per
second per message), retries of what can succeed later (rate limits after
`x-ogw-ratelimit-reset`, 5xx and timeouts with jittered backoff) and nothing else.
"""

import asyncio
import contextlib
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import lark_oapi as lark
from lark_oapi.api.contact.v3 import GetUserRequest
from lark_oapi.api.im.v1 import (
    CreateImageRequest,
    CreateImageRequestBody,
    CreateMessageRequest,
    CreateMessageRequestBody,
    GetChatRequest,
    GetMessageRequest,
    GetMessageResourceRequest,
    IsInChatChatMembersRequest,
    PatchMessageRequest,
    PatchMessageRequestBody,
    ReplyMessageRequest,
    ReplyMessageRequestBody,
)

from integration.feishu.errors import RATE_LIMITED, TOKEN_INVALID, FeishuError, FeishuUnavailable
from integration.outbound.pace import SlidingWindow
from integration.outbound.retry import retrying
from integration.outbound.token import CachedToken
from tickets.clock import Clock

TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
"""Refresh the tenant token this long before Feishu says it expires."""


def receive_id_type(receive_id: str) -> str:
    """Feishu ids say what they are: `ou_…` is a user (direct message), `oc_…` a chat."""
    return "open_id" if receive_id.startswith("ou_") else "chat_id"


class FeishuClient:
    def __init__(
        self,
        app_id: str,
        app_secret: str,
        base_url: str,
        session: aiohttp.ClientSession,
        clock: Clock,
        *,
        timeout: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._app_id = app_id
        self._app_secret = app_secret
        self._base_url = base_url.rstrip("/")
        self._session = session
        self._timeout = timeout
        self._sleep = sleep
        self._sdk = (
            lark.Client.builder()
            .app_id(app_id)
            .app_secret(app_secret)
            .domain(self._base_url)
            .enable_set_token(True)
            .timeout(timeout)
            .log_level(lark.LogLevel.WARNING)
            .build()
        )
        self._token = CachedToken(self._fetch_token, clock)
        self.per_chat = SlidingWindow(5, 1.0, clock)
        self.per_app = SlidingWindow(50, 1.0, clock)
        self.per_app_minute = SlidingWindow(1000, 60.0, clock)
        self.per_message = SlidingWindow(5, 1.0, clock)

    async def token(self) -> str:
        return await self._token.get()

    async def _fetch_token(self) -> tuple[str, float]:
        body = {"app_id": self._app_id, "app_secret": self._app_secret}
        try:
            async with self._session.post(
                self._base_url + TOKEN_PATH,
                json=body,
                timeout=aiohttp.ClientTimeout(total=self._timeout),
            ) as response:
                answer = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise FeishuUnavailable(f"获取 tenant_access_token 失败：{error!r}") from error
        if not isinstance(answer, dict) or answer.get("code") != 0:
            code = answer.get("code", -1) if isinstance(answer, dict) else -1
            message = answer.get("msg", "") if isinstance(answer, dict) else str(answer)
            raise FeishuError(int(code), f"获取 tenant_access_token 失败：{message}", status=status)
        return str(answer["tenant_access_token"]), float(answer["expire"])

    async def send_card(self, receive_id: str, content: str, uuid: str) -> str:
        """Post an interactive card; `uuid` makes a repeated send (within 1 h) a no-op."""
        body = (
            CreateMessageRequestBody.builder()
            .receive_id(receive_id)
            .msg_type("interactive")
            .content(content)
            .uuid(uuid)
            .build()
        )
        request = (
            CreateMessageRequest.builder()
            .receive_id_type(receive_id_type(receive_id))
            .request_body(body)
            .build()
        )
        keys = [f"chat:{receive_id}", "app"]
        response = await self._call(lambda o: self._sdk.im.v1.message.acreate(request, o), keys)
        return str(response.data.message_id)

    async def patch_card(self, message_id: str, content: str) -> None:
        request = (
            PatchMessageRequest.builder()
            .message_id(message_id)
            .request_body(PatchMessageRequestBody.builder().content(content).build())
            .build()
        )
        keys = [f"message:{message_id}", "app"]
        await self._call(lambda o: self._sdk.im.v1.message.apatch(request, o), keys)

    async def upload_image(self, data: bytes) -> str:
        def request() -> Any:
            body = CreateImageRequestBody.builder().image_type("message").image(io.BytesIO(data))
            return CreateImageRequest.builder().request_body(body.build()).build()

        response = await self._call(lambda o: self._sdk.im.v1.image.acreate(request(), o), ["app"])
        return str(response.data.image_key)

    async def reply_text(self, message_id: str, chat_id: str, text: str, uuid: str) -> str:
        """Answer a message in its thread, paced as a send to `chat_id`, the message's chat;
        `uuid` makes a repeated reply (within 1 h) a no-op."""
        body = (
            ReplyMessageRequestBody.builder()
            .msg_type("text")
            .content(json.dumps({"text": text}, ensure_ascii=False))
            .reply_in_thread(True)
            .uuid(uuid)
            .build()
        )
        request = ReplyMessageRequest.builder().message_id(message_id).request_body(body).build()
        keys = [f"chat:{chat_id}", "app"]
        response = await self._call(lambda o: self._sdk.im.v1.message.areply(request, o), keys)
        return str(response.data.message_id)

    async def message(self, message_id: str) -> tuple[str, str]:
        """A message's `msg_type` and `content` (JSON in a string). By the app's identity a
        group's message needs the im:message.group_msg scope: without it this fails with
        99991672."""
        request = GetMessageRequest.builder().message_id(message_id).build()
        response = await self._call(lambda o: self._sdk.im.v1.message.aget(request, o), ["app"])
        item = next(i for i in response.data.items if i.message_id == message_id)
        return str(item.msg_type), str(item.body.content)

    async def message_image(self, message_id: str, image_key: str) -> bytes:
        """An image a user sent, by the key in their message's content (the two must match)."""
        request = (
            GetMessageResourceRequest.builder()
            .message_id(message_id)
            .file_key(image_key)
            .type("image")
            .build()
        )
        response = await self._call(
            lambda o: self._sdk.im.v1.message_resource.aget(request, o), ["app"]
        )
        data: bytes = response.file.read()
        return data

    async def bot_open_id(self) -> str:
        """The bot's own open_id, the one its mentions carry (bot/v3/info, which the SDK has
        no call for; its answer sits beside `code`, not in `data`)."""
        request = (
            lark.BaseRequest.builder()
            .http_method(lark.HttpMethod.GET)
            .uri("/open-apis/bot/v3/info")
            .token_types({lark.AccessTokenType.TENANT})
            .build()
        )
        response = await self._call(lambda o: self._sdk.arequest(request, o), ["app"])
        try:
            return str(json.loads(response.raw.content)["bot"]["open_id"])
        except (ValueError, KeyError, TypeError) as error:
            raise FeishuUnavailable(
                f"bot/v3/info answered {response.raw.content[:200]!r}"
            ) from error

    async def chat_name(self, chat_id: str) -> str:
        """The chat's name, which Feishu gives for a chat the bot is not in as well."""
        request = GetChatRequest.builder().chat_id(chat_id).build()
        response = await self._call(lambda o: self._sdk.im.v1.chat.aget(request, o), ["app"])
        return str(response.data.name)

    async def bot_in_chat(self, chat_id: str) -> bool:
        request = IsInChatChatMembersRequest.builder().chat_id(chat_id).build()
        response = await self._call(
            lambda o: self._sdk.im.v1.chat_members.ais_in_chat(request, o), ["app"]
        )
        return response.data.is_in_chat is True

    async def user_name(self, open_id: str) -> str:
        request = GetUserRequest.builder().user_id(open_id).user_id_type("open_id").build()
        response = await self._call(lambda o: self._sdk.contact.v3.user.aget(request, o), ["app"])
        return str(response.data.user.name)

    async def _call(self, call: Callable[[Any], Awaitable[Any]], pace: list[str]) -> Any:
        async def attempt() -> Any:
            token = await self.token()
            option = lark.RequestOption.builder().tenant_access_token(token).build()
            try:
                async with contextlib.AsyncExitStack() as paced:
                    for key in pace:
                        for window in self._pacers(key):
                            await paced.enter_async_context(window.call(key))
                    response = await asyncio.wait_for(call(option), self._timeout + 1)
            except Exception as error:  # the SDK raises whatever httpx or its JSON parser raise
                raise FeishuUnavailable(repr(error)) from error
            if response.code == 0:
                return response
            failure = _failure(response)
            if failure.code in TOKEN_INVALID:
                self._token.forget()
            raise failure

        return await retrying(attempt, self._sleep)

    def _pacers(self, key: str) -> tuple[SlidingWindow, ...]:
        if key.startswith("chat:"):
            return (self.per_chat,)
        if key.startswith("message:"):
            return (self.per_message,)
        return self.per_app, self.per_app_minute


def _failure(response: Any) -> FeishuError:
    raw = response.raw
    status = raw.status_code if raw is not None else None
    headers = {k.lower(): v for k, v in (raw.headers if raw is not None else {}).items()}
    code, message = response.code, response.msg
    if code is None:  # a failed download: the SDK looks for the JSON under the wrong header
        code, message = _answer(raw.content if raw is not None else b"")
    retry_after = 0.0 if code in TOKEN_INVALID else None  # a fresh token: at once
    if code in RATE_LIMITED or status == 429:
        try:
            retry_after = max(0.2, float(headers.get("x-ogw-ratelimit-reset", "1")))
        except ValueError:
            retry_after = 1.0
    return FeishuError(int(code), str(message), status=status, retry_after=retry_after)


def _answer(body: bytes) -> tuple[int, str]:
    """Feishu's code and message in a raw answer; -1 and the text when it holds none."""
    try:
        answer = json.loads(body)
        return int(answer["code"]), str(answer.get("msg", ""))
    except (ValueError, KeyError, TypeError):
        return -1, body[:200].decode(errors="replace")
