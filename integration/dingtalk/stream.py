"""DingTalk's Stream mode: clicks over a WebSocket we open, so no public URL is needed.

Our own client on aiohttp rather than the dingtalk-stream SDK, whose connection set-up makes
blocking HTTP requests on the event loop. The protocol (open-dingtalk developerpedia,
docs/learn/stream/protocol.md) is small: ask the gateway for an endpoint and a one-time
ticket, open the WebSocket, answer each frame with an ack carrying its messageId.

- CALLBACK frames (card clicks) are answered from a task of their own, so a slow click
  never holds up the next frame; DingTalk gives up on a click after 2 s.
- SYSTEM `ping` is echoed. SYSTEM `disconnect` is DingTalk moving us ("用于网络连接优雅断开，
  避免直接断连接影响业务连续性"; it closes the connection itself "在静默10s之后"): the next
  connection is opened first, and the old one closed once the answers it owes have gone,
  so a click in flight is still answered.
- A half-open connection (no answer to our WebSocket pings) is closed by aiohttp's
  heartbeat, then, like any other loss, reconnected with jittered exponential backoff.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from integration.outbound.pace import backoff

log = logging.getLogger(__name__)

GATEWAY = "/v1.0/gateway/connections/open"
CARD_CALLBACK = "/v1.0/card/instances/callback"
ROBOT_MESSAGE = "/v1.0/im/bot/messages/get"
HEARTBEAT_S = 20.0
"""Our WebSocket ping interval (`StreamClient(heartbeat=…)`'s default); a pong missing for
half of it closes the connection."""
MAX_BACKOFF_S = 60.0
DISCONNECT_GRACE_S = 10.0
"""After `disconnect`, DingTalk closes the old connection itself after 10 s of silence."""
USER_AGENT = "baoxiu/0.1 (aiohttp)"


@dataclass(frozen=True)
class Reply:
    """A frame's ack `data`, and what to do once the ack has been sent (`then`): a click's
    answer counts as shown only after it has gone."""

    data: dict[str, Any]
    then: Callable[[], Awaitable[None]] | None = None


Handler = Callable[[Mapping[str, Any], str], Awaitable[Reply]]
"""A topic's handler: the frame's data and its messageId in, the ack's `Reply` out."""


class StreamError(Exception):
    """The gateway refused us, or the socket spoke something else than the protocol."""


@dataclass(eq=False)
class _Link:
    """One WebSocket to the gateway, and the answers still being worked out for it."""

    socket: aiohttp.ClientWebSocketResponse
    answering: set[asyncio.Task[None]] = field(default_factory=set)


class StreamClient:
    def __init__(
        self,
        app_key: str,
        app_secret: str,
        base_url: str,
        session: aiohttp.ClientSession,
        handlers: Mapping[str, Handler],
        *,
        heartbeat: float = HEARTBEAT_S,
    ) -> None:
        self._app_key = app_key
        self._app_secret = app_secret
        self._base_url = base_url.rstrip("/")
        self._session = session
        self._handlers = handlers
        self._heartbeat = heartbeat
        self._leaving: set[asyncio.Task[None]] = set()
        self.connected = asyncio.Event()

    async def run(self) -> None:
        """Stay connected until cancelled."""
        failures = 0
        link: _Link | None = None
        try:
            while True:
                try:
                    if link is None:
                        link = await self._connect()
                    failures = 0
                    link = await self._serve(link)  # the next connection, after a disconnect
                except (aiohttp.ClientError, TimeoutError, StreamError) as error:
                    link = None
                    failures += 1
                    delay = backoff(failures, first=1.0, cap=MAX_BACKOFF_S)
                    log.warning("DingTalk Stream lost (%r); reconnecting in %.1f s", error, delay)
                    await asyncio.sleep(delay)
        finally:
            for leaving in list(self._leaving):
                leaving.cancel()
            if link is not None:
                await link.socket.close()

    async def _connect(self) -> _Link:
        endpoint, ticket = await self._open()
        socket = await self._session.ws_connect(
            endpoint, params={"ticket": ticket}, heartbeat=self._heartbeat
        )
        return _Link(socket)

    async def _serve(self, link: _Link) -> _Link | None:
        """Answer the connection's frames until it ends: None when it closed, the next
        connection when DingTalk said `disconnect`. The next one is opened first and this
        one closed only once the answers it owes have gone (`_leave`): DingTalk keeps it
        open for 10 s after asking, for that."""
        self.connected.set()
        handed_on = False
        try:
            async for message in link.socket:
                if message.type is aiohttp.WSMsgType.TEXT:
                    if await self._on_frame(link, message.data) == "disconnect":
                        try:
                            return await self._connect()
                        finally:
                            self._leave(link)
                            handed_on = True
                elif message.type is aiohttp.WSMsgType.ERROR:
                    raise StreamError(f"socket error: {link.socket.exception()!r}")
        finally:
            self.connected.clear()
            if not handed_on:
                await link.socket.close()
        if link.socket.close_code not in (None, aiohttp.WSCloseCode.OK):
            raise StreamError(f"closed with code {link.socket.close_code}")
        return None

    def _leave(self, link: _Link) -> None:
        task = asyncio.create_task(self._close_when_answered(link))
        self._leaving.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._leaving.discard)

    async def _close_when_answered(self, link: _Link) -> None:
        try:
            if link.answering:
                await asyncio.wait(link.answering, timeout=DISCONNECT_GRACE_S)
        finally:
            await link.socket.close()

    async def _open(self) -> tuple[str, str]:
        """The endpoint and one-time ticket of a new connection. DingTalk's per-IP ban
        answers an HTML page instead of JSON: a refusal like any other."""
        body = {
            "clientId": self._app_key,
            "clientSecret": self._app_secret,
            "subscriptions": [{"type": "CALLBACK", "topic": t} for t in self._handlers],
            "ua": USER_AGENT,
        }
        async with self._session.post(
            self._base_url + GATEWAY, json=body, timeout=aiohttp.ClientTimeout(total=10)
        ) as response:
            text = await response.text()
        try:
            answer = json.loads(text)
        except ValueError:
            answer = None
        if response.status != 200 or not isinstance(answer, dict):
            raise StreamError(f"gateway answered {response.status}: {text[:300]!r}")
        try:
            return str(answer["endpoint"]), str(answer["ticket"])
        except KeyError as error:
            raise StreamError(f"gateway answer lacks {error}") from None

    async def _on_frame(self, link: _Link, raw: str) -> str:
        """Handle one frame; returns its SYSTEM topic, if it is one."""
        try:
            frame = json.loads(raw)
            headers = frame["headers"]
            kind, topic = frame["type"], headers["topic"]
            message_id = str(headers.get("messageId", ""))  # protocol.md's `disconnect` has none
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("DingTalk Stream frame not understood: %.200s", raw)
            return ""
        if kind == "SYSTEM":
            if topic == "ping":
                await _ack(link.socket, message_id, json.loads(frame.get("data") or "{}"))
            return str(topic)
        handler = self._handlers.get(topic)
        if handler is None:
            await _ack(link.socket, message_id, {}, code=404, message="no handler")
            return ""
        task = asyncio.create_task(self._answer(link.socket, handler, frame, message_id))
        link.answering.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(link.answering.discard)
        return ""

    async def _answer(
        self,
        socket: aiohttp.ClientWebSocketResponse,
        handler: Handler,
        frame: Mapping[str, Any],
        message_id: str,
    ) -> None:
        try:
            data = json.loads(str(frame.get("data") or "{}"))
            reply = await handler(data, message_id)
        except Exception:
            log.exception("DingTalk Stream callback failed")
            reply = Reply({})
        if socket.closed:
            return
        await _ack(socket, message_id, {"response": reply.data})
        if reply.then is not None:
            await reply.then()


async def _ack(
    socket: aiohttp.ClientWebSocketResponse,
    message_id: str,
    data: Mapping[str, Any],
    *,
    code: int = 200,
    message: str = "OK",
) -> None:
    await socket.send_str(
        json.dumps(
            {
                "code": code,
                "headers": {"contentType": "application/json", "messageId": message_id},
                "message": message,
                "data": json.dumps(data, ensure_ascii=False),
            },
            ensure_ascii=False,
        )
    )
