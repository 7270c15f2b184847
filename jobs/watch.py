"""What every watcher does: work through the tickets whose indexed due time has come, and run
on a schedule for as long as the app does.

A watcher holds no rule and no lock of its own: it asks the core for the numbers due (a
range scan of the due time's index) and has the core act on each; the core re-checks under
the row lock and moves or clears the due time in the transaction that acts, so several
replicas, a restart or a late run act on each due time once, and a run missed while nothing
was running is caught up by the next.
"""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, time
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

BATCH = 200
"""Tickets fetched at a time: a backlog after downtime is worked through in batches."""


class Watch:
    def __init__(
        self,
        due: Callable[[int], Awaitable[list[str]]],
        act: Callable[[str], Awaitable[object | None]],
        batch: int = BATCH,
    ) -> None:
        """`due(limit)` names tickets due now; `act(number)` does what is due, or returns
        None when nothing is any more (another watcher did it)."""
        self._due = due
        self._act = act
        self._batch = batch

    async def run_once(self) -> int:
        """Act on everything due now, several times on one ticket when it has been waiting
        (a run missed while nothing was running); returns how many times this run acted. A
        ticket that fails is logged and left for the next run, never holding up the others."""
        done = 0
        while True:
            numbers = await self._due(self._batch)
            progressed = 0
            for number in numbers:
                try:
                    if await self._act(number) is not None:
                        progressed += 1
                except Exception:
                    log.exception("could not act on %s", number)
            done += progressed
            if progressed == 0:  # each action moves its ticket's due time on: this ends
                return done


def at_time(
    scheduler: AsyncIOScheduler,
    name: str,
    run: Callable[[], Awaitable[object]],
    at: time,
    tz: ZoneInfo,
    day_of_week: str = "*",
) -> None:
    """`run` at `at` of each `day_of_week` (APScheduler's cron: "mon", "*"), site time, and
    once at start-up, which catches up a run missed while nothing was running: `run` itself
    knows whether its moment has come and whether it went out already."""
    scheduler.add_job(run, id=f"{name}_catch_up")
    trigger = CronTrigger(day_of_week=day_of_week, hour=at.hour, minute=at.minute, timezone=tz)
    scheduler.add_job(run, trigger, id=name, coalesce=True, max_instances=1)


@asynccontextmanager
async def watching(watches: Mapping[str, Watch], every_s: float) -> AsyncIterator[AsyncIOScheduler]:
    """The watchers on one schedule for as long as the block runs: each runs at once (to
    catch up after a restart), then every `every_s` seconds; a run still going when the
    next is due makes the next wait, never run beside it."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    for name, watch in watches.items():
        scheduler.add_job(watch.run_once, id=f"{name}_catch_up")  # once, as soon as it starts
        scheduler.add_job(
            watch.run_once,
            "interval",
            seconds=every_s,
            id=name,
            coalesce=True,
            max_instances=1,
        )
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)
