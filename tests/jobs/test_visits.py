"""Return visits on real databases with the fake clock: a closed job's visit comes due after
its category's days, goes on the agents' chat once however many watchers run, and the agent
records how it went: resolved, unreachable (called again next day, three times), recurred (one
new ticket, linked)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import Settings
from jobs.sla_watch import SlaWatch
from jobs.visits import VisitWatch
from storage.engine import create_engine
from storage.tables import OutboxRow, TicketRow
from tests.clock import FakeClock as Clock
from tests.reports import AGENT, draft
from tests.storage.conftest import ServiceFor
from tickets.actions import Command, Verb
from tickets.errors import IllegalTransition
from tickets.events import EventKind, Visited
from tickets.model import Actor, Ticket
from tickets.rating import Agreement
from tickets.service import TicketService
from tickets.states import Source, Status
from tickets.visits import VisitOutcome

LI, CHEN = Actor.member("li"), Actor.member("chen")


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


async def closed(service: TicketService, category: str = "水电") -> Ticket:
    """A job of `category` done, confirmed by the agent for the resident, and closed."""
    ticket = (await service.open(draft(category), AGENT, Source.API)).ticket
    number = ticket.number
    if ticket.assignee_id is None:
        team = service.directory.teams[ticket.team_id]
        technician = service.directory.technicians(team.id)[0]
        take = Command(Verb.CLAIM, Actor.member(technician.id))
        if category != "水电":
            take = Command(Verb.DISPATCH, CHEN, to=technician.id)
        ticket = (await service.act(number, take, Source.API)).ticket
    assert ticket.assignee_id is not None
    holder = Actor.member(ticket.assignee_id)
    await service.act(number, Command(Verb.START, holder), Source.API)
    complete = Command(Verb.COMPLETE, holder, findings="阀芯磨损", note="更换阀芯")
    await service.act(number, complete, Source.API)
    by_phone = Command(Verb.CONFIRM, AGENT, on_behalf=True, agreed=Agreement.PHONE)
    await service.act(number, by_phone, Source.API)
    return (await service.act(number, Command(Verb.CLOSE, AGENT), Source.API)).ticket


async def visit_cards(engine: AsyncEngine) -> list[tuple[int, int, str]]:
    """(ticket id, attempt, chat) of every visit card queued, in order."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(OutboxRow.ticket_id, OutboxRow.payload, OutboxRow.chat_id)  # type: ignore[call-overload]
            .where(OutboxRow.kind == "visit")
            .order_by(OutboxRow.id)
        )
        return [(ticket, payload["attempt"], chat) for ticket, payload, chat in rows.all()]


def visit(outcome: VisitOutcome, note: str | None = None) -> Command:
    return Command(Verb.VISIT, AGENT, outcome=outcome, note=note)


async def test_a_closed_job_is_visited_after_its_days_once_with_two_watchers(
    service_for: ServiceFor, demo_settings: Settings, clock: Clock, engine: AsyncEngine
) -> None:
    async with service_for(demo_settings) as one, service_for(demo_settings) as two:
        ticket = await closed(one)
        assert ticket.visit_due_at == ticket.closed_at + timedelta(days=3)  # type: ignore[operator]
        first, second = VisitWatch(one), VisitWatch(two)
        clock.advance(days=3, minutes=-1)
        assert await first.run_once() + await second.run_once() == 0  # not yet
        clock.advance(minutes=1)
        sent = await asyncio.gather(first.run_once(), second.run_once(), first.run_once())
        assert sorted(sent) == [0, 0, 1]
        assert await visit_cards(engine) == [(ticket.id, 1, "agents")]
        assert await SlaWatch(one).run_once() == 0  # a closed job has no deadline to escalate

        note = "业主说一直没再漏水"
        done = await one.act(ticket.number, visit(VisitOutcome.RESOLVED, note), Source.API)
        assert (done.ticket.visit_outcome, done.ticket.visit_due_at, done.follow_up) == (
            "resolved",
            None,
            None,
        )
        assert done.event is not None and done.event.details == Visited("resolved", 1, note)
        kinds = [e.kind for e in (await one.history(ticket.number)).events]
        assert kinds[-2:] == [EventKind.VISIT_DUE, EventKind.VISITED]
        with pytest.raises(IllegalTransition, match="已经记录为「已解决」"):
            await two.act(ticket.number, visit(VisitOutcome.RECURRED), Source.API)
        clock.advance(days=30)
        assert await first.run_once() == 0
        assert len(await visit_cards(engine)) == 1


async def test_an_unreachable_resident_is_called_three_times_then_recorded(
    service: TicketService, clock: Clock, engine: AsyncEngine
) -> None:
    ticket = await closed(service)
    watch = VisitWatch(service)
    clock.advance(days=3)
    for attempt in (1, 2, 3):
        assert await watch.run_once() == 1
        assert await watch.run_once() == 0
        after = await service.act(ticket.number, visit(VisitOutcome.UNREACHABLE), Source.API)
        if attempt < 3:
            assert after.ticket.visit_due_at == clock.at + timedelta(days=1)
            clock.advance(hours=23, minutes=59)
            assert await watch.run_once() == 0  # the next day, not sooner
            clock.advance(minutes=1)
    assert (after.ticket.visit_outcome, after.ticket.visit_due_at) == ("unreachable", None)
    assert [(attempt, chat) for _, attempt, chat in await visit_cards(engine)] == [
        (1, "agents"),
        (2, "agents"),
        (3, "agents"),
    ]
    clock.advance(days=2)
    assert await watch.run_once() == 0


async def test_a_recurred_problem_opens_one_linked_ticket(
    service: TicketService, clock: Clock, engine: AsyncEngine
) -> None:
    ticket = await closed(service)
    clock.advance(days=3)
    assert await VisitWatch(service).run_once() == 1
    recurred = visit(VisitOutcome.RECURRED, "厨房水龙头又开始滴水")
    first = await service.act(ticket.number, recurred, Source.FEISHU, event_id="ev-1")
    again = await service.act(ticket.number, recurred, Source.FEISHU, event_id="ev-1")
    assert first.follow_up is not None and again.follow_up is not None
    assert again.follow_up.number == first.follow_up.number  # a redelivered click opens none
    opened = first.follow_up
    assert (opened.status, opened.parent_number, opened.reporter, opened.location) == (
        Status.NEW,
        ticket.number,
        ticket.reporter,
        ticket.location,
    )
    assert opened.description == (
        f"回访时业主反映问题复发（原工单{ticket.number}）：厨房水龙头又开始滴水"
    )
    async with engine.connect() as connection:
        linked = await connection.execute(
            select(TicketRow.number).where(TicketRow.parent_number == ticket.number)  # type: ignore[call-overload]
        )
        assert linked.scalars().all() == [opened.number]
    assert first.ticket.visit_outcome == "recurred"


async def test_categories_without_a_visit_or_with_stars_get_none(
    service: TicketService, clock: Clock, engine: AsyncEngine
) -> None:
    lift = await closed(service, "电梯")  # never
    wall = await closed(service, "土建")  # if_not_rated: nobody rated it
    assert lift.visit_due_at is None
    assert wall.visit_due_at == wall.closed_at + timedelta(days=7)  # type: ignore[operator]
    clock.advance(days=7)
    assert await VisitWatch(service).run_once() == 1
    assert [ticket for ticket, _, _ in await visit_cards(engine)] == [wall.id]
