"""`tickets.ports.RotaRepository`: the dated shifts of the office's rota sheet."""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import RotaShiftRow
from tickets.rota import Duty, Shift, Span


class SqlRotaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def shifts(self, team_id: str, first: date, last: date) -> list[Shift]:
        statement = (
            select(RotaShiftRow)
            .where(
                RotaShiftRow.team_id == team_id,
                col(RotaShiftRow.day) >= first,
                col(RotaShiftRow.day) <= last,
            )
            .order_by(col(RotaShiftRow.day), col(RotaShiftRow.begin), col(RotaShiftRow.id))
        )
        return [
            Shift(row.team_id, row.day, row.member_id, Span(row.begin, row.end), Duty(row.duty))
            for row in (await self._session.exec(statement)).all()
        ]

    async def replace(
        self, team_id: str, first: date, last: date, shifts: Iterable[Shift], at: datetime
    ) -> int:
        connection = await self._session.connection()
        removed = await connection.execute(
            delete(RotaShiftRow).where(
                col(RotaShiftRow.team_id) == team_id,
                col(RotaShiftRow.day) >= first,
                col(RotaShiftRow.day) <= last,
            )
        )
        self._session.add_all(
            RotaShiftRow(
                team_id=s.team_id,
                day=s.day,
                member_id=s.member_id,
                begin=s.span.begin,
                end=s.span.end,
                duty=s.duty.value,
                imported_at=at,
            )
            for s in shifts
        )
        await self._session.flush()
        return int(removed.rowcount)
