"""DingTalk's HTTP mode, for a server DingTalk can reach: card clicks at
`POST /callbacks/dingtalk`, robot @-mentions at `POST /callbacks/dingtalk/robot`.

Both are signed (verify.py). A replayed click takes effect once, its body's digest serving
as its event id; a replayed message registers one ticket, by its msgId.
"""

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from integration.dingtalk.callbacks import DingTalkCallbacks, answer
from integration.dingtalk.robot import RobotIntake, Unreadable, on_message
from integration.dingtalk.verify import Rejected, check_card_callback, check_robot_message
from tickets.clock import Clock

log = logging.getLogger(__name__)

ROUTE = "/callbacks/dingtalk"
ROBOT_ROUTE = "/callbacks/dingtalk/robot"


@dataclass(frozen=True)
class HttpCallbacks:
    callbacks: DingTalkCallbacks
    api_secret: str
    intake: RobotIntake
    app_secret: str
    clock: Clock
    """What a signed request's timestamp is judged by."""


DINGTALK = web.AppKey("dingtalk_callbacks", HttpCallbacks)


async def card_callback(request: web.Request) -> web.Response:
    http = request.app[DINGTALK]
    data, body = await _genuine(
        request, lambda h: check_card_callback(h, http.api_secret, http.clock)
    )
    event_id = "http-" + hashlib.sha256(body).hexdigest()[:40]
    reply, clicked = await answer(http.callbacks, data, event_id)
    response = web.json_response(reply)
    await response.prepare(request)
    await response.write_eof()
    await http.callbacks.router.answer_sent(clicked)
    return response


async def robot_message(request: web.Request) -> web.Response:
    http = request.app[DINGTALK]
    data, _ = await _genuine(request, lambda h: check_robot_message(h, http.app_secret, http.clock))
    try:
        return web.json_response(await on_message(http.intake, data, ""))
    except Unreadable as error:
        return web.json_response({"message": str(error)}, status=400)


async def _genuine(
    request: web.Request, check: Callable[[Mapping[str, str]], None]
) -> tuple[dict[str, Any], bytes]:
    """The body as a JSON object, once `check` finds the request signed and fresh."""
    try:
        check(request.headers)
    except Rejected as error:
        log.warning("rejected a DingTalk request from %s: %s", request.remote, error)
        raise web.HTTPUnauthorized(
            text=json.dumps({"message": "rejected"}), content_type="application/json"
        ) from None
    body = await request.read()
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"message": "the body is not a JSON object"}),
            content_type="application/json",
        )
    return data, body


def add_routes(app: web.Application) -> None:
    """The routes; `app[DINGTALK]` is set when the app starts."""
    app.router.add_post(ROUTE, card_callback)
    app.router.add_post(ROBOT_ROUTE, robot_message)
