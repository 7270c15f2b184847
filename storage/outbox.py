"""The outbox: cards to deliver, written with the change, sent after commit by the worker.

Writing the rows in the transaction of the change means a crash between commit and sending
loses nothing: the rows are still pending when the process comes back. Workers on several
replicas share the table by leasing rows with a conditional update, so each row is worked by
one of them at a time, and a lease left by a dead process expires.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from storage.engine import dialect_insert
from storage.tables import CardPostRow, OutboxRow, SentOnceRow, TicketRow
from tickets.audience import Audience, CardAddress
from tickets.messages import Message, MessageKind, from_json, to_json
from tickets.model import Ticket
from tickets.ports import ClickedCard


class SqlOutbox:
    """The outbox side of a unit of work.

    A clicked card's chat gets its row like every other chat, only held back: a row, not
    a skipped chat, so that if the click's answer never brings the card there (too slow,
    the process died) the worker still does, once the hold is over.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(
        self,
        ticket: Ticket,
        addresses: Sequence[CardAddress],
        *,
        shown: bool = True,
        clicked: ClickedCard | None = None,
    ) -> None:
        assert ticket.id is not None
        targets = {(a.platform, a.chat_id): a for a in addresses}
        posts = (
            await self._session.exec(select(CardPostRow).where(CardPostRow.ticket_id == ticket.id))
            if shown
            else None
        )
        card = (clicked.platform, clicked.message_id) if clicked else None
        held: tuple[str, str] | None = None
        for post in posts.all() if posts else ():
            address = CardAddress(
                post.platform, post.chat_id, Audience(post.audience), post.member_id
            )
            targets.setdefault((post.platform, post.chat_id), address)
            if (post.platform, post.message_id) == card:
                held = (post.platform, post.chat_id)
        hold = clicked.hold if clicked else timedelta(0)
        self._session.add_all(
            OutboxRow(
                ticket_id=ticket.id,
                platform=a.platform,
                chat_id=a.chat_id,
                audience=a.audience.value,
                member_id=a.member_id,
                created_at=ticket.updated_at,
                available_at=ticket.updated_at + (hold if key == held else timedelta(0)),
            )
            for key, a in targets.items()
        )
        await self._session.flush()

    async def post(
        self,
        message: Message,
        addresses: Sequence[CardAddress],
        at: datetime,
        ticket: Ticket | None = None,
        once: str | None = None,
    ) -> list[CardAddress]:
        """Queue a message baoxiu sends on its own (a note, a reminder, a report), once to
        each address; a reminder names its `ticket`. Under a key (`once`), a chat that had
        the message under that key before is skipped; the chats queued are returned."""
        if once is not None:
            addresses = [a for a in addresses if await self._claim(once, a, at)]
        self._session.add_all(
            OutboxRow(
                ticket_id=ticket.id if ticket else None,
                kind=message.kind.value,
                payload=to_json(message),
                platform=a.platform,
                chat_id=a.chat_id,
                audience=a.audience.value,
                member_id=a.member_id,
                created_at=at,
                available_at=at,
            )
            for a in addresses
        )
        await self._session.flush()
        return list(addresses)

    async def _claim(self, once: str, address: CardAddress, at: datetime) -> bool:
        table = SentOnceRow.__table__  # type: ignore[attr-defined]
        statement = (
            dialect_insert(self._session)(table)
            .values(key=once, platform=address.platform, chat_id=address.chat_id, at=at)
            .on_conflict_do_nothing()
            .returning(table.c.key)
        )
        connection = await self._session.connection()
        return (await connection.execute(statement)).first() is not None

    async def unsent(self, once: str, addresses: Sequence[CardAddress]) -> list[CardAddress]:
        """The addresses that have had nothing under the key `once` yet."""
        statement = select(SentOnceRow.platform, SentOnceRow.chat_id).where(SentOnceRow.key == once)
        had = set((await self._session.exec(statement)).all())
        return [a for a in addresses if (a.platform, a.chat_id) not in had]


@dataclass(frozen=True)
class Pending:
    """Leased outbox rows for one message in one chat: several changes of a ticket collapse
    into one send of its card; every other message is its own."""

    ids: tuple[int, ...]
    message: Message
    ticket_id: int | None
    number: str | None
    """The ticket's number, for a ticket card or a reminder."""
    address: CardAddress
    attempts: int


@dataclass(frozen=True)
class Failure:
    platform: str
    chat_id: str
    number: str
    error: str
    at: datetime


@dataclass(frozen=True)
class Post:
    message_id: str | None
    delivered_version: int
    posted_at: datetime


class DeliveryStore:
    """What the delivery worker reads and writes, each call its own short transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    async def lease(self, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Pending]:
        due = (
            col(OutboxRow.delivered_at).is_(None),
            col(OutboxRow.failed_at).is_(None),
            col(OutboxRow.available_at) <= now,
            col(OutboxRow.lease_until).is_(None) | (col(OutboxRow.lease_until) < now),
        )
        candidates = select(OutboxRow.id).where(*due).order_by(col(OutboxRow.id)).limit(limit)
        until = now + lease
        async with self._sessions.begin() as session:
            # The conditions are repeated outside the subquery so that PostgreSQL re-checks
            # them on a row another replica leased meanwhile, and skips it.
            await session.exec(
                update(OutboxRow)
                .where(col(OutboxRow.id).in_(candidates.scalar_subquery()), *due)
                .values(lease_owner=owner, lease_until=until)
            )
            rows = (
                await session.exec(
                    select(OutboxRow, TicketRow.number)
                    .outerjoin(TicketRow, col(TicketRow.id) == col(OutboxRow.ticket_id))
                    .where(OutboxRow.lease_owner == owner, OutboxRow.lease_until == until)
                    .order_by(col(OutboxRow.id))
                )
            ).all()
        groups: dict[tuple[object, ...], list[tuple[OutboxRow, str | None]]] = {}
        for row, number in rows:
            card = row.kind == MessageKind.TICKET_CARD
            key = (row.ticket_id, row.platform, row.chat_id) if card else (row.id,)
            groups.setdefault(key, []).append((row, number))
        return [_pending(group) for group in groups.values()]

    async def posted_to(self, platform: str, message_id: str) -> CardAddress | None:
        """Where we posted the card `message_id`, and for whom: the one thing a click can
        tell about its chat that no one outside can forge."""
        async with self._sessions() as session:
            row = (
                await session.exec(
                    select(CardPostRow).where(
                        CardPostRow.platform == platform, CardPostRow.message_id == message_id
                    )
                )
            ).first()
        if row is None:
            return None
        return CardAddress(row.platform, row.chat_id, Audience(row.audience), row.member_id)

    async def card_of(self, platform: str, message_ids: Sequence[str]) -> str | None:
        """The number of the ticket whose card is one of `message_ids`, or None: a message
        replying to a card, or written in its thread, is about that ticket. Found through
        the index on (platform, message_id), as a click's card is."""
        if not message_ids:
            return None
        async with self._sessions() as session:
            found = await session.exec(
                select(TicketRow.number)
                .join(CardPostRow, col(CardPostRow.ticket_id) == col(TicketRow.id))
                .where(
                    CardPostRow.platform == platform,
                    col(CardPostRow.message_id).in_(message_ids),
                )
                .limit(1)
            )
            return found.first()

    async def post(self, ticket_id: int, address: CardAddress) -> Post | None:
        async with self._sessions() as session:
            row = (await session.exec(_post_query(ticket_id, address))).first()
            return Post(row.message_id, row.delivered_version, row.posted_at) if row else None

    async def delivered(
        self, pending: Pending, message_id: str, version: int, now: datetime
    ) -> None:
        """The ticket's card at `version` is `message_id` in the chat: later changes edit it.
        A message id other than the one recorded is a card posted anew, `now`."""
        assert pending.ticket_id is not None
        async with self._sessions.begin() as session:
            row = (await session.exec(_post_query(pending.ticket_id, pending.address))).first()
            if row is None:
                a = pending.address
                row = CardPostRow(
                    ticket_id=pending.ticket_id,
                    platform=a.platform,
                    chat_id=a.chat_id,
                    audience=a.audience.value,
                    member_id=a.member_id,
                    posted_at=now,
                    created_at=now,
                    updated_at=now,
                )
            if row.message_id != message_id:
                row.message_id, row.posted_at = message_id, now
            row.delivered_version = max(row.delivered_version, version)
            row.updated_at = now
            session.add(row)
            await session.exec(
                update(OutboxRow)
                .where(col(OutboxRow.id).in_(pending.ids))
                .values(delivered_at=now, lease_owner=None, lease_until=None)
            )

    async def answered(
        self, number: str, platform: str, message_id: str, version: int, now: datetime
    ) -> None:
        """A click's answer brought the card at `version` to the posted card `message_id`.

        While that is the ticket's version, the chat is recorded as showing it: the update
        held back for it (`SqlOutbox.enqueue`) then finds nothing to send. If the ticket
        has moved on since, the answer may have landed over a newer card, so the chat is
        recorded as showing the older version and queued for an update now.

        The held-back rows are left to the worker rather than marked delivered here: a row
        does not say which change wrote it, so marking them could swallow a later change's
        update. The worker decides when it sends, against the ticket as it is then, and
        skips the call, not the row, when the chat already shows that version: one more
        database round per click, no API call.
        """
        async with self._sessions.begin() as session:
            found = (
                await session.exec(
                    select(CardPostRow, TicketRow.version)
                    .join(TicketRow, col(TicketRow.id) == col(CardPostRow.ticket_id))
                    .where(
                        TicketRow.number == number,
                        CardPostRow.platform == platform,
                        CardPostRow.message_id == message_id,
                    )
                )
            ).first()
            if found is None:
                return
            post, current = found
            fresh = version >= current
            shown = col(CardPostRow.delivered_version)
            moved = shown < version if fresh else shown > version
            await session.exec(
                update(CardPostRow)
                .where(col(CardPostRow.id) == post.id, moved)
                .values(delivered_version=version, updated_at=now)
            )
            if not fresh:
                session.add(
                    OutboxRow(
                        ticket_id=post.ticket_id,
                        platform=post.platform,
                        chat_id=post.chat_id,
                        audience=post.audience,
                        member_id=post.member_id,
                        created_at=now,
                        available_at=now,
                    )
                )

    async def retry_later(self, pending: Pending, error: str, at: datetime) -> None:
        await self._settle(pending, available_at=at, last_error=error[:2000])

    async def give_up(self, pending: Pending, error: str, now: datetime) -> None:
        await self._settle(pending, failed_at=now, last_error=error[:2000])

    async def release(self, pending: list[Pending]) -> None:
        """Hand back leased rows unsent (a worker stopping), so the next run takes them now."""
        ids = [i for item in pending for i in item.ids]
        async with self._sessions.begin() as session:
            await session.exec(
                update(OutboxRow)
                .where(col(OutboxRow.id).in_(ids))
                .values(lease_owner=None, lease_until=None)
            )

    async def _settle(self, pending: Pending, **values: object) -> None:
        async with self._sessions.begin() as session:
            await session.exec(
                update(OutboxRow)
                .where(col(OutboxRow.id).in_(pending.ids))
                .values(attempts=pending.attempts + 1, lease_owner=None, lease_until=None, **values)
            )

    async def sent(self, pending: Pending, now: datetime) -> None:
        """A message that is never edited went out: nothing to remember but that."""
        await self._settle(pending, delivered_at=now)

    async def failures(self, limit: int = 20) -> list[Failure]:
        """Messages given up on, newest first: what `baoxiu doctor` shows a person to fix."""
        async with self._sessions() as session:
            rows = await session.exec(
                select(OutboxRow, TicketRow.number)
                .outerjoin(TicketRow, col(TicketRow.id) == col(OutboxRow.ticket_id))
                .where(col(OutboxRow.failed_at).is_not(None))
                .order_by(col(OutboxRow.failed_at).desc())
                .limit(limit)
            )
            return [
                Failure(
                    row.platform,
                    row.chat_id,
                    number or MessageKind(row.kind).label,
                    row.last_error or "",
                    row.failed_at,
                )
                for row, number in rows.all()
                if row.failed_at is not None
            ]

    async def backlog(self) -> int:
        """Rows still to deliver: for health checks and tests."""
        async with self._sessions() as session:
            rows = await session.exec(
                select(OutboxRow.id).where(
                    col(OutboxRow.delivered_at).is_(None), col(OutboxRow.failed_at).is_(None)
                )
            )
            return len(rows.all())


def _pending(group: list[tuple[OutboxRow, str | None]]) -> Pending:
    last, number = group[-1]
    return Pending(
        ids=tuple(row.id for row, _ in group if row.id is not None),
        message=from_json(last.kind, last.payload),
        ticket_id=last.ticket_id,
        number=number,
        address=CardAddress(last.platform, last.chat_id, Audience(last.audience), last.member_id),
        attempts=max(row.attempts for row, _ in group),
    )


def _post_query(ticket_id: int, address: CardAddress) -> SelectOfScalar[CardPostRow]:
    return select(CardPostRow).where(
        CardPostRow.ticket_id == ticket_id,
        CardPostRow.platform == address.platform,
        CardPostRow.chat_id == address.chat_id,
    )
