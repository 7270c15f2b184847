"""The one fake clock of the tests: wall time and monotonic time move together, by hand.

It is what `tickets.clock.Clock` is in production, so the service, the delivery worker, the
resident pages, the platform clients' pacing and tokens and the jobs all read it; the fake
platforms take its `monotonic` for their own limits and expiries.
"""

from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
"""10:00 on a Saturday in Beijing."""


class FakeClock:
    def __init__(self, start: datetime = START) -> None:
        self.at = start
        self.seconds = 1000.0

    def now(self) -> datetime:
        return self.at

    def monotonic(self) -> float:
        return self.seconds

    def advance(self, **kwargs: float) -> None:
        """Move both times on by `timedelta(**kwargs)`."""
        step = timedelta(**kwargs)
        self.at += step
        self.seconds += step.total_seconds()
