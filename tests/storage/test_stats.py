"""Every figure of a played week, counted again here from the tickets and their timelines
as tickets/stats.py defines it, must equal what the database counted: for the whole site and
per team, technician, category and place, per day, and the jobs overdue now."""

import math
import os
import shutil
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from baoxiu.config import Settings
from baoxiu.wiring import build_service
from storage.engine import create_engine
from tests.clock import FakeClock
from tests.conftest import database_url, on_server
from tests.storage.conftest import ServiceFor
from tests.week import BEIJING, seed_week, week_settings
from tickets.escalation import watched
from tickets.events import EventKind, Paid
from tickets.model import Event, Ticket
from tickets.ports import TicketQuery
from tickets.rating import rating_of
from tickets.service import TicketHistory, TicketService
from tickets.states import Status
from tickets.stats import DayCount, Figures, GroupBy, Overdue, Period, group_name, nearest_rank

KEYS: dict[GroupBy | None, Callable[[Ticket], str | None]] = {
    None: lambda t: None,
    GroupBy.TEAM: lambda t: t.team_id,
    GroupBy.TECHNICIAN: lambda t: t.assignee_id,
    GroupBy.CATEGORY: lambda t: t.category,
    GroupBy.LOCATION: lambda t: t.place,
}


async def everything(service: TicketService) -> list[TicketHistory]:
    found, after = [], None
    while True:
        page = await service.search(TicketQuery(after_id=after, limit=200))
        found += [await service.history(t.number) for t in page.items]
        if page.next_after_id is None:
            return found
        after = page.next_after_id


def whole_seconds(later: datetime, earlier: datetime) -> int:
    return math.floor(later.timestamp()) - math.floor(earlier.timestamp())


def rank(values: list[int], percent: int) -> int | None:
    """Nearest rank, counted the long way: the first value with percent % at or below it."""
    ordered = sorted(values)
    for value in ordered:
        if sum(v <= value for v in ordered) * 100 >= percent * len(ordered):
            return value
    return None


def cancelled_at(events: list[Event]) -> datetime | None:
    return next(
        (
            e.at
            for e in events
            if e.to_status is Status.CANCELLED and e.from_status is not Status.CANCELLED
        ),
        None,
    )


def expected(
    histories: list[TicketHistory], period: Period, group_by: GroupBy | None
) -> list[Figures]:
    def within(at: datetime | None) -> bool:
        return at is not None and period.start <= at < period.end

    groups: dict[str | None, list[TicketHistory]] = defaultdict(list)
    for h in histories:
        groups[KEYS[group_by](h.ticket)].append(h)
    answers = []
    for key, members in groups.items():
        tickets = [h.ticket for h in members]
        events = [e for h in members for e in h.events if within(e.at)]
        accepted = [t for t in tickets if within(t.accepted_at)]
        completed = [t for t in tickets if within(t.completed_at)]
        rated = [t for t in tickets if within(t.rated_at)]
        accept_s = [whole_seconds(t.accepted_at, t.created_at) for t in accepted]  # type: ignore[arg-type]
        complete_s = [whole_seconds(t.completed_at, t.created_at) for t in completed]  # type: ignore[arg-type]
        judged = [t for t in completed if t.accept_due or t.arrive_due or t.complete_due]
        met = [
            t
            for t in judged
            if all(
                due is None or (done is not None and done <= due)
                for done, due in (
                    (t.accepted_at, t.accept_due),
                    (t.started_at, t.arrive_due),
                    (t.completed_at, t.complete_due),
                )
            )
        ]
        reworked = {
            h.ticket.number
            for h in members
            for e in h.events
            if within(e.at) and e.kind is EventKind.REOPEN
        }
        open_at_end = [
            h
            for h in members
            if h.ticket.created_at < period.end
            and not (h.ticket.closed_at and h.ticket.closed_at < period.end)
            and not ((c := cancelled_at(h.events)) and c < period.end)
        ]
        stars = [r for t in rated if (r := rating_of(t))]
        low = [t for t in rated if (r := rating_of(t)) and r.dissatisfied]
        avg = {
            part: round(sum(getattr(r, part) for r in stars) / len(stars), 2) if stars else None
            for part in ("overall", "speed", "attitude")
        }

        figures = Figures(
            key,
            None,
            received=sum(within(t.created_at) for t in tickets),
            closed=sum(within(t.closed_at) for t in tickets),
            cancelled=sum(within(cancelled_at(h.events)) for h in members),
            open_at_end=len(open_at_end),
            accept_p50_s=rank(accept_s, 50),
            accept_p90_s=rank(accept_s, 90),
            complete_p50_s=rank(complete_s, 50),
            complete_p90_s=rank(complete_s, 90),
            sla_judged=len(judged),
            sla_met=len(met),
            escalations=sum(e.kind is EventKind.ESCALATED for e in events),
            ratings=len(rated),
            rating_overall_avg=avg["overall"],
            rating_speed_avg=avg["speed"],
            rating_attitude_avg=avg["attitude"],
            low_ratings=len(low),
            reworks=sum(e.kind is EventKind.REOPEN for e in events),
            complaints=len(reworked | {t.number for t in low}),
            revenue_fen=sum(
                e.details.amount_fen
                for e in events
                if isinstance(e.details, Paid) and e.details.correction is None
            ),
        )
        if figures != Figures(key, None) or group_by is None:
            answers.append(figures)
    return sorted(answers, key=lambda f: (-f.received, f.key or ""))


def expected_days(histories: list[TicketHistory], period: Period) -> list[DayCount]:
    def day(at: datetime | None) -> object:
        return at.astimezone(BEIJING).date() if at and period.start <= at < period.end else None

    return [
        DayCount(
            d,
            sum(day(h.ticket.created_at) == d for h in histories),
            sum(day(h.ticket.closed_at) == d for h in histories),
        )
        for d in period.days(BEIJING)
    ]


async def test_every_figure_of_a_played_week_matches_a_count_of_its_tickets(
    service_for: ServiceFor, demo_settings: Settings, clock: FakeClock
) -> None:
    async with service_for(week_settings(demo_settings)) as service:
        week = await seed_week(service, clock)
        histories = await everything(service)
        assert len(histories) == len(week.numbers) == 240
        total = (await service.figures(week.period)).total
        # the week is the one management asks about: a bit of everything happened in it
        assert total.received > 100 and total.closed > 50 and total.cancelled > 0
        assert total.escalations > 0 and total.reworks > 0 and total.low_ratings > 0
        assert total.revenue_fen > 0 and 0 < total.sla_met < total.sla_judged
        assert total.open_at_end > 0 and total.complaints >= total.low_ratings
        unaligned = Period(
            week.period.start + timedelta(hours=7), week.period.end - timedelta(hours=3)
        )
        for period in (week.period, week.period.previous(), unaligned):
            site = expected(histories, period, None)
            for group_by in KEYS:
                found = await service.figures(period, group_by)
                assert found.total == site[0], (period, group_by)
                want = [
                    Figures(
                        **{**f.__dict__, "name": group_name(group_by, f.key, service.directory)}
                    )
                    for f in expected(histories, period, group_by)
                ]
                assert found.groups == (want if group_by else []), (period, group_by)
            assert await service.daily(period) == expected_days(histories, period)
        teams = (await service.figures(week.period, GroupBy.TEAM)).groups
        assert {f.name for f in teams} == {"水电组", "土建组", "电梯组"}
        assert sum(f.received for f in teams) == total.received

        overdue = await service.overdue(500)
        late = sorted(
            (
                (due, h.ticket)
                for h in histories
                if (running := watched(h.ticket)) and (due := running[1]) < week.now
            ),
            key=lambda pair: (pair[0], pair[1].id or 0),
        )
        assert overdue == [
            Overdue(
                t.number,
                t.category,
                t.location,
                t.assignee_id,
                service.directory.name_of(t.assignee_id),
                due,
                whole_seconds(week.now, due),
            )
            for due, t in late
        ]
        assert overdue and (await service.overdue(5)) == overdue[:5]


def test_nearest_rank_is_the_smallest_value_with_enough_at_or_below_it() -> None:
    values = [15, 20, 35, 40, 50]
    assert [nearest_rank(values, p) for p in (5, 30, 40, 50, 90, 100)] == [15, 20, 20, 35, 50, 50]
    assert nearest_rank([], 50) is None and nearest_rank([7], 90) == 7
    assert all(nearest_rank(values, p) == rank(values, p) for p in range(1, 101))


async def test_sqlite_and_postgresql_count_the_same_week_the_same(
    sqlite_template: Path,
    postgres_template: tuple[str, str],
    demo_settings: Settings,
    tmp_path: Path,
) -> None:
    url, template = postgres_template
    name = f"baoxiu_t_{os.getpid()}_stats"
    path = tmp_path / "week.db"
    shutil.copy(sqlite_template, path)
    await on_server(
        url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name} TEMPLATE {template}"
    )
    counted = []
    try:
        for db in (f"sqlite+aiosqlite:///{path}", database_url(url, name)):
            engine = create_engine(db)
            try:
                clock = FakeClock()
                service = build_service(week_settings(demo_settings), engine, clock)
                week = await seed_week(service, clock)
                asked = [
                    await service.figures(p, g)
                    for p in (week.period, week.period.previous())
                    for g in KEYS
                ]
                counted.append((asked, await service.daily(week.period), await service.overdue(50)))
            finally:
                await engine.dispose()
    finally:
        await on_server(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    on_sqlite, on_postgresql = counted
    assert on_sqlite == on_postgresql
    assert on_sqlite[0][0].total.received > 100 and on_sqlite[2]
