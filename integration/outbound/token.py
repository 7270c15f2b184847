"""A platform's access token, fetched asynchronously and kept until shortly before it ends.

Feishu's and DingTalk's tokens last two hours and are shared by every call of the app. One
fetch serves everyone waiting; a failed fetch is remembered for a moment, so that callers
queued behind it fail at once instead of each asking again (an outage would otherwise turn
into a storm of token requests).
"""

import asyncio
from collections.abc import Awaitable, Callable

from integration.outbound.errors import DeliveryError
from tickets.clock import Clock

EARLY_S = 300
"""Fetch a new token this long before the platform says the old one ends."""
RETRY_S = 1.0
"""After a failed fetch, callers within this long get the same failure."""


class CachedToken:
    def __init__(
        self,
        fetch: Callable[[], Awaitable[tuple[str, float]]],
        clock: Clock,
    ) -> None:
        """`fetch` returns a token and its lifetime in seconds, or raises DeliveryError."""
        self._fetch = fetch
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: tuple[str, float] | None = None
        self._failure: tuple[DeliveryError, float] | None = None

    async def get(self) -> str:
        async with self._lock:
            now = self._clock.monotonic()
            if self._token is not None and self._token[1] > now:
                return self._token[0]
            if self._failure is not None and self._failure[1] > now:
                raise self._failure[0]
            try:
                token, lifetime = await self._fetch()
            except DeliveryError as error:
                self._failure = (error, self._clock.monotonic() + RETRY_S)
                raise
            self._token = (token, self._clock.monotonic() + lifetime - EARLY_S)
            self._failure = None
            return token

    def forget(self) -> None:
        """The platform refused the token before its time (revoked, rotated)."""
        self._token = None
