"""`tickets.ports.StatsRepository` in aggregate SQL: the database counts, Python only merges
the few rows of each answer (one per group and figure family).

Each family of figures is one statement over the rows the period touches, found through an
index on the time that puts them in it (created, closed, accepted, completed, rated; events by
kind and time), so a week reads a week's rows however long the history. Percentiles are
nearest-rank (tickets/stats.py) with ROW_NUMBER and COUNT over the group's window, and
durations whole Unix seconds, written for each database (`_epoch`), so SQLite and PostgreSQL
give the same numbers to the unit.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    Subquery,
    Table,
    and_,
    case,
    func,
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

FINAL = (Status.CLOSED.value, Status.CANCELLED.value)
WATCHED_OPEN = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PAUSED)
"""The states `tickets.escalation.WATCHED` runs a clock in."""


NO_KEY: ColumnElement[Any] = null()
"""The key of the total, which has no group."""


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


def location_key(location: ColumnElement[str]) -> ColumnElement[str]:
    """The place a ticket groups under: the location as stored, for now; normalising it
    (3栋2单元501 = 3号楼2单元501室) is this one expression's to change."""
    return location


def group_key(group_by: GroupBy | None) -> ColumnElement[Any]:
    """What a ticket is grouped by, as a column of `ticket`; NULL for the total."""
    match group_by:
        case GroupBy.TEAM:
            return t.team_id
        case GroupBy.TECHNICIAN:
            return t.assignee_id
        case GroupBy.CATEGORY:
            return t.category
        case GroupBy.LOCATION:
            return location_key(t.location)
    return NO_KEY


def _in(column: ColumnElement[datetime], period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def _count(when: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((when, 1), else_=0)), 0)


def _grouped(statement: Select[Any], key: ColumnElement[Any], grouped: bool) -> Select[Any]:
    return statement.group_by(key) if grouped else statement


def _events(kinds: Iterable[EventKind], period: Period) -> ColumnElement[bool]:
    return and_(e.kind.in_([k.value for k in kinds]), _in(e.at, period))


def _percentiles(
    key: ColumnElement[Any], grouped: bool, value: ColumnElement[int], where: ColumnElement[bool]
) -> Select[Any]:
    """(key, p50, p90) of `value` over the tickets `where` selects, nearest-rank."""
    partition = key if grouped else None
    ranked = (
        select(
            key.label("key"),
            value.label("v"),
            func.row_number().over(partition_by=partition, order_by=value).label("rn"),
            func.count().over(partition_by=partition).label("n"),
        )
        .where(where)
        .subquery()
    )

    def rank(percent: int) -> ColumnElement[int]:
        return func.min(case((ranked.c.rn * 100 >= percent * ranked.c.n, ranked.c.v)))

    if grouped:
        return select(ranked.c.key, rank(50), rank(90)).group_by(ranked.c.key)
    return select(NO_KEY, rank(50), rank(90))


def _met(actual: ColumnElement[datetime], due: ColumnElement[datetime]) -> ColumnElement[bool]:
    return or_(due.is_(None), and_(actual.is_not(None), actual <= due))


class SqlStats:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _rows(self, statement: Any) -> Sequence[Any]:
        connection = await self._session.connection()
        return (await connection.execute(statement)).all()

    async def figures(self, period: Period, group_by: GroupBy | None) -> list[Figures]:
        """One `Figures` per group (names left for the caller), or the total alone."""
        key = group_key(group_by)
        grouped = group_by is not None
        found: dict[str | None, dict[str, Any]] = defaultdict(dict)

        async def gather(statement: Any, *names: str) -> None:
            for row in await self._rows(statement):
                found[row[0]].update(zip(names, row[1:], strict=True))

        tickets = select(key).select_from(TICKET)
        await gather(
            _grouped(
                tickets.add_columns(func.count()).where(_in(t.created_at, period)), key, grouped
            ),
            "received",
        )
        await gather(
            _grouped(
                tickets.add_columns(func.count()).where(_in(t.closed_at, period)), key, grouped
            ),
            "closed",
        )
        await gather(self._cancelled(period, key, grouped), "cancelled")
        await gather(self._open_at_end(period, key, grouped), "open_at_end")
        accept = _epoch(t.accepted_at) - _epoch(t.created_at)
        await gather(
            _percentiles(key, grouped, accept, _in(t.accepted_at, period)),
            "accept_p50_s",
            "accept_p90_s",
        )
        complete = _epoch(t.completed_at) - _epoch(t.created_at)
        await gather(
            _percentiles(key, grouped, complete, _in(t.completed_at, period)),
            "complete_p50_s",
            "complete_p90_s",
        )
        judged = or_(
            t.accept_due.is_not(None), t.arrive_due.is_not(None), t.complete_due.is_not(None)
        )
        met = and_(
            judged,
            _met(t.accepted_at, t.accept_due),
            _met(t.started_at, t.arrive_due),
            _met(t.completed_at, t.complete_due),
        )
        await gather(
            _grouped(
                tickets.add_columns(_count(judged), _count(met)).where(_in(t.completed_at, period)),
                key,
                grouped,
            ),
            "sla_judged",
            "sla_met",
        )
        await gather(
            _grouped(
                tickets.add_columns(
                    func.count(),
                    func.sum(t.rating_overall),
                    func.sum(t.rating_speed),
                    func.sum(t.rating_attitude),
                    _count(_low()),
                ).where(_in(t.rated_at, period)),
                key,
                grouped,
            ),
            "ratings",
            "overall_sum",
            "speed_sum",
            "attitude_sum",
            "low_ratings",
        )
        events = select(key).select_from(EVENT.join(TICKET, e.ticket_id == t.id))
        amount = e.details["amount_fen"].as_integer()
        not_correction = e.details["correction"].as_string().is_(None)
        await gather(
            _grouped(
                events.add_columns(
                    _count(e.kind == EventKind.ESCALATED.value),
                    _count(e.kind == EventKind.REOPEN.value),
                    func.coalesce(
                        func.sum(
                            case((and_(e.kind == EventKind.PAID.value, not_correction), amount))
                        ),
                        0,
                    ),
                ).where(_events((EventKind.ESCALATED, EventKind.REOPEN, EventKind.PAID), period)),
                key,
                grouped,
            ),
            "escalations",
            "reworks",
            "revenue_fen",
        )
        await gather(self._complaints(period, key, grouped), "complaints")
        return sorted(
            (_figures(k, v) for k, v in found.items()), key=lambda f: (-f.received, f.key or "")
        ) or [Figures(None, None)]

    @staticmethod
    def _cancelled(period: Period, key: ColumnElement[Any], grouped: bool) -> Select[Any]:
        return _grouped(
            select(key, func.count())
            .select_from(EVENT.join(TICKET, e.ticket_id == t.id))
            .where(_cancels(), _events(CANCELLING, period)),
            key,
            grouped,
        )

    @staticmethod
    def _open_at_end(period: Period, key: ColumnElement[Any], grouped: bool) -> Select[Any]:
        """Open at the end: still unfinished now, or closed or cancelled only after the end;
        three index range scans rather than a pass over every ticket ever created."""
        before = t.created_at < period.end
        unfinished = select(key.label("key")).where(t.status.not_in(FINAL), before)
        closed_later = select(key.label("key")).where(t.closed_at >= period.end, before)
        cancelled_later = (
            select(key.label("key"))
            .select_from(EVENT.join(TICKET, e.ticket_id == t.id))
            .where(
                _cancels(), e.kind.in_([k.value for k in CANCELLING]), e.at >= period.end, before
            )
        )
        rows = union_all(unfinished, closed_later, cancelled_later).subquery()
        return _tally(rows, grouped)

    @staticmethod
    def _complaints(period: Period, key: ColumnElement[Any], grouped: bool) -> Select[Any]:
        rated = select(t.id.label("id"), key.label("key")).where(_in(t.rated_at, period), _low())
        reworked = (
            select(t.id.label("id"), key.label("key"))
            .select_from(EVENT.join(TICKET, e.ticket_id == t.id))
            .where(_events((EventKind.REOPEN,), period))
        )
        rows = union(rated, reworked).subquery()
        return _tally(rows, grouped)

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
    """(key, rows) of a subquery's rows, per its `key` column or in all."""
    if grouped:
        return select(rows.c.key, func.count()).group_by(rows.c.key)
    return select(NO_KEY, func.count()).select_from(rows)


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
