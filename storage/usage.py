"""Platform API calls counted per month, shared by every replica through the database."""

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.engine import dialect_insert
from storage.tables import ApiUsageRow


class UsageStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    async def add(self, platform: str, month: str, calls: int) -> None:
        if calls <= 0:
            return
        table = ApiUsageRow.__table__  # type: ignore[attr-defined]
        async with self._sessions.begin() as session:
            statement = (
                dialect_insert(session)(table)
                .values(platform=platform, month=month, calls=calls)
                .on_conflict_do_update(
                    index_elements=["platform", "month"], set_={"calls": table.c.calls + calls}
                )
            )
            await session.exec(statement)

    async def calls(self, platform: str, month: str) -> int:
        async with self._sessions() as session:
            row = await session.get(ApiUsageRow, (platform, month))
            return row.calls if row is not None else 0
