"""Hurry-ups (催单) and appointments (改约) on real databases: a hurry-up is counted on the
ticket and its reminder queued for whoever must act, in one transaction; a refused one
leaves nothing behind."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from baoxiu.config import Settings
from baoxiu.wiring import build_service
from storage.engine import create_engine
from storage.outbox import DeliveryStore
from tests.clock import FakeClock as Clock
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.errors import InvalidInput, TooSoon
from tickets.events import EventKind, Rescheduled
from tickets.messages import Escalation, Reminder
from tickets.model import RESIDENT, Actor
from tickets.service import TicketService
from tickets.states import Source, Urgency

LI = Actor.member("li")
HURRY = Command(Verb.HURRY, RESIDENT)


@dataclass
class Desk:
    service: TicketService
    store: DeliveryStore
    clock: Clock

    async def reminders(self) -> list[tuple[str, str]]:
        """(chat, text) of every reminder or escalation queued and not yet sent, marking
        them sent."""
        pending = await self.store.lease("test", self.clock.now(), timedelta(minutes=1), 100)
        out = []
        for p in pending:
            if isinstance(p.message, Reminder | Escalation):
                out.append((p.address.chat_id, p.message.text))
            await self.store.sent(p, self.clock.now())
        return out


@pytest.fixture
async def desk(db_url: str, demo_settings: Settings, clock: Clock) -> AsyncIterator[Desk]:
    engine = create_engine(db_url)
    yield Desk(build_service(demo_settings, engine, clock), DeliveryStore(engine), clock)
    await engine.dispose()


async def test_a_hurry_reaches_the_dispatchers_then_the_assignee_and_is_counted(
    desk: Desk,
) -> None:
    service = desk.service
    ticket = (await service.open(draft(), AGENT, Source.API)).ticket
    await desk.reminders()
    hurried = await service.act_as_resident(ticket.public_token, HURRY, Source.WEB)
    assert (hurried.ticket.hurry_count, hurried.ticket.hurried_at) == (1, desk.clock.now())
    assert await desk.reminders() == [
        ("dispatch", "业主催单（第 1 次），还没有师傅接单，请尽快安排")
    ]

    await service.act(ticket.number, Command(Verb.CLAIM, LI), Source.API)
    desk.clock.advance(minutes=30)
    await desk.reminders()
    again = await service.act(ticket.number, Command(Verb.HURRY, AGENT), Source.API)
    assert again.ticket.hurry_count == 2
    assert await desk.reminders() == [("dm-li", "林客服催单（第 2 次），请尽快处理")]
    events = (await service.history(ticket.number)).events
    assert [e.actor_name for e in events if e.kind is EventKind.HURRIED] == ["业主", "林客服"]


async def test_a_hurry_too_soon_is_refused_kindly_and_changes_nothing(desk: Desk) -> None:
    service = desk.service
    ticket = (await service.open(draft(), AGENT, Source.API)).ticket
    await service.act_as_resident(ticket.public_token, HURRY, Source.WEB)
    await desk.reminders()
    desk.clock.advance(minutes=12)
    with pytest.raises(TooSoon, match="请18分钟后再催") as refused:
        await service.act_as_resident(ticket.public_token, HURRY, Source.WEB)
    assert refused.value.wait == timedelta(minutes=18)
    history = await service.history(ticket.number)
    assert history.ticket.hurry_count == 1 and history.ticket.version == 2
    assert [e.kind for e in history.events].count(EventKind.HURRIED) == 1
    assert await desk.reminders() == []


async def test_an_appointment_is_kept_in_the_sites_time_and_is_the_arrive_deadline(
    desk: Desk,
) -> None:
    service = desk.service
    number = (await service.open(draft(), AGENT, Source.API)).ticket.number
    await service.act(number, Command(Verb.CLAIM, LI), Source.API)
    visit = datetime(2026, 11, 29, 6, 0, tzinfo=ZoneInfo("UTC"))  # 14:00 in Shanghai
    move = Command(Verb.RESCHEDULE, LI, at=visit, reason="业主周日下午在家")
    moved = (await service.act(number, move, Source.API)).ticket
    assert (moved.appointment_at, moved.arrive_due) == (visit, visit)
    history = await service.history(number)
    assert history.ticket == moved
    assert history.events[-1].details == Rescheduled(
        "2026-11-29T14:00:00+08:00", None, "业主周日下午在家"
    )
    with pytest.raises(InvalidInput, match="已经过去"):
        await service.act(
            number, Command(Verb.RESCHEDULE, LI, at=desk.clock.now(), reason="x"), Source.API
        )
    assert (await service.history(number)).ticket.version == moved.version


async def test_escalation_steps_are_announced_the_same_way(desk: Desk) -> None:
    """The announcement a hurry-up shares with escalation still posts each step."""
    service = desk.service
    urgent = draft(urgency=Urgency.EMERGENCY)  # to be accepted in 15 minutes
    number = (await service.open(urgent, AGENT, Source.API)).ticket.number
    await desk.reminders()
    desk.clock.advance(minutes=16)
    assert await service.due_escalations(10) == [number]
    assert await service.escalate(number) is not None
    assert await desk.reminders() == [("shuidian", "接单已超时1分钟，仍无人接单")]
    desk.clock.advance(minutes=30)
    await service.escalate(number)
    assert await desk.reminders() == [("dispatch", "接单已超时31分钟，仍无人接单")]
