"""Messages of the built-in local chat (the sandbox), kept like a chat platform keeps them."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.engine import dialect_insert
from storage.tables import SandboxMessageRow


@dataclass(frozen=True)
class SandboxMessage:
    id: int
    chat_id: str
    html: str
    revision: int
    created_at: datetime


def _message(row: SandboxMessageRow) -> SandboxMessage:
    assert row.id is not None
    return SandboxMessage(row.id, row.chat_id, row.html, row.revision, row.created_at)


class SandboxStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    async def post(self, chat_id: str, key: str, html: str, now: datetime) -> int:
        """Post once per idempotency key, as Feishu's `uuid` does; returns the message id."""
        table = SandboxMessageRow.__table__  # type: ignore[attr-defined]
        async with self._sessions.begin() as session:
            statement = (
                dialect_insert(session)(table)
                .values(
                    chat_id=chat_id,
                    idempotency_key=key,
                    html=html,
                    revision=1,
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing()
            )
            await session.exec(statement)
            row = (
                await session.exec(
                    select(SandboxMessageRow.id).where(SandboxMessageRow.idempotency_key == key)
                )
            ).one()
            assert row is not None
            return row

    async def edit(self, message_id: int, html: str, now: datetime) -> str | None:
        """Replace a message's card; returns its chat, or None when there is no such message."""
        async with self._sessions.begin() as session:
            row = await session.get(SandboxMessageRow, message_id, with_for_update=True)
            if row is None:
                return None
            if row.html != html:
                row.html, row.revision, row.updated_at = html, row.revision + 1, now
                session.add(row)
            return row.chat_id

    async def latest_change(self) -> tuple[int, datetime | None]:
        """The newest message and the last edit of any: what tells a watcher something moved."""
        async with self._sessions() as session:
            row = (
                await session.exec(
                    select(func.max(SandboxMessageRow.id), func.max(SandboxMessageRow.updated_at))
                )
            ).one()
        return int(row[0] or 0), row[1]

    async def messages(self, chat_id: str, limit: int = 100) -> list[SandboxMessage]:
        """The chat's latest messages, oldest first."""
        async with self._sessions() as session:
            rows = await session.exec(
                select(SandboxMessageRow)
                .where(SandboxMessageRow.chat_id == chat_id)
                .order_by(col(SandboxMessageRow.id).desc())
                .limit(limit)
            )
            return [_message(r) for r in reversed(rows.all())]

    async def message(self, message_id: int) -> SandboxMessage | None:
        async with self._sessions() as session:
            row = await session.get(SandboxMessageRow, message_id)
            return _message(row) if row else None
