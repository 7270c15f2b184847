"""Return visits, pure: which closed jobs get one and when, sent once, how it went."""

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.tickets.factories import T0, ctx, make_ticket
from tickets.actions import Command, Verb
from tickets.errors import IllegalTransition, InvalidInput, NothingDue
from tickets.events import VisitDue, Visited
from tickets.machine import Context, decide
from tickets.model import SYSTEM, Actor, Ticket
from tickets.people import Directory
from tickets.states import Status
from tickets.visits import (
    MAX_ATTEMPTS,
    VisitOutcome,
    VisitPolicy,
    VisitRule,
    VisitWhen,
)

LIN = Actor.member("lin")
NOW = T0 + timedelta(hours=1)
POLICY = VisitPolicy.of(
    [
        VisitRule(VisitWhen.ALWAYS, 3, "水电"),
        VisitRule(VisitWhen.IF_NOT_RATED, 7),
        VisitRule(VisitWhen.NEVER, 0, "电梯"),
    ]
)


def visits_ctx(directory: Directory, hours: int = 1) -> Context:
    return replace(ctx(directory), visits=POLICY, now=T0 + timedelta(hours=hours))


@pytest.mark.parametrize(
    ("category", "rating", "due"),
    [
        ("水电", None, NOW + timedelta(days=3)),
        ("水电", 5, NOW + timedelta(days=3)),  # always: rated or not
        ("土建", None, NOW + timedelta(days=7)),  # the rule for any other category
        ("土建", 4, None),  # the resident rated it: nobody wonders how it went
        ("电梯", None, None),
    ],
)
def test_the_category_decides_whether_and_when(
    category: str, rating: int | None, due: object
) -> None:
    ticket = make_ticket(Status.CLOSED, category=category, rating_overall=rating)
    assert POLICY.due(ticket, NOW) == due


def test_no_rule_no_visit() -> None:
    assert VisitPolicy({}).due(make_ticket(Status.CLOSED), NOW) is None


def test_closing_sets_the_visit_due(directory: Directory) -> None:
    close = Command(Verb.CLOSE, LIN, reason="业主电话确认")
    closed = decide(make_ticket(Status.COMPLETED), close, visits_ctx(directory)).ticket
    assert closed.visit_due_at == NOW + timedelta(days=3)
    unvisited = decide(make_ticket(Status.COMPLETED), close, ctx(directory)).ticket
    assert unvisited.visit_due_at is None


def _sent(ticket: Ticket, directory: Directory, hours: int) -> Ticket:
    transition = decide(ticket, Command(Verb.SEND_VISIT, SYSTEM), visits_ctx(directory, hours))
    assert transition.event.details == VisitDue(ticket.visit_attempt + 1)
    return transition.ticket


def test_a_due_visit_is_sent_once(directory: Directory) -> None:
    due = make_ticket(Status.CLOSED, visit_due_at=T0 + timedelta(hours=2))
    with pytest.raises(NothingDue):  # not yet
        decide(due, Command(Verb.SEND_VISIT, SYSTEM), visits_ctx(directory))
    sent = _sent(due, directory, 2)
    assert (sent.visit_due_at, sent.visit_attempt) == (None, 1)
    with pytest.raises(NothingDue, match="没有要做的回访"):
        decide(sent, Command(Verb.SEND_VISIT, SYSTEM), visits_ctx(directory, 3))


def test_the_agent_records_resolved_once(directory: Directory) -> None:
    sent = _sent(make_ticket(Status.CLOSED, visit_due_at=T0), directory, 1)
    visit = Command(Verb.VISIT, LIN, outcome=VisitOutcome.RESOLVED, note="业主说一直没再漏")
    done = decide(sent, visit, visits_ctx(directory))
    assert (done.ticket.visit_outcome, done.ticket.visit_due_at) == ("resolved", None)
    assert done.event.details == Visited("resolved", 1, "业主说一直没再漏")
    with pytest.raises(IllegalTransition, match="已经记录为「已解决」"):
        decide(done.ticket, visit, visits_ctx(directory))


def test_a_visit_not_yet_sent_has_no_outcome_to_record(directory: Directory) -> None:
    visit = Command(Verb.VISIT, LIN, outcome=VisitOutcome.RESOLVED)
    waiting = make_ticket(Status.CLOSED, visit_due_at=T0 + timedelta(days=1))
    with pytest.raises(IllegalTransition, match="没有待记录的回访"):
        decide(waiting, visit, visits_ctx(directory))


def test_an_outcome_must_be_chosen(directory: Directory) -> None:
    sent = _sent(make_ticket(Status.CLOSED, visit_due_at=T0), directory, 1)
    with pytest.raises(InvalidInput, match="请选择回访结果") as refused:
        decide(sent, Command(Verb.VISIT, LIN), visits_ctx(directory))
    assert refused.value.field == "outcome"


def test_an_unreachable_resident_is_called_next_day_three_times_in_all(
    directory: Directory,
) -> None:
    ticket = make_ticket(Status.CLOSED, visit_due_at=T0)
    unreachable = Command(Verb.VISIT, LIN, outcome=VisitOutcome.UNREACHABLE)
    hours = 1
    for attempt in range(1, MAX_ATTEMPTS + 1):
        ticket = _sent(ticket, directory, hours)
        outcome = decide(ticket, unreachable, visits_ctx(directory, hours))
        ticket = outcome.ticket
        assert isinstance(outcome.event.details, Visited)
        assert outcome.event.details.attempt == attempt
        if attempt < MAX_ATTEMPTS:
            again = T0 + timedelta(hours=hours, days=1)
            assert (ticket.visit_due_at, ticket.visit_outcome) == (again, None)
            assert outcome.event.details.again_at == again.isoformat()
        hours += 24
    assert (ticket.visit_due_at, ticket.visit_outcome, ticket.visit_attempt) == (
        None,
        "unreachable",
        3,
    )
