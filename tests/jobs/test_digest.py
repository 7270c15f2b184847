"""A team's daily digest (今日待办) on real databases with the fake clock: at the team's time,
once a day in its group however many replicas run or restart, the most overdue job first,
and nothing for a team with nothing open or before its time."""

import asyncio
from collections.abc import AsyncIterator
from datetime import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import Settings
from jobs.digest import DailyDigest
from storage.engine import create_engine
from storage.tables import OutboxRow
from tests.clock import FakeClock as Clock
from tests.reports import AGENT, draft
from tests.storage.conftest import ServiceFor
from tickets.actions import Command, Verb
from tickets.model import Actor
from tickets.states import Source, Urgency

EIGHT = time(8, 0)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


async def digests(engine: AsyncEngine) -> list[tuple[str, dict[str, Any]]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(OutboxRow.chat_id, OutboxRow.payload)  # type: ignore[call-overload]
            .where(OutboxRow.kind == "report")
            .order_by(OutboxRow.id)
        )
        return [(chat, payload) for chat, payload in rows.all()]


async def test_the_digest_goes_once_a_day_most_overdue_first(
    service_for: ServiceFor, demo_settings: Settings, clock: Clock, engine: AsyncEngine
) -> None:
    clock.advance(days=2, hours=-1)  # Monday 09:00 in Beijing
    async with service_for(demo_settings) as one, service_for(demo_settings) as two:
        urgent = draft(description="厨房水管漏水", urgency=Urgency.URGENT)  # an hour to accept
        waiting = (await one.open(urgent, AGENT, Source.API)).ticket
        clock.advance(hours=3)
        held = (await one.open(draft(description="卫生间灯不亮"), AGENT, Source.API)).ticket
        await one.act(held.number, Command(Verb.CLAIM, Actor.member("li")), Source.API)
        await one.open(draft("门窗", "单元门关不上"), AGENT, Source.API)  # 土建组's, not ours
        clock.advance(hours=20)  # Tuesday 08:00
        replicas = [DailyDigest(s, "shuidian", EIGHT, clock) for s in (one, two, one)]
        assert sum(await asyncio.gather(*(r.run_once() for r in replicas))) == 1
        [(chat, report)] = await digests(engine)
        assert chat == "shuidian" and report["title"] == "水电组今日待办"
        assert report["figures"] == [["未完成", "2 单"], ["已超时", "1 单"], ["待接单", "1 单"]]
        [section] = report["sections"]
        assert section["lines"] == [
            f"{waiting.number} 水电·3栋2单元501 待派单，接单已超时22小时",
            f"{held.number} 水电·3栋2单元501 李师傅 已接单，到场截止 12-08 16:30",
        ]
        assert "张三" not in str(report) and "13800138000" not in str(report)

    async with service_for(demo_settings) as restarted:  # the same day: nothing more
        assert await DailyDigest(restarted, "shuidian", EIGHT, clock).run_once() == 0
        clock.advance(hours=23, minutes=59)
        assert await DailyDigest(restarted, "shuidian", EIGHT, clock).run_once() == 0  # 07:59
        clock.advance(minutes=1)
        assert await DailyDigest(restarted, "shuidian", EIGHT, clock).run_once() == 1
    assert len(await digests(engine)) == 2


async def test_a_team_with_nothing_open_gets_no_digest(
    service_for: ServiceFor, demo_settings: Settings, clock: Clock, engine: AsyncEngine
) -> None:
    clock.advance(hours=1)
    async with service_for(demo_settings) as service:
        await service.open(draft(), AGENT, Source.API)  # 水电组's
        assert await DailyDigest(service, "dianti", EIGHT, clock).run_once() == 0
    assert await digests(engine) == []
