"""`tickets.ports.TicketRepository` over SQLModel tables."""

from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, and_, func, text, update
from sqlalchemy import select as sql_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from storage.engine import dialect_insert
from storage.inbound import first_time
from storage.tables import TicketEventRow, TicketRow, TicketSequenceRow
from tickets.deadlines import Rung
from tickets.duplicates import ENDED
from tickets.errors import ConcurrentUpdate
from tickets.events import details_from_json, details_to_json
from tickets.fees import FeeLine, Material, SuppliedBy
from tickets.hotspots import LATEST, Hotspot
from tickets.model import Event, Reporter, Ticket
from tickets.payment import PayMethod
from tickets.ports import ExportPage, Page, TicketQuery
from tickets.states import (
    OPEN_STATUSES,
    Channel,
    PauseKind,
    Review,
    Source,
    Status,
    Urgency,
)
from tickets.ticket_export import ExportedTicket

_CONVERTED = {
    "reporter",
    "photos",
    "id",
    "version",
    "escalation_chain",
    "pause_kind",
    "fee_lines",
    "materials",
    "photos_after",
    "review",
    "paid_method",
}
_PLAIN_FIELDS = [f.name for f in fields(Ticket) if f.name not in _CONVERTED]


def _to_row_values(ticket: Ticket) -> dict[str, Any]:
    values = {name: getattr(ticket, name) for name in _PLAIN_FIELDS}
    values["reporter_name"] = ticket.reporter.name
    values["reporter_phone"] = ticket.reporter.phone
    values["photos"] = list(ticket.photos)
    values["escalation_chain"] = [asdict(rung) for rung in ticket.escalation_chain]
    values["pause_kind"] = ticket.pause_kind.value if ticket.pause_kind else None
    values["fee_lines"] = [
        {**asdict(line), "quantity": str(line.quantity)} for line in ticket.fee_lines
    ]
    values["materials"] = [
        {**asdict(m), "quantity": str(m.quantity), "supplied_by": m.supplied_by.value}
        for m in ticket.materials
    ]
    values["photos_after"] = list(ticket.photos_after)
    values["review"] = ticket.review.value if ticket.review else None
    values["paid_method"] = ticket.paid_method.value if ticket.paid_method else None
    return values


def _to_ticket(row: TicketRow) -> Ticket:
    values = {name: getattr(row, name) for name in _PLAIN_FIELDS}
    values.update(
        status=Status(row.status),
        urgency=Urgency(row.urgency),
        channel=Channel(row.channel),
        reporter=Reporter(name=row.reporter_name, phone=row.reporter_phone),
        photos=tuple(row.photos),
        escalation_chain=tuple(
            Rung(int(r["after_minutes"]), str(r["to"])) for r in row.escalation_chain or ()
        ),
        pause_kind=PauseKind(row.pause_kind) if row.pause_kind else None,
        fee_lines=_fee_lines(row.fee_lines),
        materials=tuple(
            Material(
                name=m["name"],
                quantity=Decimal(m["quantity"]),
                unit=m["unit"],
                supplied_by=SuppliedBy(m["supplied_by"]),
            )
            for m in row.materials
        ),
        photos_after=tuple(row.photos_after),
        review=Review(row.review) if row.review else None,
        paid_method=PayMethod(row.paid_method) if row.paid_method else None,
        version=row.version,
        id=row.id,
    )
    return Ticket(**values)


def _fee_lines(stored: list[dict[str, Any]]) -> tuple[FeeLine, ...]:
    return tuple(FeeLine(**{**line, "quantity": Decimal(line["quantity"])}) for line in stored)


def _event_row(ticket_id: int, event: Event) -> TicketEventRow:
    return TicketEventRow(
        ticket_id=ticket_id,
        kind=event.kind.value,
        at=event.at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        source=event.source.value,
        from_status=event.from_status.value if event.from_status else None,
        to_status=event.to_status.value,
        details=details_to_json(event.details),
    )


def _to_event(row: TicketEventRow) -> Event:
    kind, details = details_from_json(row.kind, row.details or {})
    return Event(
        kind=kind,
        at=row.at,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        source=Source(row.source),
        from_status=Status(row.from_status) if row.from_status else None,
        to_status=Status(row.to_status),
        details=details,
    )


def due_escalations_query(now: datetime, limit: int) -> SelectOfScalar[str]:
    """Tickets with an escalation step due by `now`, the longest waiting first: a range
    scan of `ix_ticket_escalate_at`, however many tickets there are. One statement for the
    watcher and for `bench/sla.py`, which shows its plan over a million tickets."""
    return _due(TicketRow.escalate_at, now, limit)


def _due(column: datetime | None, now: datetime, limit: int) -> SelectOfScalar[str]:
    """Tickets whose indexed due time `column` has come by `now`, the longest waiting first."""
    return select(TicketRow.number).where(col(column) <= now).order_by(col(column)).limit(limit)


_MEMBER_LOCK = text("SELECT pg_advisory_xact_lock(:space, hashtext(:member))").bindparams(
    space=0x62786D  # "bxm": baoxiu members, apart from any other advisory locks in the database
)


_NEAR_LIMIT = 200
"""More open reports than this in one building within the window is no burst pipe to find
among; the earliest are the ones a new report would repeat."""


class SqlTicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, number: str, *, for_update: bool = False) -> Ticket | None:
        statement = select(TicketRow).where(TicketRow.number == number)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.exec(statement)).first()
        return _to_ticket(row) if row else None

    async def by_token(self, token: str, *, for_update: bool = False) -> Ticket | None:
        statement = select(TicketRow).where(TicketRow.public_token == token)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.exec(statement)).first()
        return _to_ticket(row) if row else None

    async def by_submission(self, key: str) -> Ticket | None:
        statement = select(TicketRow).where(TicketRow.submission_key == key)
        row = (await self._session.exec(statement)).first()
        return _to_ticket(row) if row else None

    async def add(self, ticket: Ticket, events: Sequence[Event]) -> Ticket:
        row = TicketRow(**_to_row_values(ticket), version=ticket.version)
        self._session.add(row)
        try:
            await self._session.flush()
        except IntegrityError as error:
            raise ConcurrentUpdate(ticket.number) from error
        assert row.id is not None
        self._session.add_all(_event_row(row.id, e) for e in events)
        await self._session.flush()
        return replace(ticket, id=row.id)

    async def update(self, before: Ticket, after: Ticket, event: Event) -> Ticket:
        assert before.id is not None
        statement = (
            update(TicketRow)
            .where(col(TicketRow.id) == before.id, col(TicketRow.version) == before.version)
            .values(**_to_row_values(after), version=before.version + 1)
        )
        connection = await self._session.connection()
        result = await connection.execute(statement)
        if result.rowcount != 1:
            raise ConcurrentUpdate(before.number)
        self._session.add(_event_row(before.id, event))
        await self._session.flush()
        return replace(after, version=before.version + 1, id=before.id)

    async def append_event(self, ticket: Ticket, event: Event) -> None:
        assert ticket.id is not None
        self._session.add(_event_row(ticket.id, event))
        await self._session.flush()

    async def first_delivery(self, source: str, event_id: str, at: datetime) -> bool:
        return await first_time(await self._session.connection(), source, event_id, at)

    async def lock_members(self, member_ids: Iterable[str]) -> None:
        """PostgreSQL: a transaction-scoped advisory lock per member, taken in a fixed order so
        that two transactions locking the same members never deadlock. SQLite needs none: its
        writing transactions already run one at a time (`BEGIN IMMEDIATE`)."""
        if self._session.bind is None or self._session.bind.dialect.name != "postgresql":
            return
        connection = await self._session.connection()
        for member_id in sorted(set(member_ids)):
            await connection.execute(_MEMBER_LOCK, {"member": member_id})

    async def next_sequence(self, day: date) -> int:
        key = f"{day:%Y%m%d}"
        table = TicketSequenceRow.__table__  # type: ignore[attr-defined]
        statement = (
            dialect_insert(self._session)(table)
            .values(day=key, last=1)
            .on_conflict_do_update(index_elements=["day"], set_={"last": table.c.last + 1})
            .returning(table.c.last)
        )
        connection = await self._session.connection()
        return int((await connection.execute(statement)).scalar_one())

    async def open_jobs(self, member_ids: Iterable[str]) -> dict[str, int]:
        statement = (
            select(TicketRow.assignee_id, func.count())
            .where(
                col(TicketRow.assignee_id).in_(list(member_ids)),
                col(TicketRow.status).in_([s.value for s in OPEN_STATUSES]),
            )
            .group_by(col(TicketRow.assignee_id))
        )
        rows = (await self._session.exec(statement)).all()
        return {member: count for member, count in rows if member is not None}

    async def last_assigned(self, member_ids: Iterable[str]) -> dict[str, datetime]:
        statement = (
            select(TicketRow.assignee_id, func.max(TicketRow.accepted_at))
            .where(col(TicketRow.assignee_id).in_(list(member_ids)))
            .group_by(col(TicketRow.assignee_id))
        )
        rows = (await self._session.exec(statement)).all()
        return {member: at for member, at in rows if member is not None and at is not None}

    async def due_escalations(self, now: datetime, limit: int) -> list[str]:
        statement = due_escalations_query(now, limit)
        return list((await self._session.exec(statement)).all())

    async def due_auto_closes(self, now: datetime, limit: int) -> list[str]:
        statement = _due(TicketRow.auto_close_at, now, limit)
        return list((await self._session.exec(statement)).all())

    async def due_visits(self, now: datetime, limit: int) -> list[str]:
        statement = _due(TicketRow.visit_due_at, now, limit)
        return list((await self._session.exec(statement)).all())

    async def open_near(self, building: str | None, place: str, since: datetime) -> list[Ticket]:
        """A range scan of `ix_ticket_building_created` (or of `ix_ticket_place`)."""
        where = TicketRow.building == building if building else TicketRow.place == place
        statement = (
            select(TicketRow)
            .where(
                where,
                col(TicketRow.created_at) >= since,
                col(TicketRow.status).not_in([s.value for s in ENDED]),
            )
            .order_by(col(TicketRow.created_at))
            .limit(_NEAR_LIMIT)
        )
        return [_to_ticket(row) for row in (await self._session.exec(statement)).all()]

    async def hotspots(self, since: datetime, until: datetime, min_count: int) -> list[Hotspot]:
        """Two aggregates (by place and category, by building and category) and, for the
        groups they find, each one's latest numbers by a window function: the database
        counts, however many tickets the window holds."""
        counted = (
            col(TicketRow.created_at) >= since,
            col(TicketRow.created_at) < until,
            col(TicketRow.status) != Status.CANCELLED.value,
            col(TicketRow.possible_duplicate_of).is_(None),
        )
        found = []
        for key in (TicketRow.place, TicketRow.building):
            group = col(key)
            enough = [func.count() >= min_count]
            if key is TicketRow.building:  # one place's faults are that place's hot spot
                enough.append(func.count(func.distinct(TicketRow.place)) > 1)
            hot: Any = (
                sql_select(
                    group.label("key"),
                    func.max(TicketRow.building).label("building"),
                    col(TicketRow.category).label("category"),
                    func.count().label("faults"),
                    func.min(TicketRow.created_at).label("first_at"),
                    func.max(TicketRow.created_at).label("last_at"),
                )
                .where(*counted, group.is_not(None), group != "")
                .group_by(group, col(TicketRow.category))
                .having(*enough)
            )
            groups = (await (await self._session.connection()).execute(hot)).all()
            latest = await self._latest(group, counted, hot.subquery())
            found += [
                Hotspot(
                    place=row.key if key is TicketRow.place else None,
                    building=row.building,
                    category=row.category,
                    count=row.faults,
                    numbers=tuple(latest.get((row.key, row.category), ())),
                    first_at=row.first_at,
                    last_at=row.last_at,
                )
                for row in groups
            ]
        return found

    async def _latest(
        self, group: Any, counted: tuple[Any, ...], hot: Any
    ) -> dict[tuple[str, str], list[str]]:
        """The latest LATEST numbers of each hot group, the latest first."""
        order = func.row_number().over(
            partition_by=(group, col(TicketRow.category)),
            order_by=(col(TicketRow.created_at).desc(), col(TicketRow.id).desc()),
        )
        ranked = (
            sql_select(
                group.label("key"),
                col(TicketRow.category).label("category"),
                col(TicketRow.number).label("number"),
                order.label("n"),
            )
            .where(*counted)
            .subquery()
        )
        statement = (
            sql_select(ranked.c.key, ranked.c.category, ranked.c.number)
            .join(hot, and_(ranked.c.key == hot.c.key, ranked.c.category == hot.c.category))
            .where(ranked.c.n <= LATEST)
            .order_by(ranked.c.key, ranked.c.category, ranked.c.n)
        )
        latest: dict[tuple[str, str], list[str]] = {}
        for key, category, number in (
            await (await self._session.connection()).execute(statement)
        ).all():
            latest.setdefault((key, category), []).append(number)
        return latest

    async def events(self, ticket: Ticket) -> list[Event]:
        statement = (
            select(TicketEventRow)
            .where(TicketEventRow.ticket_id == ticket.id)
            .order_by(col(TicketEventRow.id))
        )
        return [_to_event(row) for row in (await self._session.exec(statement)).all()]

    async def search(self, query: TicketQuery) -> Page:
        statement = select(TicketRow).where(*_conditions(query))
        if query.after_id is not None:
            statement = statement.where(col(TicketRow.id) < query.after_id)
        statement = statement.order_by(col(TicketRow.id).desc()).limit(query.limit + 1)
        rows = (await self._session.exec(statement)).all()
        items = [_to_ticket(row) for row in rows[: query.limit]]
        more = len(rows) > query.limit
        return Page(items=items, next_after_id=items[-1].id if more and items else None)

    async def count(self, query: TicketQuery) -> int:
        statement = select(func.count()).select_from(TicketRow).where(*_conditions(query))
        return int((await self._session.exec(statement)).one())

    async def exported(self, query: TicketQuery) -> ExportPage:
        """Plain rows of the columns an export reads, not mapped objects: an export reads a
        year of tickets, and a mapped row of every column costs ten times as much."""
        table = TicketRow.__table__  # type: ignore[attr-defined]
        statement = sql_select(*(table.c[name] for name in _EXPORTED)).where(*_conditions(query))
        if query.after_id is not None:
            statement = statement.where(table.c.id > query.after_id)
        statement = statement.order_by(table.c.id).limit(query.limit + 1)
        connection = await self._session.connection()
        rows = (await connection.execute(statement)).mappings().all()
        items = [_to_exported(row) for row in rows[: query.limit]]
        more = len(rows) > query.limit
        return ExportPage(items=items, next_after_id=items[-1].id if more and items else None)


_EXPORTED = [f.name for f in fields(ExportedTicket)]


def _to_exported(row: RowMapping) -> ExportedTicket:
    values = dict(row)
    values.update(
        status=Status(row["status"]),
        urgency=Urgency(row["urgency"]),
        fee_lines=_fee_lines(row["fee_lines"]),
        paid_method=PayMethod(row["paid_method"]) if row["paid_method"] else None,
    )
    return ExportedTicket(**values)


def _conditions(query: TicketQuery) -> list[ColumnElement[bool]]:
    """What `query` asks for, its cursor and limit aside."""
    found: list[ColumnElement[bool]] = []
    if query.statuses:
        found.append(col(TicketRow.status).in_([s.value for s in query.statuses]))
    if query.team_id is not None:
        found.append(col(TicketRow.team_id) == query.team_id)
    if query.assignee_id is not None:
        found.append(col(TicketRow.assignee_id) == query.assignee_id)
    if query.created_from is not None:
        found.append(col(TicketRow.created_at) >= query.created_from)
    if query.created_to is not None:
        found.append(col(TicketRow.created_at) < query.created_to)
    return found
