"""The SLA outcome (按时 / 超时 / 进行中 / 无时限), one case per clause of its rule."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from tests.tickets.factories import T0, make_ticket
from tickets.model import Ticket
from tickets.sla_outcome import SlaOutcome, sla_outcome
from tickets.states import Status

M = timedelta(minutes=1)
NOW = T0 + 600 * M
MET, MISSED, RUNNING, NONE = (
    SlaOutcome.MET,
    SlaOutcome.MISSED,
    SlaOutcome.RUNNING,
    SlaOutcome.NONE,
)


def finished(late: str | None = None) -> Ticket:
    """Accepted at +10, started at +60, completed at +120 minutes, each at the very minute it
    was due; the `late` step a minute after."""

    def done(column: str, minutes: int) -> datetime:
        return T0 + minutes * M + (M if column == late else timedelta())

    return make_ticket(
        Status.CLOSED,
        accept_due=T0 + 10 * M,
        accepted_at=done("accepted_at", 10),
        arrive_due=T0 + 60 * M,
        started_at=done("started_at", 60),
        complete_due=T0 + 120 * M,
        completed_at=done("completed_at", 120),
    )


@pytest.mark.parametrize(
    ("ticket", "outcome"),
    [
        (finished(), MET),
        (finished("accepted_at"), MISSED),
        (finished("started_at"), MISSED),
        (finished("completed_at"), MISSED),
        (make_ticket(Status.CLOSED), NONE),  # no SLA policy, no deadlines
    ],
)
def test_a_finished_job_is_judged_by_when_each_step_was_done(
    ticket: Ticket, outcome: SlaOutcome
) -> None:
    assert sla_outcome(ticket, NOW) is outcome
    assert (
        outcome.label == {MET: "按时", MISSED: "超时", RUNNING: "进行中", NONE: "无时限"}[outcome]
    )


def test_an_open_job_runs_until_the_deadline_it_works_towards_passes() -> None:
    waiting = make_ticket(Status.NEW, accept_due=NOW + M)
    assert sla_outcome(waiting, NOW) is RUNNING
    assert sla_outcome(waiting, NOW + 2 * M) is MISSED
    accepted_late = make_ticket(
        Status.ASSIGNED, accept_due=T0, accepted_at=T0 + M, arrive_due=NOW + M
    )
    assert sla_outcome(accepted_late, NOW) is MISSED  # nothing can make it on time again


def test_a_pause_that_stops_the_clock_stops_the_deadline_passing() -> None:
    paused = make_ticket(
        Status.PAUSED,
        accept_due=T0 + 5 * M,
        accepted_at=T0,
        arrive_due=T0 + 60 * M,
        started_at=T0 + 30 * M,
        complete_due=NOW - M,
        clock_stopped_at=NOW - 2 * M,
    )
    assert sla_outcome(paused, NOW + 600 * M) is RUNNING
    assert (
        sla_outcome(replace(paused, clock_stopped_at=None), NOW) is MISSED
    )  # a pause on the crew's time


def test_a_reworked_job_waits_to_be_reached_again_whatever_its_first_visit() -> None:
    reworked = make_ticket(
        Status.ASSIGNED,
        accept_due=T0 + 5 * M,
        accepted_at=T0,
        arrive_due=NOW + 60 * M,  # restarted by the rework
        started_at=T0 + 30 * M,  # the first visit's
        rework_count=1,
    )
    assert sla_outcome(reworked, NOW) is RUNNING
    assert sla_outcome(reworked, NOW + 61 * M) is MISSED


def test_a_cancelled_job_is_judged_only_on_the_steps_it_took() -> None:
    never_taken = make_ticket(Status.CANCELLED, accept_due=T0 + 5 * M)
    assert sla_outcome(never_taken, NOW) is NONE
    taken = make_ticket(
        Status.CANCELLED, accept_due=T0 + 5 * M, accepted_at=T0, arrive_due=T0 + 60 * M
    )
    assert sla_outcome(taken, NOW) is MET
