"""What has come in once already: platform event ids, and signatures that may serve once.

A row per (source, key), inserted only if new, in the caller's transaction or one of its own.
The service records a click's event id with the change it makes, so a redelivery takes effect
once; an HTTP edge records a request's signature before reading it, where the platform signs
only a timestamp (DingTalk), so that a captured signature cannot carry another body.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.engine import dialect_insert_for
from storage.tables import InboundEventRow


async def first_time(connection: AsyncConnection, source: str, key: str, at: datetime) -> bool:
    """Record `key`; False when it was recorded before."""
    table = InboundEventRow.__table__  # type: ignore[attr-defined]
    statement = (
        dialect_insert_for(connection.dialect.name)(table)
        .values(source=source, event_id=key, at=at)
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    )
    return (await connection.execute(statement)).first() is not None


class SeenOnce:
    """`first_time` in a transaction of its own, for an edge that checks before acting."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def first(self, source: str, key: str, at: datetime) -> bool:
        async with self._engine.begin() as connection:
            return await first_time(connection, source, key, at)
