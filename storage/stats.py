"""`tickets.ports.StatsRepository` in aggregate SQL: the database counts, Python only merges
the few rows of each answer (one per group and figure family).

Each family of figures is one statement over the rows the period touches, found through an
index on the time that puts them in it (created, closed, accepted, completed, rated; events by
kind and time), so a week reads a week's rows however long the history. The total comes
from the same statements as the groups: what adds up is summed over the group rows, and the
percentiles are nearest-rank (tickets/stats.py) by CUME_DIST over each group's window and over
the site's. Durations are whole Unix seconds, written for each database (`_epoch`), so SQLite
and PostgreSQL give the same numbers to the unit.

A year over a million tickets reads a third of them, several times (bench/stats.py): a daily
roll-up table would be the next step if that must be faster.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    FromClause,
    Integer,
    Select,
    Subquery,
    Table,
    and_,
    case,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import TicketEventRow, TicketRow
from tickets.events import EventKind
from tickets.states import Status
from tickets.stats import (
    CANCELLING,
    LOW_STARS,
    Breakdown,
    DayCount,
    Figures,
    GroupBy,
    Overdue,
    Period,
    average,
    seconds,
)

TICKET: Table = TicketRow.__table__  # type: ignore[attr-defined]
EVENT: Table = TicketEventRow.__table__  # type: ignore[attr-defined]
t = TICKET.c
e = EVENT.c

UNFINISHED = [s.value for s in Status if s not in (Status.CLOSED, Status.CANCELLED)]
"""Listed rather than "not closed or cancelled", so that the status index finds them."""
WATCHED_OPEN = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PAUSED)
"""The states `tickets.escalation.WATCHED` runs a clock in."""


NO_KEY: ColumnElement[Any] = null()
"""The key of the total, which has no group."""
_PERCENTILES = ("accept_p50_s", "accept_p90_s", "complete_p50_s", "complete_p90_s")


class _epoch(FunctionElement[int]):
    """Whole Unix seconds of a timestamp column (fractions dropped)."""

    type = BigInteger()
    inherit_cache = True


@compiles(_epoch, "sqlite")
def _epoch_sqlite(element: _epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(_epoch, "postgresql")
def _epoch_postgresql(element: _epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


def group_key(group_by: GroupBy | None) -> ColumnElement[Any]:
    """What a ticket is grouped by, as a column of `ticket`; NULL for the total."""
    match group_by:
        case GroupBy.TEAM:
            return t.team_id
        case GroupBy.TECHNICIAN:
            return t.assignee_id
        case GroupBy.CATEGORY:
            return t.category
        case GroupBy.LOCATION:  # the place, normalised: 3号楼2单元501室 is 3栋2单元501
            return t.place
    return NO_KEY


def _in(column: ColumnElement[datetime], period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def _count(when: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((when, 1), else_=0)), 0)


def _grouped(statement: Select[Any], grouped: bool) -> Select[Any]:
    """`statement` per group: by its first column, which is the key."""
    if not grouped:
        return statement
    first = next(iter(statement.selected_columns))
    return statement.group_by(first)


def _flag(when: ColumnElement[bool]) -> ColumnElement[int]:
    return case((when, 1), else_=0)


def _sum(column: ColumnElement[Any]) -> ColumnElement[int]:
    return func.coalesce(func.sum(column), 0)


_COUNTED = frozenset({*CANCELLING, EventKind.ESCALATED, EventKind.REOPEN, EventKind.PAID})


def _of_kinds(kinds: Iterable[EventKind]) -> ColumnElement[bool]:
    return e.kind.in_(sorted(k.value for k in kinds))


def _tickets(period: Period, key: ColumnElement[Any]) -> Select[Any]:
    """The figures counted on the ticket row (`_TICKET_FIGURES`), in one pass over the
    tickets the period created, closed, completed or rated (each range through its index)."""
    created, closed, completed, rated = (
        _in(column, period) for column in (t.created_at, t.closed_at, t.completed_at, t.rated_at)
    )
    judged = or_(t.accept_due.is_not(None), t.arrive_due.is_not(None), t.complete_due.is_not(None))
    met = and_(
        judged,
        _met(t.accepted_at, t.accept_due),
        _met(t.started_at, t.arrive_due),
        _met(t.completed_at, t.complete_due),
    )

    def stars(part: ColumnElement[int | None]) -> ColumnElement[int]:
        return _sum(case((rated, part)))

    return select(
        key,
        _count(created),
        _count(closed),
        _count(and_(completed, judged)),
        _count(and_(completed, met)),
        _count(rated),
        stars(t.rating_overall),
        stars(t.rating_speed),
        stars(t.rating_attitude),
        _count(and_(rated, _low())),
    ).where(or_(created, closed, completed, rated))


_TICKET_FIGURES = (
    "received",
    "closed",
    "sla_judged",
    "sla_met",
    "ratings",
    "overall_sum",
    "speed_sum",
    "attitude_sum",
    "low_ratings",
)


def _events_of(key: ColumnElement[Any]) -> FromClause:
    """Events, with their ticket when the group is the ticket's."""
    return EVENT if key is NO_KEY else EVENT.join(TICKET, e.ticket_id == t.id)


def _events(period: Period, key: ColumnElement[Any]) -> Select[Any]:
    """The figures counted on the timeline (`_EVENT_FIGURES`), in one pass over the period's
    events of the kinds they count: a payment's amount is money received, a correction only
    re-records a sum already counted."""
    received = and_(e.kind == EventKind.PAID.value, e.details["correction"].as_string().is_(None))
    return (
        select(
            key,
            _count(and_(_of_kinds(CANCELLING), _cancels())),
            _count(e.kind == EventKind.ESCALATED.value),
            _count(e.kind == EventKind.REOPEN.value),
            _sum(case((received, e.details["amount_fen"].as_integer()))),
        )
        .select_from(_events_of(key))
        .where(_of_kinds(_COUNTED), _in(e.at, period))
    )


_EVENT_FIGURES = ("cancelled", "escalations", "reworks", "revenue_fen")


def _complaints(period: Period, key: ColumnElement[Any]) -> Subquery:
    """Each ticket rated low or sent back for rework in the period, once."""
    rated = select(t.id.label("id"), key.label("key")).where(_in(t.rated_at, period), _low())
    reworked = (
        select(e.ticket_id.label("id"), key.label("key"))
        .select_from(_events_of(key))
        .where(e.kind == EventKind.REOPEN.value, _in(e.at, period))
    )
    return union(rated, reworked).subquery()


def _percentiles(period: Period, key: ColumnElement[Any]) -> Select[Any]:
    """Medians and 90th percentiles of the times to accept and to complete, per group and,
    beside them, the site's (`_SPAN_FIGURES`): nearest-rank, the least value with at least
    p % of the values at or below it, which is the least whose CUME_DIST over its window
    (the share of values at or below it) reaches p / 100. One window per group and one for
    the site, each over narrow rows (one per ticket accepted or completed in the period):
    ROW_NUMBER beside COUNT would take two passes of each. CUME_DIST is k / n in double
    precision on both databases, and k / n ≥ 0.5 or 0.9 is exact for any n a period holds
    (the test against `nearest_rank` checks it on both). The site's value is the least that
    qualifies in any group; the caller takes it across groups."""
    accepted, completed = _in(t.accepted_at, period), _in(t.completed_at, period)
    spans = {
        "a": (accepted, _epoch(t.accepted_at) - _epoch(t.created_at)),
        "c": (completed, _epoch(t.completed_at) - _epoch(t.created_at)),
    }
    base = (
        select(
            key.label("key"),
            *(
                column
                for name, (within, value) in spans.items()
                for column in (_flag(within).label(f"{name}_in"), value.label(name))
            ),
        )
        .where(or_(accepted, completed))
        .subquery()
    )
    b = base.c
    grouped = key is not NO_KEY
    columns: list[ColumnElement[Any]] = [b.key, *(b[f"{n}{x}"] for n in spans for x in ("_in", ""))]
    for name in spans:
        flag, value = b[f"{name}_in"], b[name]
        for scope, partition in (("g", [b.key, flag] if grouped else [flag]), ("t", [flag])):
            share = func.cume_dist().over(partition_by=partition, order_by=value)
            columns.append(share.label(f"{name}_share_{scope}"))
    r = select(*columns).subquery().c

    def rank(name: str, scope: str, percent: int) -> ColumnElement[int]:
        reached = r[f"{name}_share_{scope}"] >= literal(percent / 100, Float)
        return func.min(case((and_(r[f"{name}_in"] == 1, reached), r[name])))

    return select(
        r.key if grouped else NO_KEY,
        *(rank(name, scope, p) for scope in "gt" for name in spans for p in (50, 90)),
    )


_SPAN_FIGURES = (*_PERCENTILES, *(f"site_{name}" for name in _PERCENTILES))


def _open_at_end(period: Period, key: ColumnElement[Any]) -> Subquery:
    """Tickets open at the end: still unfinished now, or closed or cancelled only after the
    end; three index range scans rather than a pass over every ticket ever created."""
    before = t.created_at < period.end
    unfinished = select(key.label("key")).where(t.status.in_(UNFINISHED), before)
    closed_later = select(key.label("key")).where(t.closed_at >= period.end, before)
    cancelled_later = (
        select(key.label("key"))
        .select_from(EVENT.join(TICKET, e.ticket_id == t.id))
        .where(_of_kinds(CANCELLING), _cancels(), e.at >= period.end, before)
    )
    return union_all(unfinished, closed_later, cancelled_later).subquery()


def _met(actual: ColumnElement[datetime], due: ColumnElement[datetime]) -> ColumnElement[bool]:
    return or_(due.is_(None), and_(actual.is_not(None), actual <= due))


_ANALYSIS = ("SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'")


class SqlStats:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _for_analysis(self) -> None:
        """PostgreSQL, for the rest of this transaction: no JIT, whose compiling of these
        one-off aggregates costs seconds over a year of tickets and saves less, and room to
        sort a year's durations in memory rather than on disk."""
        connection = await self._session.connection()
        if connection.dialect.name == "postgresql":
            for setting in _ANALYSIS:
                await connection.exec_driver_sql(setting)

    async def _rows(self, statement: Any) -> Sequence[Any]:
        connection = await self._session.connection()
        return (await connection.execute(statement)).all()

    async def figures(self, period: Period, group_by: GroupBy | None) -> Breakdown:
        """The total and, with `group_by`, one `Figures` per group, busiest first (names
        left for the caller). Each statement runs once, per group: what adds up is summed
        into the total here, and the total's percentiles come from the site-wide windows."""
        key = group_key(group_by)
        grouped = group_by is not None
        found: dict[str | None, dict[str, Any]] = defaultdict(dict)
        await self._for_analysis()

        async def gather(statement: Select[Any], names: Sequence[str]) -> None:
            for row in await self._rows(_grouped(statement, grouped)):
                found[row[0]].update(zip(names, row[1:], strict=True))

        await gather(_tickets(period, key), _TICKET_FIGURES)
        await gather(_events(period, key), _EVENT_FIGURES)
        await gather(_percentiles(period, key), _SPAN_FIGURES)
        await gather(_tally(_open_at_end(period, key), grouped), ["open_at_end"])
        await gather(_tally(_complaints(period, key), grouped), ["complaints"])
        site: dict[str, Any] = defaultdict(int)
        for values in found.values():
            for name, value in values.items():
                if name.startswith("site_"):  # the site's, where it falls in this group
                    name = name.removeprefix("site_")
                    if value is not None:
                        site[name] = min(site[name], value) if name in site else value
                elif name not in _PERCENTILES:
                    site[name] += value or 0
        groups = sorted(
            (_figures(k, v) for k, v in found.items()), key=lambda f: (-f.received, f.key or "")
        )
        return Breakdown(_figures(None, site), groups if grouped else [])

    async def daily(self, period: Period, tz: ZoneInfo) -> list[DayCount]:
        """Received and closed per local day: each instant's day found by a CASE over the
        day boundaries, computed here in the site's zone and bound as parameters."""
        days = period.days(tz)
        bounds = period.day_bounds(tz)

        def day_of(column: ColumnElement[datetime]) -> ColumnElement[int]:
            whens = [(column < bound, i) for i, bound in enumerate(bounds[1:-1])]
            return case(*whens, else_=len(days) - 1) if whens else literal_column("0", Integer)

        received = select(
            day_of(t.created_at).label("day"), literal_column("1", Integer).label("r")
        )
        received = received.where(_in(t.created_at, period))
        closed = select(day_of(t.closed_at).label("day"), literal_column("0", Integer).label("r"))
        closed = closed.where(_in(t.closed_at, period))
        rows = union_all(received, closed).subquery()
        statement = select(rows.c.day, _count(rows.c.r == 1), _count(rows.c.r == 0)).group_by(
            rows.c.day
        )
        counts = {int(day): (int(r), int(c)) for day, r, c in await self._rows(statement)}
        return [DayCount(d, *counts.get(i, (0, 0))) for i, d in enumerate(days)]

    async def overdue(self, now: datetime, limit: int) -> list[Overdue]:
        """Open jobs past the due time they work towards now, the latest first; a clock
        stopped (paused for parts or the resident) is not running late."""
        due = case(
            (t.status == Status.NEW.value, t.accept_due),
            (t.status == Status.ASSIGNED.value, t.arrive_due),
            else_=t.complete_due,
        )
        statement = (
            select(t.number, t.category, t.location, t.assignee_id, due.label("due"))
            .where(
                t.status.in_([s.value for s in WATCHED_OPEN]),
                t.clock_stopped_at.is_(None),
                due < now,
            )
            .order_by(due, t.id)
            .limit(limit)
        )
        rows = await self._rows(statement)
        return [
            Overdue(
                number=number,
                category=category,
                location=location,
                assignee_id=assignee,
                assignee_name=None,
                due=at,
                late_s=seconds(now, at),
            )
            for number, category, location, assignee, at in rows
        ]


def _tally(rows: Subquery, grouped: bool) -> Select[Any]:
    """(key, rows) of a subquery's rows with a `key` column."""
    return select(rows.c.key if grouped else NO_KEY, func.count()).select_from(rows)


def _cancels() -> ColumnElement[bool]:
    return and_(e.to_status == Status.CANCELLED.value, e.from_status != Status.CANCELLED.value)


def _low() -> ColumnElement[bool]:
    return or_(
        t.rating_overall <= LOW_STARS, t.rating_speed <= LOW_STARS, t.rating_attitude <= LOW_STARS
    )


def _figures(key: str | None, values: dict[str, Any]) -> Figures:
    def count(name: str) -> int:
        return int(values.get(name) or 0)

    def span(name: str) -> int | None:
        value = values.get(name)
        return None if value is None else int(value)

    ratings = count("ratings")
    return Figures(
        key,
        None,
        received=count("received"),
        closed=count("closed"),
        cancelled=count("cancelled"),
        open_at_end=count("open_at_end"),
        accept_p50_s=span("accept_p50_s"),
        accept_p90_s=span("accept_p90_s"),
        complete_p50_s=span("complete_p50_s"),
        complete_p90_s=span("complete_p90_s"),
        sla_judged=count("sla_judged"),
        sla_met=count("sla_met"),
        escalations=count("escalations"),
        ratings=ratings,
        rating_overall_avg=average(count("overall_sum"), ratings),
        rating_speed_avg=average(count("speed_sum"), ratings),
        rating_attitude_avg=average(count("attitude_sum"), ratings),
        low_ratings=count("low_ratings"),
        reworks=count("reworks"),
        complaints=count("complaints"),
        revenue_fen=count("revenue_fen"),
    )
