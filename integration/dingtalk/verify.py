"""Checking that an HTTP request really comes from DingTalk, and is fresh.

DingTalk signs a timestamp, not the body: card callbacks with `x-ddpaas-signature` =
base64(HMAC-SHA256(key=apiSecret, msg=timestamp)), robot messages with `sign` =
base64(HMAC-SHA256(key=appSecret, msg=timestamp + "\\n" + appSecret)). So a captured header
pair would sign any body: each check returns the pair as a key that the edge accepts once
(`storage.inbound`), and a timestamp more than five minutes off is refused, so that the keys
to remember are few. (DingTalk's robot documentation tolerates an hour; its requests are sent
at once, and five minutes is Feishu's window too.)
"""

import base64
import hashlib
import hmac
from collections.abc import Mapping

from tickets.clock import Clock

MAX_SKEW_MS = 300 * 1000


class Rejected(Exception):
    """Not a genuine, fresh DingTalk request. The message is for our logs."""


def _hmac(key: str, message: str) -> str:
    digest = hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def check_card_callback(headers: Mapping[str, str], api_secret: str, clock: Clock) -> str:
    """The request's replay key, once its signature checks out."""
    timestamp = headers.get("x-ddpaas-signature-timestamp", "")
    expected = _hmac(api_secret, timestamp)
    return _check(timestamp, headers.get("x-ddpaas-signature", ""), expected, clock)


def check_robot_message(headers: Mapping[str, str], app_secret: str, clock: Clock) -> str:
    """The request's replay key, once its signature checks out."""
    timestamp = headers.get("timestamp", "")
    expected = _hmac(app_secret, f"{timestamp}\n{app_secret}")
    return _check(timestamp, headers.get("sign", ""), expected, clock)


def _check(timestamp: str, given: str, expected: str, clock: Clock) -> str:
    if not (timestamp.isdigit() and given):
        raise Rejected("signature headers missing")
    if abs(clock.now().timestamp() * 1000 - int(timestamp)) > MAX_SKEW_MS:
        raise Rejected(f"timestamp {timestamp} is more than five minutes off")
    if not hmac.compare_digest(expected, given):
        raise Rejected("signature does not match")
    return f"{timestamp}:{given}"
