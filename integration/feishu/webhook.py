"""`POST /callbacks/feishu`: card clicks and received messages by HTTP callback (the
"request URL" transport).

Feishu waits 3 s for the answer. The click and the drawing of its answer share all but
`clicks.SENDING_S` of it, one deadline; a slower click still completes, and its card reaches
the chat through the outbox, but the clicker gets a "处理中" toast. The answer is drawn with
the photos' upload keys already kept, never uploading (the outbox does). Its card replaces
the clicked one for everyone in the chat, so it is recorded as shown once the response has
been written. A message goes to the robot, which acknowledges it within the same time.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from integration.clicks import SENDING_S, SLOW_TOAST, ClickAnswer, ClickRouter
from integration.feishu.adapter import FeishuAdapter
from integration.feishu.message import MESSAGE_RECEIVED
from integration.feishu.parse import FeishuPeople, NotAClick, parse_click
from integration.feishu.robot import FeishuRobot
from integration.feishu.verify import Rejected, open_callback
from tickets.clock import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeishuCallbacks:
    router: ClickRouter
    adapter: FeishuAdapter
    people: FeishuPeople
    robot: FeishuRobot
    encrypt_key: str | None
    verification_token: str | None
    deadline: float
    """Seconds Feishu waits for a click's answer."""
    clock: Clock
    """What a signed callback's age is judged by."""


FEISHU = web.AppKey("feishu_callbacks", FeishuCallbacks)


async def answer_click(
    callbacks: FeishuCallbacks, answer: ClickAnswer
) -> tuple[dict[str, object], ClickAnswer | None]:
    """The click's answer as Feishu expects it: a toast, and the fresh card for everyone;
    with it, what the answer brings to the clicked card. A card with a photo not uploaded
    yet is left out, and brings nothing: the outbox updates the clicked card instead."""
    reply: dict[str, object] = {"toast": {"type": answer.level, "content": answer.toast}}
    if answer.card is None:
        return reply, answer
    card = await callbacks.adapter.render(answer.card)
    if card is None:
        return reply, None
    reply["card"] = {"type": "raw", "data": card}
    return reply, answer


async def handle(
    callbacks: FeishuCallbacks, payload: dict[str, Any]
) -> tuple[dict[str, object], ClickAnswer | None]:
    """One verified callback payload, whichever transport brought it: the reply, and the
    click's answer for `ClickRouter.answer_sent` once the reply is sent."""
    if (payload.get("header") or {}).get("event_type") == MESSAGE_RECEIVED:
        await callbacks.robot.receive(payload)
        return {}, None
    try:
        click = parse_click(payload, callbacks.people)
    except NotAClick as error:
        log.info("ignored Feishu callback: %s", error)
        return {}, None
    loop = asyncio.get_running_loop()
    due = loop.time() + callbacks.deadline - SENDING_S
    answer = await callbacks.router.click_within(click, callbacks.deadline)
    if answer is not None:
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(answer_click(callbacks, answer), due - loop.time())
    return {"toast": {"type": "info", "content": SLOW_TOAST}}, None


async def feishu_callback(request: web.Request) -> web.Response:
    callbacks = request.app[FEISHU]
    body = await request.read()
    try:
        payload = open_callback(
            request.headers,
            body,
            encrypt_key=callbacks.encrypt_key,
            verification_token=callbacks.verification_token,
            clock=callbacks.clock,
        )
    except Rejected as error:
        log.warning("rejected a Feishu callback from %s: %s", request.remote, error)
        return web.json_response({"msg": "rejected"}, status=401)
    if payload.get("type") == "url_verification":
        return web.json_response({"challenge": payload.get("challenge")})
    reply, answer = await handle(callbacks, payload)
    response = web.json_response(reply)
    await response.prepare(request)
    await response.write_eof()
    await callbacks.router.answer_sent(answer)
    return response


def add_routes(app: web.Application) -> None:
    """The route; `app[FEISHU]` is set when the app starts (it needs the database)."""
    app.router.add_post("/callbacks/feishu", feishu_callback)
