"""`POST /callbacks/dingtalk`: card clicks by HTTP callback (for a server DingTalk can reach).

DingTalk signs the timestamp, not the body: `x-ddpaas-signature` is
base64(HMAC-SHA256(key=apiSecret, msg=timestamp)). A request whose timestamp is more than
an hour off is refused, so a captured signature cannot be reused later; within that hour a
replayed body takes effect once, its digest serving as the click's event id.
"""

import base64
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass

from aiohttp import web

from integration.dingtalk.callbacks import DingTalkCallbacks, answer

log = logging.getLogger(__name__)

MAX_SKEW_MS = 3600 * 1000
ROUTE = "/callbacks/dingtalk"


@dataclass(frozen=True)
class HttpCallbacks:
    callbacks: DingTalkCallbacks
    api_secret: str


DINGTALK = web.AppKey("dingtalk_callbacks", HttpCallbacks)


def signature(api_secret: str, timestamp: str) -> str:
    digest = hmac.new(api_secret.encode(), timestamp.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


async def card_callback(request: web.Request) -> web.Response:
    http = request.app[DINGTALK]
    problem = _refusal(request, http.api_secret)
    if problem is not None:
        log.warning("rejected a DingTalk callback from %s: %s", request.remote, problem)
        return web.json_response({"message": "rejected"}, status=401)
    body = await request.read()
    try:
        data = json.loads(body)
    except ValueError:
        return web.json_response({"message": "body is not JSON"}, status=400)
    if not isinstance(data, dict):
        return web.json_response({"message": "body is not a JSON object"}, status=400)
    event_id = "http-" + hashlib.sha256(body).hexdigest()[:40]
    return web.json_response(await answer(http.callbacks, data, event_id))


def _refusal(request: web.Request, api_secret: str) -> str | None:
    """Why the request is not DingTalk's, fresh; None when it is."""
    timestamp = request.headers.get("x-ddpaas-signature-timestamp", "")
    given = request.headers.get("x-ddpaas-signature", "")
    if not (timestamp.isdigit() and given):
        return "signature headers missing"
    if abs(time.time() * 1000 - int(timestamp)) > MAX_SKEW_MS:
        return f"timestamp {timestamp} is more than an hour off"
    if not hmac.compare_digest(signature(api_secret, timestamp), given):
        return "signature does not match"
    return None


def add_routes(app: web.Application) -> None:
    """The route; `app[DINGTALK]` is set when the app starts."""
    app.router.add_post(ROUTE, card_callback)
