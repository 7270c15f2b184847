"""Closes completed jobs the resident never confirmed, `[sla] auto_close_days` after 完工.

Like the SLA watcher (jobs/watch.py), it asks the database for due tickets through an index
(`ticket.auto_close_at`) and has the core close each one (`TicketService.auto_close`), which
re-checks under the row lock and clears `auto_close_at` in the closing transaction: several
replicas, a restart or a late run close each ticket once, as 系统自动结单（业主未确认）.
"""

from jobs.watch import BATCH, Watch
from tickets.service import TicketService


class AutoClose(Watch):
    def __init__(self, service: TicketService, batch: int = BATCH) -> None:
        super().__init__(service.due_auto_closes, service.auto_close, batch)
