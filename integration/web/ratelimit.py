"""Reports per client, counted in this process.

Several replicas each count on their own; a shared limiter belongs with the production set-up.
The client is `request.remote`: X-Forwarded-For is not trusted, so behind a reverse proxy every
resident shares the proxy's address and its limit, and a trusted-proxy setting is needed there
first.
"""

from tickets.clock import Clock

REPORT_LIMIT = 5
REPORT_WINDOW_S = 600.0


class ReportLimiter:
    """At most `limit` reports per client in a sliding window of `window` seconds.

    A report is counted by its form key, so resending the same form costs nothing more. The
    resident's form takes its token as soon as the key, its first field, is read: before the
    photos (integration/web/report_form.py says why the key and not the client alone).
    `limits`, the well-kept library for this, counts hits rather than distinct forms, and
    would be a new dependency for a dozen lines.
    """

    def __init__(
        self, clock: Clock, limit: int = REPORT_LIMIT, window: float = REPORT_WINDOW_S
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[str, dict[str, float]] = {}

    def take(self, client: str, key: str) -> float:
        """Count the report and answer 0, or answer the seconds until the client may report."""
        wait = self.wait(client, key)
        if not wait:
            self._seen.setdefault(client, {}).setdefault(key, self._clock.monotonic())
        return wait

    def wait(self, client: str, key: str) -> float:
        """The seconds until the client may send this report; 0 now. Counts nothing: for a
        caller that must ask more than one limiter before any of them counts."""
        now = self._clock.monotonic()
        self._forget(now - self.window)
        mine = self._seen.get(client, {})
        if key in mine or len(mine) < self.limit:
            return 0.0
        return min(mine.values()) + self.window - now

    def _forget(self, before: float) -> None:
        for client, keys in list(self._seen.items()):
            kept = {key: at for key, at in keys.items() if at > before}
            if kept:
                self._seen[client] = kept
            else:
                del self._seen[client]
