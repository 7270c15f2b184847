"""What the delivery worker needs from a chat platform: the port it sends cards through.

It stays beside the worker, not in `integration.outbound` with the clients' toolkit, because
the worker is what asks for it: each platform's adapter fits it without importing it, and only
the composition root, which hands the adapters to the worker, names it. How a platform says
"not now" (`DeliveryError`) is the clients' own, and lives in the toolkit.
"""

from datetime import timedelta
from typing import Protocol

from cards.model import Card


class ChatAdapter(Protocol):
    @property
    def repost_after(self) -> timedelta | None:
        """How old a posted card may be before a change posts a fresh one instead of editing
        it: a platform that stops taking edits (and clicks) after a while says so, with a
        margin so that the fresh card has its whole time ahead. None: a card never ages."""
        ...

    async def post(self, chat_id: str, card: Card, key: str) -> str:
        """Post a new card; returns the platform's message id.

        `key` is stable for one card in one chat: a platform that deduplicates by it (Feishu's
        `uuid`) turns a resend after a crash into a no-op.
        """
        ...

    async def edit(self, message_id: str, card: Card) -> None:
        """Replace a posted card in place; `MessageFrozen` when the platform will no longer
        edit that message (recalled, too old), so that the worker posts it anew."""
        ...

    async def send(self, chat_id: str, card: Card, key: str) -> None:
        """Send a card that has nothing to click and is never edited (a note, a report):
        a platform with a lighter kind of message than an interactive card uses it."""
        ...
