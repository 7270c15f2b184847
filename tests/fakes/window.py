"""Call times per key, as a platform counts them for its rate limits (shared by the fakes)."""

from bisect import bisect_right
from collections import defaultdict


class Window:
    """Call times per key, for limits counted over any one-second (or minute) span."""

    def __init__(self, limit: int, span: float) -> None:
        self.limit = limit
        self.span = span
        self.times: defaultdict[str, list[float]] = defaultdict(list)

    def wait(self, key: str, now: float) -> float:
        """Seconds until one more call under `key` fits; 0 when it fits now."""
        times = self.times[key]
        recent = times[bisect_right(times, now - self.span) :]
        if len(recent) < self.limit:
            return 0.0
        return recent[-self.limit] + self.span - now

    def add(self, key: str, now: float) -> None:
        self.times[key].append(now)

    def busiest(self, key: str) -> int:
        """The most calls under `key` within any one span."""
        times = self.times.get(key, [])
        best = start = 0
        for end, at in enumerate(times):
            while at - times[start] >= self.span:
                start += 1
            best = max(best, end - start + 1)
        return best
