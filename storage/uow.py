"""Units of work: one `AsyncSession` transaction each, committed on a clean exit."""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.engine import READONLY
from storage.outbox import SqlOutbox
from storage.repository import SqlTicketRepository
from storage.rota import SqlRotaRepository
from storage.stats import SqlStats


class SqlUnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._session = sessions()
        self._tickets = SqlTicketRepository(self._session)
        self._outbox = SqlOutbox(self._session)
        self._rota = SqlRotaRepository(self._session)
        self._stats = SqlStats(self._session)

    @property
    def tickets(self) -> SqlTicketRepository:
        return self._tickets

    @property
    def outbox(self) -> SqlOutbox:
        return self._outbox

    @property
    def rota(self) -> SqlRotaRepository:
        return self._rota

    @property
    def stats(self) -> SqlStats:
        return self._stats

    async def __aenter__(self) -> Self:
        await self._session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                await self._session.commit()
            else:
                await self._session.rollback()
        finally:
            await self._session.close()


class SqlUnitOfWorkFactory:
    """Hands out units of work; read-only ones never take SQLite's write lock."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._writer = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
        self._reader = async_sessionmaker(
            engine.execution_options(**{READONLY: True}),
            class_=AsyncSession,
            expire_on_commit=False,
        )

    def __call__(self, *, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._reader if readonly else self._writer)
