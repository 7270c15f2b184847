"""The one clock: every part of baoxiu that reads the time reads it here.

Passed from the composition root to the service, the delivery worker, the platform clients'
pacing and tokens, the resident pages' rate limits and the jobs, so that a test moves all of
them together with one fake clock, and a job's "overdue" is judged by the same time as the
click that made the ticket overdue.
"""

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The wall-clock time, UTC-aware: what is stored and shown."""
        ...

    def monotonic(self) -> float:
        """Seconds that never go backwards: for rate limits, pacing and expiries."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()
