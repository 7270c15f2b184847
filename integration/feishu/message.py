"""A message in a Feishu chat as the robot reads it: its words without the bot's mention, the
images it carries, and the messages it answers.

Feishu gives a message's content as JSON in a string, shaped by its type (im-v1/message/events/
message_content): a text is `{"text": "@_user_1 3栋 漏水"}`, each `@_user_N` standing for a
mention the event lists in `mentions`; a post (rich text) is `{"title", "content"}`, paragraphs
of elements among which `text`, `a`, `at` (`user_id` holding the placeholder) and `img`
(`image_key`); an image is `{"image_key"}`. A message read back by id has the same content.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MESSAGE_RECEIVED = "im.message.receive_v1"
_PLACEHOLDER = re.compile(r"@_user_\d+")


@dataclass(frozen=True)
class Received:
    """A message from an `im.message.receive_v1` event."""

    message_id: str
    chat_id: str
    chat_type: str
    """"group", or "p2p" for a user's private chat with the bot."""
    sender: str
    """The writer's open_id."""
    mentions_bot: bool
    text: str
    """The words, the bot's mention taken out and anyone else's written as `@name`."""
    images: tuple[str, ...]
    """Keys of the images in the message itself."""
    answers: tuple[str, ...]
    """The message it replies to, then its thread's first message: where earlier photos are."""


def received(payload: Mapping[str, Any], bot_open_id: str) -> Received:
    event = payload.get("event") or {}
    message = event.get("message") or {}
    names: dict[str, str] = {}
    mentions_bot = False
    for mention in message.get("mentions") or []:
        is_bot = (mention.get("id") or {}).get("open_id") == bot_open_id
        mentions_bot = mentions_bot or is_bot
        names[str(mention.get("key"))] = "" if is_bot else f"@{mention.get('name', '')}"
    kind = str(message.get("message_type") or "")
    content = parse_content(message.get("content"))
    thread = [str(message.get(k) or "") for k in ("parent_id", "root_id")]
    return Received(
        message_id=str(message.get("message_id") or ""),
        chat_id=str(message.get("chat_id") or ""),
        chat_type=str(message.get("chat_type") or ""),
        sender=str(((event.get("sender") or {}).get("sender_id") or {}).get("open_id") or ""),
        mentions_bot=mentions_bot,
        text=words(kind, content, names).strip(),
        images=image_keys(kind, content),
        answers=tuple(dict.fromkeys(m for m in thread if m)),
    )


def parse_content(raw: object) -> dict[str, Any]:
    """The content's JSON; an empty one when it is not an object (a type we do not read)."""
    try:
        content = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return {}
    return content if isinstance(content, dict) else {}


def words(kind: str, content: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """The message's text; `names` says what each mention placeholder becomes."""
    if kind == "text":
        text = str(content.get("text") or "")
        return _PLACEHOLDER.sub(lambda m: names.get(m.group(), ""), text)
    if kind != "post":
        return ""
    lines = [str(content.get("title") or "")]
    lines += ["".join(_words(e, names) for e in p) for p in _paragraphs(content)]
    return "\n".join(line for line in lines if line.strip())


def image_keys(kind: str, content: Mapping[str, Any]) -> tuple[str, ...]:
    if kind == "image":
        key = content.get("image_key")
        return (key,) if isinstance(key, str) and key else ()
    if kind != "post":
        return ()
    return tuple(
        e["image_key"]
        for p in _paragraphs(content)
        for e in p
        if e.get("tag") == "img" and isinstance(e.get("image_key"), str)
    )


def _paragraphs(post: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    paragraphs = post.get("content")
    if not isinstance(paragraphs, list):
        return []
    return [[e for e in p if isinstance(e, dict)] for p in paragraphs if isinstance(p, list)]


def _words(element: Mapping[str, Any], names: Mapping[str, str]) -> str:
    tag = element.get("tag")
    if tag in ("text", "a"):
        return str(element.get("text") or "")
    if tag == "at":
        return names.get(str(element.get("user_id")), f"@{element.get('user_name', '')}")
    return ""
