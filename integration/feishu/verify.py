"""Checking that a callback really comes from Feishu, and opening encrypted ones.

Feishu signs a request only when an encrypt key is configured: sha256 over timestamp, nonce,
key and the raw body. Bodies are then AES-256-CBC encrypted with the key's SHA-256, the IV in
front. The signature is checked before anything is decrypted, and every failure is the same
refusal: an answer that told bad padding from bad JSON let an attacker decrypt byte by byte
(a padding oracle). Only the URL check Feishu makes when the address is saved comes unsigned,
and an unsigned body is accepted as nothing else. The verification token sits inside the
(decrypted) body. A request older than five minutes is refused, so a captured one cannot be
replayed later; within that window, event ids make a repeated delivery take effect once.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tickets.clock import Clock

MAX_AGE_S = 300


class Rejected(Exception):
    """Not a genuine, fresh Feishu callback. The message is for our logs, not for Feishu."""


def decrypt(encrypted: str, encrypt_key: str) -> bytes:
    try:
        raw = base64.b64decode(encrypted, validate=True)
        key = hashlib.sha256(encrypt_key.encode()).digest()
        decryptor = Cipher(algorithms.AES(key), modes.CBC(raw[:16])).decryptor()
        padded = decryptor.update(raw[16:]) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as error:
        raise Rejected(f"cannot decrypt: {error}") from error


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def open_callback(
    headers: Mapping[str, str],
    body: bytes,
    *,
    encrypt_key: str | None,
    verification_token: str | None,
    clock: Clock,
) -> dict[str, Any]:
    """The callback's JSON, once signature, age, encryption and token check out."""
    try:
        outer = json.loads(body)
    except ValueError as error:
        raise Rejected("body is not JSON") from error
    if not isinstance(outer, dict):
        raise Rejected("body is not a JSON object")
    if "encrypt" in outer:
        if not encrypt_key:
            raise Rejected("encrypted body but no encrypt_key configured")
        signed = _signed(headers)
        if signed:  # before the ciphertext is touched: no answer can tell how it decrypted
            _check_signature(headers, body, encrypt_key, clock)
        payload = _json(decrypt(str(outer["encrypt"]), encrypt_key))
        if not signed and payload.get("type") != "url_verification":
            raise Rejected("signature headers missing")
    else:
        if encrypt_key:
            raise Rejected("plain body while an encrypt_key is configured")
        payload = outer
    verifying_url = payload.get("type") == "url_verification"
    token = payload.get("token") if verifying_url else payload.get("header", {}).get("token")
    if verification_token and not hmac.compare_digest(str(token), verification_token):
        raise Rejected("verification token does not match")
    return payload


def _json(plain: bytes) -> dict[str, Any]:
    """The decrypted payload; whatever is wrong with it is the same refusal as a bad key."""
    try:
        payload = json.loads(plain)
    except ValueError as error:
        raise Rejected("decrypted body is not JSON") from error
    if not isinstance(payload, dict):
        raise Rejected("payload is not a JSON object")
    return payload


def _signed(headers: Mapping[str, str]) -> bool:
    """Feishu signs every callback but the URL check it makes when the URL is saved."""
    return any(headers.get(h) for h in ("X-Lark-Signature", "X-Lark-Request-Timestamp"))


def _check_signature(
    headers: Mapping[str, str], body: bytes, encrypt_key: str, clock: Clock
) -> None:
    timestamp = headers.get("X-Lark-Request-Timestamp", "")
    nonce = headers.get("X-Lark-Request-Nonce", "")
    given = headers.get("X-Lark-Signature", "")
    if not (timestamp and nonce and given):
        raise Rejected("signature headers missing")
    try:
        age = abs(clock.now().timestamp() - int(timestamp))
    except ValueError as error:
        raise Rejected("timestamp is not a number") from error
    if age > MAX_AGE_S:
        raise Rejected(f"request is {age:.0f} s old")
    if not hmac.compare_digest(signature(timestamp, nonce, encrypt_key, body), given):
        raise Rejected("signature does not match")
