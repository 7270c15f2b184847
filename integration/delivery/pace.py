"""Pacing outbound calls under a platform's limits, per key (a chat, a message, the app).

Feishu allows 5 sends per second per group chat, counted by the platform over any second:
a leaky bucket (aiolimiter's model) lets a burst plus the refill through within one second,
which such a limit refuses. So this keeps the exact send times and waits until the oldest of
the last `limit` sends is more than `window` old, with a small margin for clock skew.
"""

import asyncio
import time
from collections import deque
from collections.abc import Callable

MARGIN = 0.05
"""Seconds added to each window: our clock and the platform's are not the same clock."""


class SlidingWindow:
    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window + MARGIN
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, key: str) -> None:
        """Return when one more call for `key` stays within the limit, and count it."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            sent = self._sent.setdefault(key, deque(maxlen=self.limit))
            if len(sent) == self.limit:
                delay = sent[0] + self.window - self._clock()
                if delay > 0:
                    await asyncio.sleep(delay)
            sent.append(self._clock())
