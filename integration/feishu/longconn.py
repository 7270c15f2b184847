"""Card clicks and received messages over Feishu's long connection (no public URL needed).

lark-oapi 1.7.5's `ws.Client` is not asyncio-native: `start()` blocks, it runs on a loop the
module grabs at import, and its endpoint request is synchronous. So it runs in a thread of
its own with a fresh loop, and each event is handed to our loop and awaited there (Feishu
waits 3 s for the answer).

Feishu sends the next frame without waiting for the last answer, and the SDK reads each
frame into a task of its own, but then calls its event handler synchronously, on its own
loop: a handler waiting for our loop would stop that loop, so that no other frame is read or
answered until this one is, and clicks racing for one ticket would be answered one after the
other, the later ones past Feishu's 3 s. `FrameAnswering` is the SDK's client with that one
step, `_handle_data_frame`, done asynchronously: the payload goes to the same `handle` as on
the webhook, unchanged, and is awaited while other frames go on. The answer is written back
as the SDK writes it (lark_oapi/ws/client.py 1.7.5): the frame itself, with a `biz_rt`
header (milliseconds spent) and the payload `{"code": 200, "data": base64(JSON answer)}`,
or code 500 when handling failed. It is written as soon as it is ready, so that is when a
click's answer is recorded as shown.

A `card` frame is what Feishu sends a click as while the app's callback subscription
(card.action.trigger, by long connection) is saved but not yet in a published version; the
SDK drops it unanswered (larksuite/oapi-sdk-python#126) and the clicker sees an error. Its
payload is not the event we read, so it is still left unanswered, but logged, saying what
to do.

Supervision: the SDK reconnects by itself, but can die silently or hang on reconnect; a
watchdog on our loop restarts the thread when it has died or stayed disconnected too long,
with jittered backoff.
"""

import asyncio
import base64
import contextlib
import json
import logging
import threading
from concurrent.futures import Future
from typing import Any

import lark_oapi as lark
from lark_oapi.ws.const import HEADER_BIZ_RT, HEADER_MESSAGE_ID, HEADER_SEQ, HEADER_SUM, HEADER_TYPE

from integration.clicks import SLOW_TOAST, ClickAnswer
from integration.feishu.webhook import FeishuCallbacks, handle
from integration.outbound.pace import backoff

log = logging.getLogger(__name__)

HANDOFF_S = 0.2
"""Of Feishu's wait for an answer, what is kept for the SDK to send it."""
WATCH_EVERY_S = 5.0
"""How often the watchdog looks at the connection: `LongConnection(watch_every=…)`'s default."""
DISCONNECTED_TOO_LONG_S = 60.0
MAX_BACKOFF_S = 60.0
STOP_WITHIN_S = 10.0


CARD_FRAME = (
    "Feishu sent a click as a card frame, which cannot be answered: publish a new version "
    "of the app (开发者后台 → 版本管理与发布 → 创建版本并发布) after subscribing "
    "card.action.trigger by long connection (事件与回调 → 回调配置); the clicker sees an error"
)


class EventBridge:
    """Takes an event from the connection's thread to our loop, and its answer back."""

    def __init__(self, callbacks: FeishuCallbacks, loop: asyncio.AbstractEventLoop) -> None:
        self._callbacks = callbacks
        self._loop = loop
        self._recording: set[Future[None]] = set()

    async def answer(self, payload: bytes) -> tuple[dict[str, object], ClickAnswer | None]:
        """The event's reply, and the click's answer it carries, awaited on the connection's
        loop without holding that loop up."""
        event = json.loads(payload)
        handled = asyncio.run_coroutine_threadsafe(handle(self._callbacks, event), self._loop)
        waiting = asyncio.wrap_future(handled)
        wait = max(0.0, self._callbacks.deadline - HANDOFF_S)
        done, _ = await asyncio.wait({waiting}, timeout=wait)  # on time out, handling goes on
        if not done:
            return {"toast": {"type": "info", "content": SLOW_TOAST}}, None
        return waiting.result()

    def answer_sent(self, answer: ClickAnswer | None) -> None:
        if answer is None:
            return
        sent = self._callbacks.router.answer_sent(answer)
        recording = asyncio.run_coroutine_threadsafe(sent, self._loop)
        self._recording.add(recording)  # our loop keeps only a weak reference
        recording.add_done_callback(self._recording.discard)


class FrameAnswering(lark.ws.Client):  # type: ignore[misc]
    """lark.ws.Client whose data frames are answered without blocking its loop."""

    def __init__(self, bridge: EventBridge, **options: Any) -> None:
        super().__init__(**options)
        self._bridge = bridge

    async def _handle_data_frame(self, frame: Any) -> None:
        headers = {h.key: h.value for h in frame.headers}
        payload = frame.payload
        parts = int(headers.get(HEADER_SUM, "1"))
        if parts > 1:
            message_id, seq = headers[HEADER_MESSAGE_ID], int(headers[HEADER_SEQ])
            payload = self._combine(message_id, parts, seq, payload)
            if payload is None:  # more parts to come
                return
        kind = headers.get(HEADER_TYPE)
        if kind == "card":
            log.warning(CARD_FRAME)
            return
        if kind != "event":
            return
        clock = asyncio.get_running_loop()
        started = clock.time()
        answer = None
        try:
            reply, answer = await self._bridge.answer(payload)
            data = base64.b64encode(json.dumps(reply, ensure_ascii=False).encode()).decode()
            response: dict[str, Any] = {"code": 200, "data": data}
        except Exception:
            log.exception("could not handle a Feishu event from the long connection")
            response = {"code": 500}
        spent = frame.headers.add()
        spent.key = HEADER_BIZ_RT
        spent.value = str(round((clock.time() - started) * 1000))
        frame.payload = json.dumps(response).encode()
        await self._write_message(frame.SerializeToString())
        self._bridge.answer_sent(answer)


class LongConnection:
    def __init__(
        self,
        app_id: str,
        app_secret: str,
        base_url: str,
        callbacks: FeishuCallbacks,
        *,
        watch_every: float = WATCH_EVERY_S,
    ) -> None:
        self._app_id = app_id
        self._app_secret = app_secret
        self._base_url = base_url
        self._callbacks = callbacks
        self._watch_every = watch_every
        self._thread: threading.Thread | None = None
        self._client: Any = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client._conn is not None

    def _start_thread(self, loop: asyncio.AbstractEventLoop) -> None:
        thread_loop = asyncio.new_event_loop()
        self._thread_loop = thread_loop
        bridge = EventBridge(self._callbacks, loop)

        def run() -> None:
            # Imported and built here: both take the current thread's event loop.
            import lark_oapi.ws.client as lark_ws

            asyncio.set_event_loop(thread_loop)
            lark_ws.loop = thread_loop  # the SDK schedules on this module-level loop
            client = None
            try:
                client = FrameAnswering(
                    bridge,
                    app_id=self._app_id,
                    app_secret=self._app_secret,
                    domain=self._base_url,
                    log_level=lark.LogLevel.WARNING,
                )
                self._client = client
                client.start()
            except RuntimeError:
                pass  # _stop_thread halted the loop under start()
            except Exception as error:  # wrong credentials, or the SDK gave up
                log.warning("Feishu long connection ended: %r", error)
            finally:
                self._client = None
                _wind_down(thread_loop, client)

        self._thread = threading.Thread(target=run, name="feishu-long-connection", daemon=True)
        self._thread.start()

    async def run(self) -> None:
        """Keep a long connection up until cancelled."""
        loop = asyncio.get_running_loop()
        failures = 0
        down_for = 0.0
        self._start_thread(loop)
        try:
            while True:
                await asyncio.sleep(self._watch_every)
                alive = self._thread is not None and self._thread.is_alive()
                down_for = 0.0 if self.connected else down_for + self._watch_every
                if alive and down_for < DISCONNECTED_TOO_LONG_S:
                    failures = 0
                    continue
                failures += 1
                delay = backoff(failures, first=1.0, cap=MAX_BACKOFF_S)
                log.warning("Feishu long connection down; restarting in %.0f s", delay)
                await self._stop_thread()
                await asyncio.sleep(delay)
                down_for = 0.0
                self._start_thread(loop)
        finally:
            await self._stop_thread()

    async def _stop_thread(self) -> None:
        thread, thread_loop = self._thread, self._thread_loop
        if thread is None or thread_loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed already: the thread ended
            thread_loop.call_soon_threadsafe(thread_loop.stop)
        await asyncio.to_thread(thread.join, STOP_WITHIN_S)
        if thread.is_alive():
            log.warning("Feishu long connection did not stop within %.0f s", STOP_WITHIN_S)
        self._thread = None


def _wind_down(thread_loop: asyncio.AbstractEventLoop, client: Any) -> None:
    """Close the socket, then end the SDK's tasks (1.7.5 has no stop()), then the loop."""
    try:
        if client is not None:
            client._auto_reconnect = False
            thread_loop.run_until_complete(client._disconnect())
        tasks = asyncio.all_tasks(thread_loop)
        for task in tasks:
            task.cancel()
        thread_loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    except Exception as error:
        log.warning("Feishu long connection did not wind down cleanly: %r", error)
    finally:
        thread_loop.close()
