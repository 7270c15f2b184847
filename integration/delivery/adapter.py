"""What the delivery worker needs from a chat platform, and how a platform says "not now"."""

from typing import Protocol

from cards.model import Card


class DeliveryError(Exception):
    """A send or update that failed. Only `retryable` ones (rate limits, 5xx, timeouts) are
    tried again; the rest are recorded and left for a person."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class ChatAdapter(Protocol):
    async def post(self, chat_id: str, card: Card, key: str) -> str:
        """Post a new card; returns the platform's message id.

        `key` is stable for one card in one chat: a platform that deduplicates by it (Feishu's
        `uuid`) turns a resend after a crash into a no-op.
        """
        ...

    async def edit(self, message_id: str, card: Card) -> None:
        """Replace a posted card in place."""
        ...

    async def send(self, chat_id: str, card: Card, key: str) -> None:
        """Send a card that has nothing to click and is never edited (a note, a report):
        a platform with a lighter kind of message than an interactive card uses it."""
        ...
