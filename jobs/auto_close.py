"""Closes completed jobs the resident never confirmed, `[sla] auto_close_days` after 完工.

Like the SLA watcher, it asks the database for due tickets through an index
(`ticket.auto_close_at`) and has the core close each one (`TicketService.auto_close`), which
re-checks under the row lock and clears `auto_close_at` in the closing transaction: several
replicas, a restart or a late run close each ticket once, as 系统自动结单（业主未确认）.
"""

import logging

from tickets.service import TicketService

log = logging.getLogger(__name__)

BATCH = 200


class AutoClose:
    def __init__(self, service: TicketService, batch: int = BATCH) -> None:
        self._service = service
        self._batch = batch

    async def run_once(self) -> int:
        """Close every ticket due now; returns how many this run closed. A ticket that fails,
        or that another watcher got to first, is not asked about again in this run."""
        closed = 0
        asked: set[str] = set()
        while True:
            due = await self._service.due_auto_closes(self._batch)
            numbers = [number for number in due if number not in asked]
            if not numbers:
                return closed
            for number in numbers:
                asked.add(number)
                try:
                    if await self._service.auto_close(number) is not None:
                        closed += 1
                except Exception:
                    log.exception("could not close %s", number)
