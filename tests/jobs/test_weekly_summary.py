"""The weekly summary of a played week (tests/week.py) says every figure as a count of the
week's tickets and timelines finds it (tests/storage/test_stats.py counts them the long
way), draws its plots once, and two replicas at the scheduled minute and a restart send it
once to the management chat."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import time, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import Settings
from integration.web.photos import PhotoStore
from jobs.weekly import WeeklySummary, read_week, summary_maker
from storage.engine import create_engine
from storage.tables import OutboxRow
from tests.clock import FakeClock
from tests.storage.conftest import ServiceFor
from tests.storage.test_stats import everything, expected, expected_days
from tests.week import WEEK, seed_week, week_settings
from tickets.escalation import duration, watched
from tickets.fees import yuan
from tickets.messages import Report, from_json
from tickets.stats import Figures, GroupBy
from tickets.summary import week_json

NINE = time(9, 0)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


def change(now: int, before: int) -> str:
    if now == before:
        return "与上周持平"
    return f"上周 {before}，{now - before:+d}"


def speed(p50: int | None, p90: int | None) -> str:
    assert p50 is not None and p90 is not None
    return f"中位 {duration(timedelta(seconds=p50))}，90% 在 {duration(timedelta(seconds=p90))}内"


def groups(now: list[Figures], before: list[Figures], names: dict[str | None, str]) -> list[str]:
    was = {f.key: f.received for f in before}
    busy = sorted(now, key=lambda f: (-f.received, -f.open_at_end, names[f.key]))
    return [
        f"{names[f.key]}：收到 {f.received}（{change(f.received, was.get(f.key, 0))}）"
        f"，结单 {f.closed}，未完成 {f.open_at_end}"
        for f in busy
        if f.received or f.closed or f.open_at_end
    ]


async def test_the_summary_of_a_played_week_says_every_figure_and_goes_out_once(
    service_for: ServiceFor,
    demo_settings: Settings,
    clock: FakeClock,
    engine: AsyncEngine,
    tmp_path: Path,
) -> None:
    photos = PhotoStore(tmp_path / "photos")

    def pictures() -> list[str]:
        return sorted(p.name for p in photos.root.iterdir())

    settings = week_settings(demo_settings)
    async with service_for(settings) as service, service_for(settings) as other:
        played = await seed_week(service, clock)  # up to Monday 09:00, when it is due
        histories = await everything(service)
        report = await summary_maker(service, photos)(WEEK)
        replicas = [
            WeeklySummary(s, summary_maker(s, photos), "mon", NINE, clock, photos)
            for s in (service, other)
        ]
        assert sum(await asyncio.gather(*(r.run_once() for r in replicas * 2))) == 1
        data = week_json(await read_week(service, WEEK))
    assert report is not None and report.picture is not None
    assert len(pictures()) == 2  # this one, and the one sent: the replicas' others are gone

    period, directory = played.period, service.directory
    [total] = expected(histories, period, None)
    [before] = expected(histories, period.previous(), None)
    figures = dict(report.figures)
    late = [h.ticket for h in histories if (w := watched(h.ticket)) and w[1] < played.now]
    assert total.sla_judged and total.ratings and total.revenue_fen  # a week with everything
    assert figures == {
        "收到报修": f"{total.received} 单（{change(total.received, before.received)}）",
        "结单": f"{total.closed} 单（{change(total.closed, before.closed)}）",
        "未完成": f"{total.open_at_end} 单，其中超时 {len(late)} 单",
        "接单用时": speed(total.accept_p50_s, total.accept_p90_s),
        "完工用时": speed(total.complete_p50_s, total.complete_p90_s),
        "按时完成率": f"{100 * total.sla_met / total.sla_judged:.1f}%"
        f"（{total.sla_met}/{total.sla_judged}）",
        "升级提醒": f"{total.escalations} 次",
        "满意度": f"{total.rating_overall_avg:.1f} 分（{total.ratings} 人评价）",
        "差评 / 返工 / 投诉": f"{total.low_ratings} / {total.reworks} / {total.complaints}",
        "维修收费": f"{yuan(total.revenue_fen)} 元",
    }

    sections = {s.title: list(s.lines) for s in report.sections}
    teams: dict[str | None, str] = {t.id: t.name for t in directory.teams.values()}
    assert sections["各班组"] == groups(
        expected(histories, period, GroupBy.TEAM),
        expected(histories, period.previous(), GroupBy.TEAM),
        {**teams, None: "其他"},
    )
    categories: dict[str | None, str] = {h.ticket.category: h.ticket.category for h in histories}
    assert sections["各类别"] == groups(
        expected(histories, period, GroupBy.CATEGORY),
        expected(histories, period.previous(), GroupBy.CATEGORY),
        {**categories, None: "其他"},
    )
    due = {t.number: w[1] for t in late if (w := watched(t))}
    oldest = sorted(late, key=lambda t: (due[t.number], t.id or 0))
    assert [line.split()[0] for line in sections["超时最久的 5 单"]] == [
        t.number for t in oldest[:5]
    ]
    people = [f for f in expected(histories, period, GroupBy.TECHNICIAN) if f.key and f.closed]
    people.sort(key=lambda f: (-f.closed, -(f.rating_overall_avg or 0), f.key or ""))
    assert [line.split("：")[0] for line in sections["师傅结单排行"]] == [
        directory.name_of(f.key) for f in people[:5]
    ]

    daily, by_category = report.plots
    days = expected_days(histories, period)
    assert [s.values for s in daily.series] == [
        tuple(float(d.received) for d in days),
        tuple(float(d.closed) for d in days),
    ]
    assert daily.categories == ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
    assert sum(by_category.series[0].values) == total.received
    with Image.open(photos.root / report.picture) as image:
        assert (image.format, image.size) == ("PNG", (960, 1200))  # two plots, stacked
    assert from_json("report", asdict(report)) == report
    assert data["week"] == WEEK and data["total"] == {  # baoxiu report weekly --json
        **asdict(total),
        "name": None,
        "sla_met_pct": total.sla_met_pct,
    }

    async with service_for(settings) as restarted:
        clock.advance(hours=2)
        again = WeeklySummary(
            restarted, summary_maker(restarted, photos), "mon", NINE, clock, photos
        )
        assert await again.run_once() == 0 and len(pictures()) == 2
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(OutboxRow.chat_id, OutboxRow.payload).where(  # type: ignore[call-overload]
                    OutboxRow.kind == "report"
                )
            )
        ).all()
    assert [chat for chat, _ in rows] == ["management"]
    sent = from_json("report", rows[0][1])
    assert isinstance(sent, Report) and sent.figures == report.figures
    assert sent.picture in pictures() and sent.picture != report.picture
