"""A ticket carries its due times, set in the same transaction as each change and kept by the
database: accept from the report, arrive from acceptance, complete from arrival."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.clock import FakeClock as Clock
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.model import Actor
from tickets.service import TicketService
from tickets.states import Source, Status, Urgency

BEIJING = ZoneInfo("Asia/Shanghai")
LI = Actor.member("li")


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


async def test_a_ticket_carries_its_due_times_through_its_life(
    service: TicketService, clock: Clock
) -> None:
    opened = (await service.open(draft(), AGENT, Source.API)).ticket  # Saturday 10:00
    assert opened.urgency is Urgency.NORMAL
    # 1440 working minutes from Monday 08:30, 450 a day: Thursday 10:00
    assert opened.accept_due == at(2026, 12, 3, 10, 0)
    assert (opened.arrive_due, opened.complete_due) == (None, None)
    number = opened.number

    async def act(verb: Verb, **extra: str) -> None:
        await service.act(number, Command(verb, LI, **extra), Source.API)  # type: ignore[arg-type]

    clock.advance(days=2)  # Monday 10:00
    await act(Verb.CLAIM)
    claimed = (await service.history(number)).ticket
    assert claimed.accept_due == opened.accept_due  # met, kept for the record
    assert claimed.arrive_due == at(2026, 12, 8, 14, 30)  # 2880 working minutes later

    clock.advance(hours=4)  # Monday 14:00
    await act(Verb.START)
    await act(Verb.PAUSE, reason="等配件")
    clock.advance(hours=1)
    await act(Verb.RESUME)
    started = (await service.history(number)).ticket
    assert started.status is Status.IN_PROGRESS
    assert started.complete_due is not None
    assert started.complete_due - at(2026, 11, 30, 14, 0) > timedelta(days=9)  # 4320 minutes
    assert started.arrive_due == claimed.arrive_due

    await act(Verb.TRANSFER, to="wang", reason="李师傅要去别的小区")
    moved = (await service.history(number)).ticket
    assert moved.assignee_id == "wang" and moved.complete_due is None
    assert moved.arrive_due is not None and moved.arrive_due > claimed.arrive_due  # restarted


async def test_an_emergency_counts_round_the_clock(service: TicketService) -> None:
    opened = (await service.open(draft(description="厨房燃气泄漏"), AGENT, Source.API)).ticket
    assert opened.urgency is Urgency.EMERGENCY
    assert opened.accept_due == at(2026, 11, 28, 10, 15)  # a Saturday: 15 minutes all the same
