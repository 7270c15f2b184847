"""The SLA watcher: sends each overdue ticket's due escalation steps, on its own.

Every `check_seconds` (APScheduler, coalesced, one run at a time per process) it asks the
database for tickets whose next step is due, through the index on `ticket.escalate_at`, and
has the core send each one (`TicketService.escalate`). It holds no rule of its own and needs
no lock of its own: the core re-checks each ticket under its row lock and moves `escalate_at`
on in the transaction that sends the step, so several replicas, a restart or a late run send
each step once, and a run missed while nothing was running is caught up by the next.
"""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from tickets.service import TicketService

log = logging.getLogger(__name__)

BATCH = 200
"""Tickets fetched at a time: a backlog after downtime is worked through in batches."""


class SlaWatch:
    def __init__(self, service: TicketService, batch: int = BATCH) -> None:
        self._service = service
        self._batch = batch

    async def run_once(self) -> int:
        """Send every step due now, several of one ticket's when it has been waiting (a
        run missed while nothing was running); returns how many this run sent. A ticket
        that fails is logged and left for the next run, never holding up the others."""
        sent = 0
        while True:
            numbers = await self._service.due_escalations(self._batch)
            progressed = 0
            for number in numbers:
                try:
                    if await self._service.escalate(number) is not None:
                        progressed += 1
                except Exception:
                    log.exception("could not escalate %s", number)
            sent += progressed
            if progressed == 0:  # each step sent moves its ticket on: this ends
                return sent


@asynccontextmanager
async def watching(
    every_s: float, **jobs: Callable[[], Awaitable[int]]
) -> AsyncIterator[AsyncIOScheduler]:
    """The watchers `jobs` (by name) on a schedule for as long as the block runs: a first run
    at once (to catch up after a restart), then every `every_s` seconds; a run still going
    when the next is due makes the next wait, never run beside it."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    for name, run_once in jobs.items():
        scheduler.add_job(run_once, id=f"{name}_catch_up")  # once, as soon as it starts
        scheduler.add_job(
            run_once,
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
