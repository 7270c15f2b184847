"""Inbound requests built as DingTalk makes them, to test our receiving side end to end.

Two things reach us: a click on a card (topic /v1.0/card/instances/callback, or an HTTP POST
to the URL registered under the card's callbackRouteKey) and a robot @-mention (topic
/v1.0/im/bot/messages/get, or an HTTP POST to the robot's message URL). Over Stream each is
the JSON-encoded `data` of a CALLBACK frame (FakeDingTalk.push_callback builds the frame);
over HTTP it is the body, signed in headers as ../shared/platforms/dingtalk.md gives it:

- card callbacks: x-ddpaas-signature = base64(HMAC-SHA256(key=apiSecret, msg=str(ts))),
  the timestamp in milliseconds (the card event-callback page's calcSignature);
- robot messages: sign = base64(HMAC-SHA256(key=appSecret, msg=ts + "\\n" + appSecret)).

Neither signs the body. Shapes follow the Stream tutorial's click sample and protocol.md's
robot sample; fields DingTalk fills with opaque ids get stable stand-ins derived from input.
"""

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final

from tests.fakes.dingtalk import APP_SECRET, CORP_ID, ROBOT_CODE

GROUP_ID: Final = "cidq0DbfgYxJmlpw8e0m3Zs5g=="
"""An openConversationId (DingTalk's are `cid` + base64)."""
GROUP_TITLE: Final = "3号楼报修群"
API_SECRET: Final = "fake-card-callback-api-secret"
"""What the tests register with /v1.0/card/callbacks/register."""
ACTION_ID: Final = "single_button_node_accept"
SESSION_WEBHOOK_TTL_MS: Final = 90 * 60 * 1000
"""protocol.md's sample expires its sessionWebhook 90 minutes after the message."""


def card_click(
    out_track_id: str,
    user_id: str,
    params: Mapping[str, Any],
    *,
    action_ids: Sequence[str] = (ACTION_ID,),
    corp_id: str = CORP_ID,
    space_type: str = "IM_GROUP",
    space_id: str = GROUP_ID,
    user_id_type: int = 1,
    extension: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A click on a card button whose callback parameters are `params`. `content` and
    `value` carry the same JSON string, and `extension` is JSON in a string, as in the
    Stream tutorial's sample; that sample gives spaceType "im" for an IM card, so the value
    DingTalk sends for a group card is not verified (the brief's "IM_GROUP" by default)."""
    content = json.dumps(
        {"cardPrivateData": {"actionIds": list(action_ids), "params": dict(params)}},
        ensure_ascii=False,
    )
    return {
        "extension": json.dumps(dict(extension or {}), ensure_ascii=False),
        "corpId": corp_id,
        "spaceType": space_type,
        "userIdType": user_id_type,
        "type": "actionCallback",
        "userId": user_id,
        "content": content,
        "spaceId": space_id,
        "outTrackId": out_track_id,
        "value": content,
    }


def picked(options: str, value: str) -> dict[str, Any]:
    """What a select (下拉单选) puts in the callback's params: not the option's value as a
    string but an object holding the picked option's place in the list and its value. The
    card callback hands params over as JSON (`cardPrivateData.params`, a `JSONObject` in the
    official examples' Java model), and the official examples read a select as such an object:
    open-dingtalk/dingtalk-card-examples, examples/交互组件的使用与本地更新/python/index.py
    (`select = params.get("select")`, `isinstance(select, dict) and "index" in select`) and
    examples/循环渲染容器之交互组件的使用与服务端更新/python/index.py
    (`update_value.get("index")` for SELECT). `options` is the card's option list as sent
    (a JSON array of `{value, text}`); a value not among them is a test's mistake."""
    values = [option["value"] for option in json.loads(options)]
    if value not in values:
        raise ValueError(f"{value!r} is not an option of {values}")
    return {"index": values.index(value), "value": value}


def http_signature(api_secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(api_secret.encode(), str(timestamp_ms).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_card_headers(api_secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers of DingTalk's HTTP card callback; `timestamp` (ms) lets a test send a stale
    one. The body goes as is: it is not signed."""
    sent = _now_ms() if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "x-ddpaas-signature-timestamp": str(sent),
        "x-ddpaas-signature": http_signature(api_secret, sent),
    }


def bot_message(
    text: str,
    *,
    conversation_id: str = GROUP_ID,
    sender_staff_id: str,
    sender_nick: str,
    msg_id: str | None = None,
    at_robot: bool = True,
    conversation_type: str = "2",
    conversation_title: str = GROUP_TITLE,
    mentions: Mapping[str, str] | None = None,
    is_admin: bool = False,
    robot_code: str = ROBOT_CODE,
    corp_id: str = CORP_ID,
    created_at: int | None = None,
    session_webhook: str | None = None,
) -> dict[str, Any]:
    """A text message to the robot: in a group ("2") it must @ the robot to be delivered at
    all, and DingTalk strips the @name, leaving the text after a leading space. `mentions`
    are other staff @-ed too (staffId → nick). A 1:1 chat is conversation_type "1" with
    at_robot False. `created_at` is in milliseconds."""
    created = _now_ms() if created_at is None else created_at
    chatbot_user_id = _lwcp(robot_code)
    at_users: list[dict[str, str]] = []
    if at_robot:
        at_users.append({"dingtalkId": chatbot_user_id})
    for staff_id in mentions or {}:
        at_users.append({"dingtalkId": _lwcp(staff_id), "staffId": staff_id})
    message: dict[str, Any] = {
        "conversationId": conversation_id,
        "chatbotCorpId": corp_id,
        "chatbotUserId": chatbot_user_id,
        "msgId": msg_id or "msg" + base64.b64encode(uuid.uuid4().bytes).decode(),
        "senderNick": sender_nick,
        "isAdmin": is_admin,
        "senderStaffId": sender_staff_id,
        "sessionWebhookExpiredTime": created + SESSION_WEBHOOK_TTL_MS,
        "createAt": created,
        "senderCorpId": corp_id,
        "conversationType": conversation_type,
        "senderId": _lwcp(sender_staff_id),
        "isInAtList": at_robot,
        "sessionWebhook": session_webhook
        or "https://oapi.dingtalk.com/robot/sendBySession?session=" + uuid.uuid4().hex,
        "text": {"content": (" " + text) if at_robot else text},
        "robotCode": robot_code,
        "msgtype": "text",
    }
    if at_users:
        message["atUsers"] = at_users
    if conversation_type == "2":
        message["conversationTitle"] = conversation_title
    return message


def bot_sign(app_secret: str, timestamp_ms: int) -> str:
    message = f"{timestamp_ms}\n{app_secret}".encode()
    digest = hmac.new(app_secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_bot_headers(
    app_secret: str = APP_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Headers of DingTalk's HTTP robot message; the receiver should refuse a timestamp more
    than five minutes off, so a test passes an old `timestamp` (ms) to check it does."""
    sent = _now_ms() if timestamp is None else timestamp
    return {
        "Content-Type": "application/json; charset=utf-8",
        "timestamp": str(sent),
        "sign": bot_sign(app_secret, sent),
    }


_last_ms = 0


def _now_ms() -> int:
    """The time DingTalk signs, a millisecond later than the last request at least: each
    delivery is signed once, and baoxiu accepts each signature once."""
    global _last_ms
    _last_ms = max(int(time.time() * 1000), _last_ms + 1)
    return _last_ms


def _lwcp(seed: str) -> str:
    """DingTalk's encrypted user ids look like $:LWCP_v1:$<base64>."""
    digest = hashlib.sha256(seed.encode()).digest()[:18]
    return "$:LWCP_v1:$" + base64.b64encode(digest).decode()
