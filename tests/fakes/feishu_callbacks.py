"""Callback requests built as Feishu sends them, to test the webhook end to end.

Feishu posts a click (schema 2.0 `card.action.trigger`), or an event such as a received
message (`im.message.receive_v1`), to the app's request URL. With an
encrypt key configured, the JSON travels as {"encrypt": base64(iv + AES-256-CBC(PKCS7))}, the
AES key being SHA-256 of the encrypt key, and X-Lark-Signature is sha256(timestamp + nonce +
encrypt key + raw body). The verification token sits inside the JSON. The tests of this
module check both algorithms against lark-oapi's own decryptor and verifier.
"""

import base64
import copy
import hashlib
import json
import os
import secrets
import time
import uuid
from collections.abc import Mapping
from typing import Any, Final

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.fakes.feishu import APP_ID, TENANT_KEY, Mention, Said

VERIFICATION_TOKEN: Final = "066zT6pS4QCbgj5Do145GfDbbagfake"
ENCRYPT_KEY: Final = "fake-encrypt-key-0123456789"
OPERATOR: Final = "ou_3c14f3a59eaf2825dbe25359f15fa4e1"
MESSAGE_ID: Final = "om_574d639e4a44e4dd646eaf628e2f1a2b"
CHAT_ID: Final = "oc_e4d2605ca917e695f54f11aaf56f3c4d"


def card_action(
    value: Mapping[str, Any],
    *,
    form_value: Mapping[str, Any] | None = None,
    operator: str = OPERATOR,
    message_id: str = MESSAGE_ID,
    chat_id: str = CHAT_ID,
    token: str | None = None,
    event_id: str | None = None,
    name: str | None = None,
    tag: str = "button",
    verification_token: str = VERIFICATION_TOKEN,
    created: float | None = None,
) -> dict[str, Any]:
    """A click on a card's button (`value` is its callback value) or a form submission
    (`form_value` holds the fields by name), shaped like Feishu's documented sample.
    `token` is the `c-…` token for a delayed update; `created` is in seconds."""
    created_us = int((time.time() if created is None else created) * 1_000_000)
    action: dict[str, Any] = {"value": dict(value), "tag": tag, "timezone": "Asia/Shanghai"}
    if form_value is not None:
        action["form_value"] = dict(form_value)
    if name is not None:
        action["name"] = name
    return {
        "schema": "2.0",
        "header": {
            "event_id": event_id or uuid.uuid4().hex,
            "token": verification_token,
            "create_time": str(created_us),
            "event_type": "card.action.trigger",
            "tenant_key": TENANT_KEY,
            "app_id": APP_ID,
        },
        "event": {
            "operator": {"tenant_key": TENANT_KEY, **_user_ids(operator)},
            "token": token or "c-" + secrets.token_hex(20),
            "action": action,
            "host": "im_message",
            "context": {"open_message_id": message_id, "open_chat_id": chat_id},
        },
    }


def message_received(
    said: Said,
    *,
    event_id: str | None = None,
    verification_token: str = VERIFICATION_TOKEN,
) -> dict[str, Any]:
    """The event of a user's message the bot may read (im-v1/message/events/receive): in
    groups, by default, only messages that @-mention it. Unlike im-v1/message/get, the
    sender and each mention carry their ids as an object. A redelivery keeps `event_id`."""
    millis = str(int(time.time() * 1000))
    message: dict[str, Any] = {
        "message_id": said.message_id,
        "create_time": millis,
        "update_time": millis,
        "chat_id": said.chat_id,
        "chat_type": said.chat_type,
        "message_type": said.msg_type,
        "content": json.dumps(said.content, ensure_ascii=False),
        "mentions": [_mentioned(m) for m in said.mentions],
        "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Lark/7.20.0",
    }
    for name in ("root_id", "parent_id", "thread_id"):
        if getattr(said, name) is not None:
            message[name] = getattr(said, name)
    return {
        "schema": "2.0",
        "header": {
            "event_id": event_id or uuid.uuid4().hex,
            "token": verification_token,
            "create_time": millis,
            "event_type": "im.message.receive_v1",
            "tenant_key": TENANT_KEY,
            "app_id": APP_ID,
        },
        "event": {
            "sender": {
                "sender_id": _user_ids(said.sender),
                "sender_type": "user",
                "tenant_key": TENANT_KEY,
            },
            "message": message,
        },
    }


def _mentioned(mention: Mention) -> dict[str, Any]:
    return {
        "key": mention.key,
        "id": _user_ids(mention.open_id),
        "name": mention.name,
        "tenant_key": TENANT_KEY,
    }


def _user_ids(open_id: str) -> dict[str, str]:
    suffix = hashlib.sha256(open_id.encode()).hexdigest()
    return {"union_id": "on_" + suffix[:32], "user_id": suffix[:8], "open_id": open_id}


def url_verification(token: str, challenge: str) -> dict[str, Any]:
    """What Feishu posts when the request URL is saved; the answer must echo `challenge`."""
    return {"challenge": challenge, "token": token, "type": "url_verification"}


def encrypt(body: Mapping[str, Any] | bytes, encrypt_key: str) -> dict[str, str]:
    plain = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    key = hashlib.sha256(encrypt_key.encode()).digest()
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    sealed = encryptor.update(padded) + encryptor.finalize()
    return {"encrypt": base64.b64encode(iv + sealed).decode()}


def sign(timestamp: str, nonce: str, encrypt_key: str, raw_body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + raw_body).hexdigest()


def signed_request(
    payload: Mapping[str, Any],
    encrypt_key: str | None,
    verification_token: str,
    timestamp: int | None = None,
) -> tuple[dict[str, str], bytes]:
    """Headers and raw body of the POST Feishu makes: the token set where the payload's
    schema keeps it, the body encrypted when there is an encrypt key, then signed.
    `timestamp` (Unix seconds) lets a test send a stale request."""
    message = copy.deepcopy(dict(payload))
    if message.get("schema") == "2.0":
        message["header"]["token"] = verification_token
    else:
        message["token"] = verification_token
    body = encrypt(message, encrypt_key) if encrypt_key else message
    raw = json.dumps(body, ensure_ascii=False).encode()
    sent = str(int(time.time()) if timestamp is None else timestamp)
    nonce = str(secrets.randbelow(10**10))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Lark-Request-Timestamp": sent,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": sign(sent, nonce, encrypt_key or "", raw),
    }
    return headers, raw
