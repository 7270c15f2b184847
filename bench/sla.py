"""The SLA watcher's query over a million tickets on PostgreSQL, and what one change's
deadlines cost.

A fresh database, made on the server `--postgres` names and dropped at the end, is seeded in
SQL with N tickets as a site holds them after some years: 95 % finished, the newest 5 % open
with their due times spread over three days either side of now and their next escalation
step due when the deadline passes (then 30 and 120 minutes after; none once the chain is
spent), one ticket in a thousand due within the last minute; each with its timeline (created,
claimed, started, completed, confirmed, closed). The watcher's query, the statement
`storage.repository.due_escalations_query` builds, is timed through the repository as the
watcher runs it, and explained: in a quiet minute (a handful due) and three days on, as after
an outage (every open ticket still on its chain due, the first 500 taken).

Last, the pure part of a change: `tickets.machine.decide` for a claim then a start of a normal
job, its deadlines counted by the default SLA in working time on China's calendar, from an
ordinary Tuesday morning and from the eve of National Day (through the holiday week and its
make-up Saturday); and `Policy.plan` alone. Both against the same `decide` without a policy,
in the same run.

    .venv/bin/python -m bench.sla --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test
        [--tickets 1000000] [--runs 200] [--iterations 2000]
"""

import asyncio
import json
import statistics
import time
import timeit
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from baoxiu.config import SlaConfig
from bench.intake import settings
from bench.scratch import million_parser, scratch_database
from storage.repository import due_escalations_query
from storage.uow import SqlUnitOfWorkFactory
from tests.conftest import on_server
from tests.tickets.factories import ctx, make_ticket
from tickets.actions import Command, Verb
from tickets.machine import Context, decide
from tickets.model import Actor, Ticket
from tickets.states import Status, Urgency

SHANGHAI = ZoneInfo("Asia/Shanghai")
LIMIT = 500
"""Tickets the watcher takes per tick."""
TARGET_MS = 50.0
INDEX = "ix_ticket_escalate_at"
OPEN_SHARE = 20
"""One ticket in twenty is open."""
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
EVE = datetime(2026, 9, 30, 17, 50, tzinfo=SHANGHAI)
"""After closing, before seven days off: the clock starts on 10-08, and Saturday 10-10 is
worked."""

_TICKETS = text("""
WITH t AS (
    SELECT i, now,
           i > :n - :open AS open,
           now - (:n - i) * interval '90 seconds' AS created,
           now + ((i::bigint * 7919) % 8640 - 4320) * interval '1 minute' AS due,
           (ARRAY['水电', '燃气', '门窗', '土建', '公共设施', '电梯'])[i % 6 + 1] AS category
    FROM generate_series(1, :n) AS i, (SELECT CAST(:now AS timestamptz) AS now) AS c
), s AS (
    SELECT t.*,
           CASE WHEN NOT open THEN CASE WHEN i % 50 = 0 THEN 'cancelled' ELSE 'closed' END
                ELSE (ARRAY['new', 'assigned', 'in_progress', 'in_progress', 'paused'])[i % 5 + 1]
           END AS status,
           CASE category WHEN '电梯' THEN 'dianti' WHEN '水电' THEN 'shuidian'
                         WHEN '燃气' THEN 'shuidian' ELSE 'tujian' END AS team
    FROM t
), r AS (
    SELECT s.*,
           CASE WHEN status IN ('new', 'cancelled') THEN NULL
                WHEN team = 'shuidian' THEN (ARRAY['li', 'wang'])[i % 2 + 1]
                WHEN team = 'tujian' THEN (ARRAY['zhang', 'zhao'])[i % 2 + 1]
                ELSE (ARRAY['liu', 'sun'])[i % 2 + 1] END AS assignee
    FROM s
)
INSERT INTO ticket (
    number, status, category, team_id, urgency, urgency_suggested, reporter_name,
    reporter_phone, location, description, channel, created_by, assignee_id, accepted_at,
    started_at, completed_at, confirmed_at, closed_at, cancel_reason, completion_note,
    confirmed_by, closed_by, rework_count, version, created_at, updated_at, photos,
    public_token, accept_due, arrive_due, complete_due, escalation_chain, escalation_step,
    escalate_at
)
SELECT
    'BX' || to_char(created AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-'
         || lpad(i::text, 7, '0'),
    status, category, team,
    CASE WHEN i % 20 = 0 THEN 'emergency' WHEN i % 5 = 0 THEN 'urgent' ELSE 'normal' END,
    i % 3 > 0, '张三', '138' || lpad((i::bigint * 7919 % 100000000)::text, 8, '0'),
    (i % 30 + 1) || '栋' || (i % 4 + 1) || '单元' || (i % 18 + 1) || '0' || (i % 4 + 1),
    '厨房水龙头漏水，阀门关不紧', (ARRAY['phone', 'web', 'chat', 'front_desk'])[i % 4 + 1],
    'lin', assignee,
    CASE WHEN assignee IS NULL THEN NULL WHEN open THEN now - interval '3 hours'
         ELSE created + interval '20 minutes' END,
    CASE WHEN status IN ('in_progress', 'paused') THEN now - interval '2 hours'
         WHEN status = 'closed' THEN created + interval '2 hours' END,
    CASE WHEN status = 'closed' THEN created + interval '5 hours' END,
    CASE WHEN status = 'closed' THEN created + interval '6 hours' END,
    CASE WHEN status = 'closed' THEN created + interval '1 day' END,
    CASE WHEN status = 'cancelled' THEN '业主自行修好' END,
    CASE WHEN status = 'closed' THEN '更换阀芯' END,
    CASE WHEN status = 'closed' THEN '业主' END,
    CASE WHEN status = 'closed' THEN '林客服' END,
    0,
    CASE status WHEN 'new' THEN 1 WHEN 'assigned' THEN 2 WHEN 'in_progress' THEN 3
                WHEN 'paused' THEN 4 WHEN 'cancelled' THEN 2 ELSE 6 END,
    created,
    CASE WHEN open THEN now - interval '1 hour' ELSE created + interval '1 day' END,
    '[]', md5(i::text),
    CASE WHEN status = 'new' THEN due ELSE created + interval '1 day' END,
    CASE WHEN status IN ('new', 'cancelled') THEN NULL WHEN status = 'assigned' THEN due
         ELSE created + interval '2 days' END,
    CASE WHEN status IN ('new', 'assigned', 'cancelled') THEN NULL WHEN open THEN due
         ELSE created + interval '3 days' END,
    CAST(:chain AS json),
    CASE WHEN NOT open OR due > now THEN 0 WHEN due > now - interval '30 minutes' THEN 1
         WHEN due > now - interval '120 minutes' THEN 2 ELSE 3 END,
    CASE WHEN NOT open THEN NULL
         WHEN i % 1000 = 0 THEN now - (i % 60) * interval '1 second'
         WHEN due > now THEN due
         WHEN due > now - interval '30 minutes' THEN due + interval '30 minutes'
         WHEN due > now - interval '120 minutes' THEN due + interval '120 minutes' END
FROM r
""")

_EVENTS = text("""
INSERT INTO ticket_event (
    ticket_id, kind, at, actor_id, actor_name, source, from_status, to_status, details
)
SELECT t.id, e.kind, e.at, e.actor, e.actor, 'api', e.from_status, e.to_status, e.details
FROM ticket AS t
CROSS JOIN LATERAL (VALUES
    ('create', t.created_at, 'lin', NULL, 'new',
     json_build_object('channel', t.channel, 'urgency', t.urgency)),
    ('claim', t.accepted_at, t.assignee_id, 'new', 'assigned', '{}'::json),
    ('start', t.started_at, t.assignee_id, 'assigned', 'in_progress', '{}'::json),
    ('complete', t.completed_at, t.assignee_id, 'in_progress', 'completed',
     json_build_object('note', t.completion_note)),
    ('confirm', t.confirmed_at, 'lin', 'completed', 'confirmed', '{}'::json),
    ('close', t.closed_at, 'lin', 'confirmed', 'closed', '{}'::json),
    ('cancel', CASE WHEN t.status = 'cancelled' THEN t.updated_at END, 'lin', 'new',
     'cancelled', json_build_object('reason', t.cancel_reason))
) AS e(kind, at, actor, from_status, to_status, details)
WHERE e.at IS NOT NULL
""")


async def seed(engine: AsyncEngine, url: str, tickets: int, now: datetime) -> None:
    chain = json.dumps([step.model_dump() for step in SlaConfig().escalation])
    start = time.perf_counter()
    async with engine.begin() as connection:
        await connection.execute(
            _TICKETS, {"n": tickets, "open": tickets // OPEN_SHARE, "now": now, "chain": chain}
        )
        seeded = time.perf_counter()
        events = (await connection.execute(_EVENTS)).rowcount
    written = time.perf_counter()
    await on_server(url, "VACUUM (ANALYZE) ticket, ticket_event")
    done = time.perf_counter()
    print(
        f"  seeded {tickets:,} tickets in {seeded - start:.1f} s, their {events:,} events in "
        f"{written - seeded:.1f} s, VACUUM ANALYZE in {done - written:.1f} s"
    )


async def watch(engine: AsyncEngine, label: str, now: datetime, runs: int) -> bool:
    """Times the watcher's query as the watcher runs it; True if it read `INDEX`, never the
    whole table, and answered within `TARGET_MS` at the 95th percentile."""
    uows = SqlUnitOfWorkFactory(engine)
    durations, due = [], 0
    for attempt in range(-1, runs):  # the first, untimed, opens the pool's connection
        start = time.perf_counter()
        async with uows() as uow:
            due = len(await uow.tickets.due_escalations(now, LIMIT))
        if attempt >= 0:
            durations.append((time.perf_counter() - start) * 1000)
    p50 = statistics.median(durations)
    p95 = statistics.quantiles(durations, n=20)[18]
    print(f"  {label}: {due} due, p50 {p50:.2f} ms, p95 {p95:.2f} ms over {runs} runs")
    plan = await explain(engine, now)
    for line in plan:
        print(f"    {line}")
    said = "\n".join(plan)
    return INDEX in said and "Seq Scan" not in said and p95 < TARGET_MS


async def explain(engine: AsyncEngine, now: datetime) -> list[str]:
    """EXPLAIN of the repository's own statement, with the values it binds."""
    async with engine.connect() as connection:
        compiled = due_escalations_query(now, LIMIT).compile(dialect=connection.dialect)
        values = tuple(compiled.params[name] for name in compiled.positiontup or ())
        result = await connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", values)
        return [str(row[0]) for row in result]


def deadlines(iterations: int) -> None:
    directory = settings().directory()
    plain = replace(ctx(directory), now=TUESDAY)
    policy = SlaConfig().policy(SHANGHAI)
    ticket = make_ticket(Status.NEW)
    wang = Actor.member("wang")

    def change(context: Context) -> Ticket:
        claimed = decide(ticket, Command(Verb.CLAIM, wang), context).ticket
        return decide(claimed, Command(Verb.START, wang), context).ticket

    def per_call_us(work: Callable[[], object], calls: int = 1) -> float:
        best = min(timeit.repeat(work, number=iterations, repeat=5))
        return best / (iterations * calls) * 1e6

    without = per_call_us(lambda: change(plain), calls=2)
    print(f"  deadlines, per change (a claim, then a start), best of 5 × {iterations}:")
    print(f"    {'decide(), no policy':<38}{without:8.1f} µs")
    plans = []
    for now in (TUESDAY, EVE):
        counted = replace(plain, now=now, policy=policy)
        started = change(counted)
        assert started.arrive_due is not None and started.complete_due is not None
        due = f"arrive by {started.arrive_due.astimezone(SHANGHAI):%a %m-%d %H:%M}, "
        due += f"complete by {started.complete_due.astimezone(SHANGHAI):%a %m-%d %H:%M}"
        with_sla = per_call_us(partial(change, counted), calls=2)
        print(
            f"    {f'decide(), the SLA from {now:%a %m-%d %H:%M}':<38}{with_sla:8.1f} µs"
            f"  ×{with_sla / without:<6.2f} {due}"
        )
        plans.append((now, per_call_us(partial(policy.plan, Urgency.NORMAL, now))))
    for now, plan in plans:
        label = f"Policy.plan from {now:%a %m-%d %H:%M}"
        print(f"    {label:<38}{plan:8.1f} µs  ×{plan / without:<6.2f} three deadlines")


async def run(server: str, tickets: int, runs: int, iterations: int) -> None:
    async with scratch_database(server, "sla") as (engine, url):
        now = datetime.now(UTC)
        await seed(engine, url, tickets, now)
        quiet = await watch(engine, "watcher query, a quiet minute", now, runs)
        backlog = await watch(
            engine, "watcher query, after an outage", now + timedelta(days=3), runs
        )
    verdict = "yes" if quiet and backlog else "NO"
    print(f"  an index scan of {INDEX}, p95 under {TARGET_MS:.0f} ms: {verdict}")
    deadlines(iterations)


def main(argv: Sequence[str] | None = None) -> None:
    parser = million_parser(__doc__)
    parser.add_argument("--runs", type=int, default=200, help="watcher queries timed")
    parser.add_argument("--iterations", type=int, default=2000, help="changes timed")
    args = parser.parse_args(argv)
    print("PostgreSQL")
    asyncio.run(run(args.postgres, args.tickets, args.runs, args.iterations))


if __name__ == "__main__":
    main()
