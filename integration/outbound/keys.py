"""The keys that name what we post: a ticket's card once per chat, any other message once
per outbox row.

The delivery worker posts each card under its key; a platform that deduplicates by it
(Feishu's `uuid`) turns a resend after a crash into a no-op, and one that lets us name the card
(DingTalk's outTrackId) hands it back with every click, where its end says which chat the card
is in. So both the worker and DingTalk's click parser read these, and they live here rather
than in either.
"""

import hashlib

KEY_PREFIX = "bx-"


def delivery_key(ticket_id: int, platform: str, chat_id: str) -> str:
    """Stable per (ticket, chat) and at most 50 characters (Feishu's `uuid` limit).

    A platform that lets us name the card (DingTalk's outTrackId) gets this as its id, and
    a click naming the card tells, through `chat_digest`, which chat it was in.
    """
    return f"{KEY_PREFIX}{ticket_id}-{chat_digest(platform, chat_id)}"


def repost_key(ticket_id: int, platform: str, chat_id: str, replacing: str) -> str:
    """The key of a card posted anew in place of the message `replacing`, which can no
    longer be edited. It differs from the first post's key, which Feishu would answer for an
    hour with the old message, and from the key of the card before (a tag of the message it
    replaces), yet a resend after a crash gets the same key. 50 characters for a ticket id
    of up to nine digits."""
    tag = hashlib.sha256(replacing.encode()).hexdigest()[:4]
    return f"{KEY_PREFIX}{ticket_id}.{tag}-{chat_digest(platform, chat_id)}"


def message_key(row_id: int, platform: str, chat_id: str) -> str:
    """Stable per outbox row: a note, reminder or report is posted once per row."""
    return f"{KEY_PREFIX}m{row_id}-{chat_digest(platform, chat_id)}"


def chat_digest(platform: str, chat_id: str) -> str:
    return hashlib.sha256(f"{platform}:{chat_id}".encode()).hexdigest()[:32]


def digest_of_key(key: str) -> str | None:
    """The chat digest a delivery or message key ends with, or None for a key not ours."""
    owner, _, digest = key.removeprefix(KEY_PREFIX).partition("-")
    number = owner.removeprefix("m").partition(".")[0]
    ok = key.startswith(KEY_PREFIX) and number.isdigit() and len(digest) == 32
    return digest if ok else None
