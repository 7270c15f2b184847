"""Pacing outbound calls under a platform's limits, per key (a chat, a message, the app).

Feishu allows 5 sends per second per group chat, counted by the platform over any second:
a leaky bucket (aiolimiter's model) lets a burst plus the refill through within one second,
which such a limit refuses. So this keeps the exact times of the last `limit` calls and
waits until the oldest is more than `window` old.

A call is stamped when it is answered, not when it leaves: the platform counted it at some
moment in between, and only the answer bounds that moment from above. Stamping at departure
lets a call that was slow on the way make the next one look early to the platform.
"""

import asyncio
import random
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tickets.clock import Clock

MARGIN = 0.05
"""Seconds added to each window: our clock and the platform's are not the same clock."""


class _Stamp:
    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class SlidingWindow:
    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        self.limit = limit
        self.window = window + MARGIN
        self._clock = clock
        self._calls: dict[str, deque[_Stamp]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def call(self, key: str) -> AsyncIterator[None]:
        """Hold the block until one more call for `key` stays within the limit; the call
        counts from when the block ends (its answer), or from its start while in flight."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            calls = self._calls.setdefault(key, deque(maxlen=self.limit))
            if len(calls) == self.limit:
                delay = calls[0].at + self.window - self._clock.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            stamp = _Stamp(self._clock.monotonic())
            calls.append(stamp)
        try:
            yield
        finally:
            stamp.at = self._clock.monotonic()


def backoff(attempt: int, *, first: float = 0.5, cap: float = 8.0) -> float:
    """Seconds before try `attempt + 1` of a failed call: doubling from `first` up to `cap`,
    jittered so that many callers failing together do not come back together."""
    return min(cap, first * 2.0**attempt) * random.uniform(0.5, 1.5)
