"""The SLA watcher: sends each overdue ticket's due escalation steps, on its own.

Every `check_seconds` (jobs/watch.py) it asks the database for tickets whose next step is
due, through the index on `ticket.escalate_at`, and has the core send each one
(`TicketService.escalate`), which moves `escalate_at` on in the transaction that sends the
step: several replicas send each step once.
"""

from jobs.watch import BATCH, Watch
from tickets.service import TicketService


class SlaWatch(Watch):
    def __init__(self, service: TicketService, batch: int = BATCH) -> None:
        super().__init__(service.due_escalations, service.escalate, batch)
