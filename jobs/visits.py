"""The return-visit watcher: puts each closed ticket's due visit (回访) on the agents' chat.

Every `check_seconds` (jobs/watch.py) it asks the database for tickets whose visit is due,
through the index on `ticket.visit_due_at`, and has the core send each one
(`TicketService.send_visit`), which clears the due time in the transaction that posts the
card: several replicas send each visit once. An unreachable resident's next call is a new
due time, found the same way a day later.
"""

from jobs.watch import BATCH, Watch
from tickets.service import TicketService


class VisitWatch(Watch):
    def __init__(self, service: TicketService, batch: int = BATCH) -> None:
        super().__init__(service.due_visits, service.send_visit, batch)
