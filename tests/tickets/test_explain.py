"""`baoxiu sla explain` says what the core stored: each change's deadline counted as the
core counted it, the resident's appointment included."""

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.reports import AGENT
from tests.tickets.factories import T0, ctx, make_ticket
from tests.tickets.test_worktime import POLICY
from tickets.actions import Command, Verb
from tickets.explain import explain
from tickets.machine import created, decide
from tickets.model import Actor, Event, Ticket
from tickets.people import Directory
from tickets.states import Source, Status, Urgency

SHANGHAI = ZoneInfo("Asia/Shanghai")
LI = Actor.member("li")


def local(due: datetime | None) -> str:
    assert due is not None
    return due.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def test_a_rescheduled_jobs_explanation_matches_its_stored_deadlines(
    directory: Directory,
) -> None:
    """An emergency (30 minutes to arrive) whose resident asked for a visit in three hours:
    李师傅 claims it, is due at the visit, moves it to five hours, then starts."""
    asked = T0 + timedelta(hours=3)
    ticket = make_ticket(Status.NEW, urgency=Urgency.EMERGENCY, appointment_at=asked)
    events: list[Event] = [created(ticket, AGENT, directory, Source.API)]
    stored: list[str] = []

    def act(ticket: Ticket, command: Command, minutes: int) -> Ticket:
        at = replace(ctx(directory, POLICY), now=T0 + timedelta(minutes=minutes))
        step = decide(ticket, command, at)
        events.append(step.event)
        return step.ticket

    claimed = act(ticket, Command(Verb.CLAIM, LI), 10)
    assert claimed.arrive_due == asked  # nobody is late for the visit the resident asked for
    stored.append(local(claimed.arrive_due))
    moved = T0 + timedelta(hours=5)
    rescheduled = act(claimed, Command(Verb.RESCHEDULE, LI, at=moved, reason="业主临时有事"), 20)
    assert rescheduled.arrive_due == moved
    stored.append(local(rescheduled.arrive_due))
    started = act(rescheduled, Command(Verb.START, LI), 290)
    stored.append(local(started.complete_due))

    lines = explain(POLICY, started, events, SHANGHAI)
    said = [line for line in lines[1:] if "截止" in line]
    assert len(said) == 5, lines  # accept, arrive, the move, complete, and what runs now
    assert said[1].endswith(f"接单：到场按业主约定的上门时间，截止 {stored[0]}"), lines
    assert said[2].endswith(f"改约上门时间：到场截止改为 {stored[1]}"), lines
    assert said[3].endswith(f"截止 {stored[2]}") and "完工时限 4小时" in said[3], lines
    assert said[4] == f"现在计时：完工截止 {stored[2]}"
