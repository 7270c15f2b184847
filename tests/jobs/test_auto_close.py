"""Sign-off on real databases with the fake clock: a completed job nobody confirmed is closed
by baoxiu once, however many watchers run; a poor rating or a rework tells the supervisors
once, at once."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import Settings
from jobs.auto_close import AutoClose
from storage.engine import create_engine
from storage.tables import OutboxRow
from tests.clock import FakeClock as Clock
from tests.reports import AGENT, draft
from tests.storage.conftest import ServiceFor
from tickets.actions import Command, Verb
from tickets.events import Closed, EventKind
from tickets.model import RESIDENT, Actor
from tickets.rating import Rating
from tickets.service import TicketService
from tickets.states import Source, Status

LI = Actor.member("li")


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


async def completed(service: TicketService) -> tuple[str, str]:
    """A job 李师傅 finished: its number and the resident's token."""
    ticket = (await service.open(draft(), AGENT, Source.API)).ticket
    for verb in (Verb.CLAIM, Verb.START, Verb.COMPLETE):
        done = Command(verb, LI, findings="阀芯磨损", note="更换阀芯")
        await service.act(ticket.number, done, Source.API)
    return ticket.number, ticket.public_token


async def complaints(engine: AsyncEngine) -> list[tuple[int, str, str]]:
    """(ticket id, chat, text) of every complaint told to the supervisors, in order."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(OutboxRow.ticket_id, OutboxRow.chat_id, OutboxRow.payload)  # type: ignore[call-overload]
            .where(OutboxRow.kind == "escalation")
            .order_by(OutboxRow.id)
        )
        return [(t, chat, p["text"]) for t, chat, p in rows.all() if p["step"] == 0]


async def test_two_watchers_close_each_unconfirmed_job_once_after_three_days(
    service_for: ServiceFor, demo_settings: Settings, clock: Clock
) -> None:
    start = clock.at
    async with service_for(demo_settings) as one, service_for(demo_settings) as two:
        numbers = [(await completed(one))[0] for _ in range(12)]
        token = (await one.history(numbers[0])).ticket.public_token
        signed = Command(Verb.CONFIRM, RESIDENT, signature="s.png", rating=Rating(5, 5, 5))
        await one.act_as_resident(token, signed, Source.WEB)  # this one the resident confirmed
        first, second = AutoClose(one, batch=5), AutoClose(two, batch=5)
        clock.at = start + timedelta(days=3) - timedelta(seconds=1)
        assert list(await asyncio.gather(first.run_once(), second.run_once())) == [0, 0]
        clock.at = start + timedelta(days=3)
        closed = await asyncio.gather(first.run_once(), second.run_once())
        assert sum(closed) == 11
        assert await first.run_once() == 0
        for number in numbers[1:]:
            history = await one.history(number)
            closes = [e for e in history.events if e.kind is EventKind.CLOSE]
            assert len(closes) == 1
            assert closes[0].details == Closed("系统自动结单（业主未确认）", unconfirmed=True)
            assert (closes[0].actor_name, closes[0].source) == ("系统", "job")
            assert (history.ticket.status, history.ticket.auto_close_at) == (Status.CLOSED, None)
        assert (await one.history(numbers[0])).ticket.status is Status.CONFIRMED


async def test_a_poor_rating_tells_the_supervisors_once(
    service: TicketService, engine: AsyncEngine
) -> None:
    number, token = await completed(service)
    poor = Command(Verb.CONFIRM, RESIDENT, signature="s.png", rating=Rating(4, 2, 5, "等了两天"))
    await service.act_as_resident(token, poor, Source.WEB)
    await service.act(number, Command(Verb.COMMENT, AGENT, note="已致电业主道歉"), Source.API)
    await service.act(number, Command(Verb.CLOSE, AGENT), Source.API)
    told = await complaints(engine)
    assert [(chat, text) for _, chat, text in told] == [
        ("dm-chen", "业主不满意（总体满意度 4 星、响应速度 2 星、师傅服务态度 5 星）：等了两天")
    ]  # 陈班长, 水电组's supervisor, in his own chat with the bot, once


async def test_not_fixed_reopens_the_job_and_tells_the_supervisors(
    service: TicketService, engine: AsyncEngine
) -> None:
    number, token = await completed(service)
    back = await service.act_as_resident(
        token, Command(Verb.REOPEN, RESIDENT, reason="还是滴水"), Source.WEB
    )
    assert (back.ticket.status, back.ticket.rework_count) == (Status.ASSIGNED, 1)
    assert back.ticket.auto_close_at is None
    told = await complaints(engine)
    assert [(chat, text) for _, chat, text in told] == [
        ("dm-chen", "业主反馈没修好，第 1 次返工：还是滴水")
    ]
    for verb in (Verb.START, Verb.COMPLETE):  # 李师傅 redoes it, and this time it holds
        done = Command(verb, LI, findings="阀芯仍漏", note="重新更换阀芯")
        await service.act(number, done, Source.API)
    signed = Command(Verb.CONFIRM, RESIDENT, signature="s.png", rating=Rating(4, 5, 5))
    await service.act_as_resident(token, signed, Source.WEB)
    assert len(await complaints(engine)) == 1  # a good sign-off tells no one
