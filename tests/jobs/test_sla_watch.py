"""The SLA watcher on real databases with the fake clock: overdue tickets climb their chain,
each step once, in the right chats; doing the job, extending it or taking it over stops it."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import EscalationStep, OnCallConfig, RotaEntry, Settings
from jobs.sla_watch import SlaWatch
from storage.engine import create_engine
from storage.tables import OutboxRow, TicketRow
from tests.clock import FakeClock as Clock
from tests.reports import AGENT, draft
from tests.storage.conftest import ServiceFor
from tickets.actions import Command, Verb
from tickets.events import Escalated, EventKind
from tickets.model import Actor
from tickets.service import TicketService
from tickets.states import PauseKind, Source, Status, Urgency

BEIJING = ZoneInfo("Asia/Shanghai")
LI, CHEN = Actor.member("li"), Actor.member("chen")
GAS = "厨房燃气泄漏"
"""An emergency: 15 minutes to accept, 30 to arrive, 240 to complete, round the clock."""


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BEIJING)


@pytest.fixture
def night(clock: Clock) -> Clock:
    clock.at = at(3, 3)  # 03:00 on Thursday 3 December
    return clock


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


async def escalations(engine: AsyncEngine) -> list[tuple[int, int, str]]:
    """(ticket id, step, chat) of every escalation message queued, in order."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(OutboxRow.ticket_id, OutboxRow.payload, OutboxRow.chat_id)  # type: ignore[call-overload]
            .where(OutboxRow.kind == "escalation")
            .order_by(OutboxRow.id)
        )
        return [(ticket, payload["step"], chat) for ticket, payload, chat in rows.all()]


async def steps(service: TicketService, number: str) -> list[Escalated]:
    events = (await service.history(number)).events
    return [e.details for e in events if isinstance(e.details, Escalated)]


async def watch_at(watch: SlaWatch, clock: Clock, moment: datetime) -> int:
    clock.at = moment
    return await watch.run_once()


async def test_an_emergency_at_three_climbs_the_chain_once_per_step(
    service: TicketService, night: Clock, engine: AsyncEngine
) -> None:
    ticket = (await service.open(draft(description=GAS), AGENT, Source.API)).ticket
    assert (ticket.urgency, ticket.accept_due, ticket.escalate_at) == (
        Urgency.EMERGENCY,
        at(3, 3, 15),
        at(3, 3, 15),
    )
    watch = SlaWatch(service)
    sent = [
        await watch_at(watch, night, moment)
        for moment in (at(3, 3, 14), at(3, 3, 15), at(3, 3, 15), at(3, 3, 44), at(3, 3, 45))
    ]
    sent += [await watch_at(watch, night, at(3, 5, 15)), await watch_at(watch, night, at(3, 9))]
    assert sent == [0, 1, 0, 0, 1, 1, 0]
    climbed = await steps(service, ticket.number)
    assert [(s.step, s.to, s.to_name, s.deadline) for s in climbed] == [
        (1, "assignee", "水电组", "accept"),  # nobody holds it: the team's chat is nudged
        (2, "supervisors", "班组长", "accept"),
        (3, "management", "管理层", "accept"),
    ]
    assert [(step, chat) for _, step, chat in await escalations(engine)] == [
        (1, "shuidian"),
        (2, "dispatch"),
        (3, "management"),
    ]
    events = (await service.history(ticket.number)).events
    assert [e.at for e in events if e.kind is EventKind.ESCALATED] == [
        at(3, 3, 15),
        at(3, 3, 45),
        at(3, 5, 15),
    ]
    assert (await service.history(ticket.number)).ticket.escalate_at is None  # chain done


async def test_meeting_a_deadline_late_ends_its_chain_and_starts_the_next(
    service: TicketService, night: Clock, engine: AsyncEngine
) -> None:
    number = (await service.open(draft(description=GAS), AGENT, Source.API)).ticket.number
    watch = SlaWatch(service)
    assert await watch_at(watch, night, at(3, 3, 15)) == 1
    night.at = at(3, 3, 20)
    claimed = (await service.act(number, Command(Verb.CLAIM, LI), Source.API)).ticket
    assert (claimed.escalation_step, claimed.escalate_at) == (0, at(3, 3, 50))
    assert await watch_at(watch, night, at(3, 3, 45)) == 0  # the accept chain's step 2 is off
    assert await watch_at(watch, night, at(3, 3, 50)) == 1
    climbed = await steps(service, number)
    assert [(s.step, s.deadline, s.to_name) for s in climbed] == [
        (1, "accept", "水电组"),
        (1, "arrive", "李师傅"),
    ]
    assert [chat for _, _, chat in await escalations(engine)] == ["shuidian", "dm-li"]


async def test_an_extension_restarts_the_chain_and_taking_over_stops_it(
    service: TicketService, night: Clock
) -> None:
    number = (await service.open(draft(description=GAS), AGENT, Source.API)).ticket.number
    watch = SlaWatch(service)
    assert (
        await watch_at(watch, night, at(3, 3, 15)) + await watch_at(watch, night, at(3, 3, 45)) == 2
    )
    extend = Command(Verb.EXTEND, CHEN, minutes=60, reason="管道工在路上")
    extended = (await service.act(number, extend, Source.API)).ticket
    assert extended.accept_due == at(3, 4, 45)  # from now: the old deadline has passed
    assert (extended.escalation_step, extended.escalate_at) == (0, at(3, 4, 45))
    assert await watch_at(watch, night, at(3, 4, 45)) == 1
    assert [s.step for s in await steps(service, number)] == [1, 2, 1]
    taken = (await service.act(number, Command(Verb.TAKE_OVER, CHEN), Source.API)).ticket
    assert (taken.handled_by, taken.escalate_at) == ("chen", None)
    assert await watch_at(watch, night, at(3, 12)) == 0


async def test_a_pause_for_parts_moves_the_deadline_by_the_time_paused(
    service: TicketService, night: Clock
) -> None:
    number = (await service.open(draft(description=GAS), AGENT, Source.API)).ticket.number

    async def act(verb: Verb, **extra: object) -> None:
        await service.act(number, Command(verb, LI, **extra), Source.API)  # type: ignore[arg-type]

    await act(Verb.CLAIM)
    night.at = at(3, 3, 30)
    await act(Verb.START)
    started = (await service.history(number)).ticket
    assert started.complete_due == at(3, 7, 30)
    night.at = at(3, 4)
    await act(Verb.PAUSE, reason="等阀门配件", pause_kind=PauseKind.PARTS)
    paused = (await service.history(number)).ticket
    assert (paused.clock_stopped_at, paused.escalate_at) == (at(3, 4), None)
    assert await watch_at(SlaWatch(service), night, at(3, 8)) == 0  # the clock stands still
    await act(Verb.RESUME)
    resumed = (await service.history(number)).ticket
    assert resumed.complete_due == at(3, 11, 30)  # four hours paused, four hours later
    assert (resumed.clock_stopped_at, resumed.escalate_at) == (None, at(3, 11, 30))

    await act(Verb.PAUSE, reason="去仓库领工具", pause_kind=PauseKind.OTHER)
    night.at = at(3, 10)
    await act(Verb.RESUME)
    assert (await service.history(number)).ticket.complete_due == at(3, 11, 30)  # crew's time


async def test_a_parts_pause_on_working_time_moves_by_working_minutes(
    service: TicketService, clock: Clock
) -> None:
    clock.at = at(3, 9)  # Thursday 09:00, a normal job counted in working hours
    number = (await service.open(draft(), AGENT, Source.API)).ticket.number
    for verb in (Verb.CLAIM, Verb.START):
        await service.act(number, Command(verb, LI), Source.API)
    due = (await service.history(number)).ticket.complete_due
    clock.at = at(3, 16, 30)
    pause = Command(Verb.PAUSE, LI, reason="业主晚上才在家", pause_kind=PauseKind.RESIDENT)
    await service.act(number, pause, Source.API)
    clock.at = at(4, 9, 30)  # an hour of Thursday's and an hour of Friday's working time
    await service.act(number, Command(Verb.RESUME, LI), Source.API)
    moved = (await service.history(number)).ticket.complete_due
    assert due is not None and moved is not None
    working = service._policy.calendar.between(due, moved)  # type: ignore[union-attr]
    assert working.total_seconds() == 2 * 3600


async def test_an_unstarted_claim_goes_back_to_the_pool_where_the_site_asks(
    service_for: ServiceFor, demo_settings: Settings, night: Clock
) -> None:
    sla = demo_settings.sla.model_copy(update={"release_unstarted": True})
    async with service_for(demo_settings.model_copy(update={"sla": sla})) as service:
        number = (await service.open(draft(description=GAS), AGENT, Source.API)).ticket.number
        night.at = at(3, 3, 5)
        await service.act(number, Command(Verb.CLAIM, LI), Source.API)
        watch = SlaWatch(service)
        assert await watch_at(watch, night, at(3, 3, 34)) == 0
        assert await watch_at(watch, night, at(3, 3, 35)) == 1
        history = await service.history(number)
        released = history.ticket
        assert (released.status, released.assignee_id) == (Status.NEW, None)
        assert released.accept_due == at(3, 3, 50)
        last = history.events[-1]
        assert (last.kind, last.source, last.actor_name) == (EventKind.HAND_BACK, "job", "系统")


async def test_two_watchers_over_a_day_of_a_thousand_tickets_send_each_step_once(
    service_for: ServiceFor, demo_settings: Settings, clock: Clock, engine: AsyncEngine
) -> None:
    """Two replicas' watchers, each with its own engine, run side by side every ten minutes
    of a simulated day, one of them sometimes alone or late, and the site is down for two
    hours: every step due is sent once, no more."""
    clock.at = at(3, 0)
    start = clock.at
    async with service_for(demo_settings) as one, service_for(demo_settings) as two:
        categories = ["水电", "土建", "电梯", "水电"]
        numbers = []
        for i in range(1000):
            clock.at = start + timedelta(minutes=i)
            words = GAS if i % 5 == 0 else "卫生间地漏堵了"
            category = categories[i % 4]
            report = draft(category, words, urgency=Urgency.EMERGENCY if i % 5 == 0 else None)
            numbers.append((await one.open(report, AGENT, Source.API)).ticket.number)
        first, second = SlaWatch(one, batch=50), SlaWatch(two, batch=50)
        end = at(4, 0)
        tick = start
        while tick <= end:
            clock.at = tick
            down = at(3, 13) <= tick < at(3, 15)
            if not down:
                alone = tick.minute == 30
                await asyncio.gather(first.run_once(), *([] if alone else [second.run_once()]))
            tick += timedelta(minutes=10)
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(TicketRow.id, TicketRow.number, TicketRow.escalate_at)  # type: ignore[call-overload]
            )
        ).all()
    ids = {number: ticket_id for ticket_id, number, _ in rows}
    assert all(due is None or due > end for _, _, due in rows)  # nothing due was left unsent
    sent = await escalations(engine)
    assert sent, "a day of tickets nobody takes escalates"
    assert all(n == 1 for n in Counter(sent).values())  # no chat got a step twice
    async with service_for(demo_settings) as service:
        for number in numbers:
            climbed = [s.step for s in await steps(service, number)]
            assert climbed == list(range(1, len(climbed) + 1))
            queued = sorted({step for ticket, step, _ in sent if ticket == ids[number]})
            assert queued == climbed


def with_rota(settings: Settings, *chain: tuple[int, str]) -> Settings:
    """水电组 with 李师傅 and 陈班长 on duty 08:30–17:30 on working days, 王师傅 and 陈班长
    on call the rest of the time, and the escalation chain `chain`."""
    teams = [
        t.model_copy(
            update={
                "rota": [RotaEntry(members=["li", "chen"], hours=["08:30-17:30"])],
                "on_call": OnCallConfig(technician="wang", supervisor="chen"),
            }
        )
        if t.id == "shuidian"
        else t
        for t in settings.teams
    ]
    steps = [EscalationStep(after_minutes=after, to=to) for after, to in chain]
    sla = settings.sla.model_copy(update={"escalation": steps})
    return settings.model_copy(update={"teams": teams, "sla": sla})


async def test_at_night_the_on_call_technician_is_nudged_and_on_duty_is_the_rota(
    service_for: ServiceFor, demo_settings: Settings, night: Clock, engine: AsyncEngine
) -> None:
    settings = with_rota(demo_settings, (0, "assignee"), (30, "on_duty"))
    async with service_for(settings) as service:
        number = (await service.open(draft(description=GAS), AGENT, Source.API)).ticket.number
        watch = SlaWatch(service)
        assert await watch_at(watch, night, at(3, 3, 15)) == 1
        assert await watch_at(watch, night, at(3, 3, 45)) == 1
        climbed = await steps(service, number)
        assert [(s.to, s.to_name) for s in climbed] == [
            ("assignee", "备班王师傅"),  # nobody holds it and the group sleeps: the on-call man
            ("on_duty", "备班陈班长"),
        ]
        assert [chat for _, _, chat in await escalations(engine)][:2] == ["dm-wang", "dm-chen"]

        night.at = at(3, 10)  # in working hours the group is nudged, and the rota's supervisor
        later = (await service.open(draft(description=GAS), AGENT, Source.API)).ticket.number
        assert await watch_at(watch, night, at(3, 10, 15)) == 1
        assert await watch_at(watch, night, at(3, 10, 45)) == 1
        climbed = await steps(service, later)
        assert [(s.to, s.to_name) for s in climbed] == [
            ("assignee", "水电组"),
            ("on_duty", "值班陈班长"),
        ]


async def test_a_run_after_downtime_sends_every_step_missed(
    service: TicketService, night: Clock
) -> None:
    number = (await service.open(draft(description=GAS), AGENT, Source.API)).ticket.number
    assert await watch_at(SlaWatch(service), night, at(3, 6)) == 3  # down from 03:00 to 06:00
    assert [s.step for s in await steps(service, number)] == [1, 2, 3]
