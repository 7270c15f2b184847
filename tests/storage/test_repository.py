"""The conditional update itself, below the service's row lock."""

from dataclasses import replace

import pytest

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
