"""Whether a ticket kept its SLA promise (按时 / 超时 / 进行中 / 无时限): one definition for
the export, the statistics and anything else that counts it.

The statistics compute the same rule in SQL over the ticket table; `sla_outcome` says it in
terms of the columns it reads, so the two can be checked against each other.
"""

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tickets.deadlines import Step
from tickets.escalation import WATCHED
from tickets.states import Status


class SlaOutcome(StrEnum):
    MET = "met"
    MISSED = "missed"
    RUNNING = "running"
    NONE = "none"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    SlaOutcome.MET: "按时",
    SlaOutcome.MISSED: "超时",
    SlaOutcome.RUNNING: "进行中",
    SlaOutcome.NONE: "无时限",
}


class Timed(Protocol):
    """The columns the rule reads: a `Ticket` has them, and so does an export's row."""

    @property
    def status(self) -> Status: ...
    @property
    def accept_due(self) -> datetime | None: ...
    @property
    def arrive_due(self) -> datetime | None: ...
    @property
    def complete_due(self) -> datetime | None: ...
    @property
    def accepted_at(self) -> datetime | None: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def completed_at(self) -> datetime | None: ...
    @property
    def clock_stopped_at(self) -> datetime | None: ...


DONE_AT: Mapping[Step, str] = {
    Step.ACCEPT: "accepted_at",
    Step.ARRIVE: "started_at",
    Step.COMPLETE: "completed_at",
}
"""The moment each step's deadline is judged by: its `{step}_due` against this column."""


def sla_outcome(ticket: Timed, now: datetime) -> SlaOutcome:
    """The ticket's SLA outcome at `now`: MET when every deadline it had was met, MISSED when
    any was missed, RUNNING while a deadline is still ahead and none was missed, NONE when no
    deadline applies (no policy, or a job called off before its first step).

    Each deadline column that is set (`accept_due`, `arrive_due`, `complete_due`) is judged on
    its own:

    - the step the open job works towards now (new: accept, assigned: arrive, in progress or
      paused: complete) is MISSED once its deadline has passed: `{step}_due < now`, or
      `< clock_stopped_at` while a pause for parts or the resident stops the clock; until
      then it is RUNNING. Its done column is not read: a reworked job keeps the `started_at`
      of its first visit while it waits to be reached again;
    - any other step is MET when it was done by its deadline (`accepted_at <= accept_due`,
      `started_at <= arrive_due`, `completed_at <= complete_due`), MISSED when done after it,
      and does not count when it was never done (a cancelled job's later steps).

    Then MISSED wins over RUNNING, RUNNING over MET, and a ticket with nothing judged is NONE.

    The ticket keeps only its latest deadlines (extended, 延期, or restarted by a transfer or
    a rework) and the latest time each step was done, and that is what is judged. So a job
    transferred to another technician after its accept deadline counts as accepted late, since
    the transfer sets `accepted_at` anew.
    """
    working = WATCHED.get(ticket.status)
    clock = ticket.clock_stopped_at or now
    verdicts = set()
    for step, done_column in DONE_AT.items():
        due: datetime | None = getattr(ticket, f"{step.value}_due")
        done: datetime | None = getattr(ticket, done_column)
        if due is None:
            continue
        if step is working:
            verdicts.add(SlaOutcome.MISSED if due < clock else SlaOutcome.RUNNING)
        elif done is not None:
            verdicts.add(SlaOutcome.MET if done <= due else SlaOutcome.MISSED)
    for outcome in (SlaOutcome.MISSED, SlaOutcome.RUNNING, SlaOutcome.MET):
        if outcome in verdicts:
            return outcome
    return SlaOutcome.NONE
