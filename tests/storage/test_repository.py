"""The conditional update itself, below the service's row lock."""

from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.engine import create_engine
from storage.uow import SqlUnitOfWorkFactory
from tests.reports import AGENT, draft
from tickets.errors import ConcurrentUpdate
from tickets.events import EventKind
from tickets.model import Event
from tickets.service import TicketService
from tickets.states import Source, Status


async def test_update_on_a_stale_version_writes_nothing(
    db_url: str, service: TicketService
) -> None:
    number = (await service.open(draft(), AGENT, Source.API)).ticket.number
    engine = create_engine(db_url)
    uow = SqlUnitOfWorkFactory(engine)
    async with uow(readonly=True) as reading:
        stale = await reading.tickets.get(number)
    assert stale is not None

    def step(before: Status, after: Status, actor: str) -> Event:
        return Event(EventKind.CLAIM, stale.updated_at, actor, actor, Source.API, before, after)

    async with uow() as first:
        won = replace(stale, status=Status.ASSIGNED, assignee_id="li")
        assert (
            await first.tickets.update(stale, won, step(Status.NEW, Status.ASSIGNED, "li"))
        ).version == 2
    with pytest.raises(ConcurrentUpdate):
        async with uow() as second:
            lost = replace(stale, status=Status.ASSIGNED, assignee_id="wang")
            await second.tickets.update(stale, lost, step(Status.NEW, Status.ASSIGNED, "wang"))
    await engine.dispose()
    history = await service.history(number)
    assert (history.ticket.assignee_id, history.ticket.version) == ("li", 2)
    assert [e.actor_id for e in history.events] == ["lin", "li"]


async def test_a_database_error_never_carries_a_residents_data(db_url: str) -> None:
    """SQLAlchemy puts bound values in its errors, and errors reach the log."""
    engine = create_engine(db_url)
    try:
        async with engine.begin() as connection:
            with pytest.raises(DBAPIError) as error:
                await connection.execute(
                    text("INSERT INTO ticket_sequence (day, last) VALUES (:d, :l), (:d, :l)"),
                    {"d": "13900001111", "l": 1},
                )
        assert "13900001111" not in str(error.value)
        assert "hidden due to hide_parameters" in str(error.value)
    finally:
        await engine.dispose()
