"""DingTalk's HTTP mode, for a server DingTalk can reach: card clicks at
`POST /callbacks/dingtalk`, robot @-mentions at `POST /callbacks/dingtalk/robot`.

DingTalk signs a timestamp, not the body: card callbacks with `x-ddpaas-signature` =
base64(HMAC-SHA256(key=apiSecret, msg=timestamp)), robot messages with `sign` =
base64(HMAC-SHA256(key=appSecret, msg=timestamp + "\n" + appSecret)). A request whose
timestamp is more than an hour off is refused, so a captured signature cannot be reused
later; within that hour a replayed click takes effect once (its body's digest is its event
id) and a replayed message registers one ticket (by its msgId).
"""

import base64
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from integration.dingtalk.callbacks import DingTalkCallbacks, answer
from integration.dingtalk.robot import RobotIntake, on_message

log = logging.getLogger(__name__)

MAX_SKEW_MS = 3600 * 1000
ROUTE = "/callbacks/dingtalk"
ROBOT_ROUTE = "/callbacks/dingtalk/robot"


@dataclass(frozen=True)
class HttpCallbacks:
    callbacks: DingTalkCallbacks
    api_secret: str
    intake: RobotIntake
    app_secret: str


DINGTALK = web.AppKey("dingtalk_callbacks", HttpCallbacks)


def _hmac(key: str, message: str) -> str:
    return base64.b64encode(
        hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    ).decode()


async def card_callback(request: web.Request) -> web.Response:
    http = request.app[DINGTALK]
    timestamp = request.headers.get("x-ddpaas-signature-timestamp", "")
    given = request.headers.get("x-ddpaas-signature", "")
    data, body = await _signed(request, timestamp, given, _hmac(http.api_secret, timestamp))
    event_id = "http-" + hashlib.sha256(body).hexdigest()[:40]
    return web.json_response(await answer(http.callbacks, data, event_id))


async def robot_message(request: web.Request) -> web.Response:
    http = request.app[DINGTALK]
    timestamp = request.headers.get("timestamp", "")
    expected = _hmac(http.app_secret, f"{timestamp}\n{http.app_secret}")
    data, _ = await _signed(request, timestamp, request.headers.get("sign", ""), expected)
    return web.json_response(await on_message(http.intake, data, ""))


async def _signed(
    request: web.Request, timestamp: str, given: str, expected: str
) -> tuple[dict[str, Any], bytes]:
    """The body as a JSON object, once the signature and its age check out."""
    problem = None
    if not (timestamp.isdigit() and given):
        problem = "signature headers missing"
    elif abs(time.time() * 1000 - int(timestamp)) > MAX_SKEW_MS:
        problem = f"timestamp {timestamp} is more than an hour off"
    elif not hmac.compare_digest(expected, given):
        problem = "signature does not match"
    if problem is not None:
        log.warning("rejected a DingTalk request from %s: %s", request.remote, problem)
        raise web.HTTPUnauthorized(
            text=json.dumps({"message": "rejected"}), content_type="application/json"
        )
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
