"""The figures of a period (`storage/stats.py`) over a million tickets on PostgreSQL.

A fresh database, made on the server `--postgres` names and dropped at the end, is seeded as
`bench/sla.py` seeds it (N tickets 90 seconds apart, nearly three years of them at a million,
each with its timeline), and then given what the figures count besides: a rating on a third
of the closed jobs (a fifth of those low), an escalation on one ticket in ten, a payment on a
quarter of the closed jobs, a rework on one in twenty-five.

Timed: everything the weekly summary reads, as its job reads it (`jobs.weekly.read_week`: the
week and the week before by team, the week by category and technician and the one before by
category, the days, the jobs overdue now, the hot spots; the week is the last whose jobs are
all finished, before the seed's open tail), and a year's figures by team (the API's). Each
call counts the total with the groups. Best and median of `--runs`; targets: the summary
under 1 s, a year under 2 s.

    .venv/bin/python -m bench.stats --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test
        [--tickets 1000000] [--runs 5]
"""

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.wiring import build_service
from bench.intake import settings
from bench.scratch import million_parser, scratch_database
from bench.sla import OPEN_SHARE, seed
from jobs.weekly import read_week
from storage.uow import SqlUnitOfWorkFactory
from tests.conftest import on_server
from tickets.clock import SystemClock
from tickets.stats import Breakdown, GroupBy, Period

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK_TARGET_S = 1.0
YEAR_TARGET_S = 2.0

_MORE = (
    text("""
UPDATE ticket SET rating_overall = CASE WHEN id % 15 = 0 THEN 2 ELSE 3 + id % 3 END,
                  rating_speed = 3 + id % 3, rating_attitude = 4 + id % 2, rated_at = closed_at
WHERE status = 'closed' AND id % 3 = 0
"""),
    text("""
INSERT INTO ticket_event (ticket_id, kind, at, actor_name, source, from_status, to_status, details)
SELECT id, 'escalated', created_at + interval '1 day', '系统', 'job', status, status,
       json_build_object('step', 1, 'to', 'supervisors', 'deadline', 'accept')
FROM ticket WHERE id % 10 = 0
"""),
    text("""
INSERT INTO ticket_event (ticket_id, kind, at, actor_name, source, from_status, to_status, details)
SELECT id, 'paid', completed_at + interval '1 hour', '林客服', 'api', 'confirmed', 'confirmed',
       json_build_object('method', 'wechat', 'amount_fen', 3000 + id % 7 * 500)
FROM ticket WHERE status = 'closed' AND id % 4 = 0
"""),
    text("""
INSERT INTO ticket_event (ticket_id, kind, at, actor_name, source, from_status, to_status, details)
SELECT id, 'reopen', completed_at - interval '1 hour', '林客服', 'api', 'completed', 'assigned',
       json_build_object('reason', '还是漏水', 'rework', 1)
FROM ticket WHERE status = 'closed' AND id % 25 = 0
"""),
    text("UPDATE ticket SET rework_count = 1 WHERE status = 'closed' AND id % 25 = 0"),
)


async def enrich(engine: AsyncEngine, url: str) -> None:
    start = time.perf_counter()
    async with engine.begin() as connection:
        for statement in _MORE:
            await connection.execute(statement)
    await on_server(url, "VACUUM (ANALYZE) ticket, ticket_event")
    print(f"  ratings, escalations, payments and reworks in {time.perf_counter() - start:.1f} s")


async def timed(
    label: str, runs: int, target: float, work: Callable[[], Awaitable[list[Breakdown]]]
) -> bool:
    durations = []
    found: list[Breakdown] = []
    for attempt in range(-1, runs):  # the first, untimed, opens the pool's connection
        start = time.perf_counter()
        found = await work()
        if attempt >= 0:
            durations.append(time.perf_counter() - start)
    best, median = min(durations), statistics.median(durations)
    total = found[0].total
    print(
        f"  {label}: best {best * 1000:.0f} ms, median {median * 1000:.0f} ms over {runs} runs"
        f" ({total.received:,} received, {total.closed:,} closed, {total.open_at_end:,} open"
        f" at the end, {len(found[0].groups)} teams)"
    )
    return median < target


async def run(server: str, tickets: int, runs: int) -> None:
    async with scratch_database(server, "stats") as (engine, url):
        now = datetime.now(UTC)
        await seed(engine, url, tickets, now)
        await enrich(engine, url)
        uows = SqlUnitOfWorkFactory(engine)
        service = build_service(settings(), engine, SystemClock())
        open_since = now - tickets // OPEN_SHARE * timedelta(seconds=90)
        week = Period.week_of(open_since - timedelta(days=7), SHANGHAI)  # work in it ended
        print(f"  the week of {week.start.astimezone(SHANGHAI):%Y-%m-%d}, and the year to now")
        year = Period.local_days(
            (now - timedelta(days=365)).astimezone(SHANGHAI).date(),
            now.astimezone(SHANGHAI).date(),
            SHANGHAI,
        )
        year_of, number, _ = week.start.astimezone(SHANGHAI).isocalendar()

        async def summary() -> list[Breakdown]:
            read = await read_week(service, f"{year_of}-W{number:02d}")
            return [Breakdown(read.total, list(read.teams))]

        async def api() -> list[Breakdown]:
            async with uows(readonly=True) as uow:
                return [await uow.stats.figures(year, GroupBy.TEAM)]

        weekly = await timed(
            "the weekly summary's figures (read_week: five breakdowns, the days, overdue,"
            " hot spots)",
            runs,
            WEEK_TARGET_S,
            summary,
        )
        yearly = await timed("a year by team", runs, YEAR_TARGET_S, api)
    print(f"  the summary under {WEEK_TARGET_S:.0f} s: {'yes' if weekly else 'NO'}")
    print(f"  a year under {YEAR_TARGET_S:.0f} s: {'yes' if yearly else 'NO'}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = million_parser(__doc__)
    parser.add_argument("--runs", type=int, default=5, help="times each query is timed")
    args = parser.parse_args(argv)
    print("PostgreSQL")
    asyncio.run(run(args.postgres, args.tickets, args.runs))


if __name__ == "__main__":
    main()
