"""The weekly summary's schedule on real databases with the fake clock: the week due is the
one before the latest scheduled moment; two replicas at the minute and a restart send it
once per management chat, a missed Monday is caught up, and a restart that finds it sent
does not even make it again."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import Settings
from integration.web.photos import PhotoStore
from jobs.weekly import WeeklySummary, due_week
from storage.engine import create_engine
from storage.tables import OutboxRow
from tests.clock import FakeClock as Clock
from tests.storage.conftest import ServiceFor
from tickets.messages import Report

SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE = time(9, 0)


@pytest.mark.parametrize(
    ("local", "week"),
    [
        ("2026-11-30 08:59", "2026-W47"),  # Monday before nine: the week before last is due
        ("2026-11-30 09:00", "2026-W48"),  # the minute: last week
        ("2026-12-06 23:59", "2026-W48"),  # all week long, the same (a catch-up sends it)
        ("2027-01-04 09:00", "2026-W53"),  # ISO weeks cross the year
    ],
)
def test_the_week_due_is_the_one_before_the_latest_scheduled_moment(local: str, week: str) -> None:
    now = datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(UTC)
    assert due_week(now, "mon", NINE, SHANGHAI) == week


def test_another_day_and_time_move_the_moment() -> None:
    now = datetime(2026, 12, 4, 17, 30, tzinfo=SHANGHAI)  # Friday 17:30
    assert due_week(now, "fri", time(17, 30), SHANGHAI) == "2026-W48"
    assert due_week(now, "fri", time(17, 31), SHANGHAI) == "2026-W47"


@pytest.fixture
def photos(tmp_path: Path) -> PhotoStore:
    return PhotoStore(tmp_path / "photos")


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


async def summaries(engine: AsyncEngine) -> list[tuple[str, str]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(OutboxRow.chat_id, OutboxRow.payload)  # type: ignore[call-overload]
            .where(OutboxRow.kind == "report")
            .order_by(OutboxRow.id)
        )
        return [(chat, payload["period"]) for chat, payload in rows.all()]


async def test_two_replicas_and_a_restart_send_each_week_once_per_chat(
    service_for: ServiceFor,
    demo_settings: Settings,
    clock: Clock,
    engine: AsyncEngine,
    photos: PhotoStore,
) -> None:
    made: list[str] = []

    async def build(week: str) -> Report:
        made.append(week)
        return Report("本周报修小结", week, (("收到", "12 单"),))

    clock.advance(days=2, hours=-1, minutes=-1)  # Monday 30 Nov, 08:59 in Beijing
    async with service_for(demo_settings) as one, service_for(demo_settings) as two:
        replicas = [WeeklySummary(s, build, "mon", NINE, clock, photos) for s in (one, two)]
        assert sum(await asyncio.gather(*(r.run_once() for r in replicas))) == 1  # W47, late
        clock.advance(minutes=1)
        sent = await asyncio.gather(*(r.run_once() for r in replicas + replicas))
        assert sum(sent) == 1
    assert await summaries(engine) == [("management", "2026-W47"), ("management", "2026-W48")]
    async with service_for(demo_settings) as restarted:
        clock.advance(days=3)
        made.clear()
        assert await WeeklySummary(restarted, build, "mon", NINE, clock, photos).run_once() == 0
        assert made == []  # the summary was not made again to be thrown away
        clock.advance(days=8)  # Monday 7 Dec passed while nothing ran: caught up on Friday
        assert await WeeklySummary(restarted, build, "mon", NINE, clock, photos).run_once() == 1
    assert [week for _, week in await summaries(engine)][-1] == "2026-W49"


async def test_a_week_with_nothing_to_tell_is_not_sent(
    service_for: ServiceFor,
    demo_settings: Settings,
    clock: Clock,
    engine: AsyncEngine,
    photos: PhotoStore,
) -> None:
    async def nothing(week: str) -> None:
        return None

    async with service_for(demo_settings) as one:
        assert await WeeklySummary(one, nothing, "mon", NINE, clock, photos).run_once() == 0
    assert await summaries(engine) == []
