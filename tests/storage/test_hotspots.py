"""Hot spots counted by the database, on SQLite and PostgreSQL."""

from datetime import timedelta

from tests.clock import FakeClock as Clock
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.service import TicketService
from tickets.states import Source


async def _report(service: TicketService, location: str, category: str = "水电") -> str:
    opened = await service.open(draft(category, "漏水", location=location), AGENT, Source.API)
    return opened.ticket.number


async def test_repeated_faults_at_a_place_or_in_a_building_are_hot_spots(
    service: TicketService, clock: Clock
) -> None:
    old = await _report(service, "3栋2单元501")
    clock.advance(days=10)  # outside a 7-day window, inside 30 days
    leaks, doors = [], []
    for location, door in (
        ("3栋2单元501", "5栋1单元101"),
        ("3号楼2单元501室", "5栋2单元302"),
        ("三栋二单元501", "5号楼大堂"),
    ):
        clock.advance(days=2)  # apart enough not to be one burst pipe's duplicates
        leaks.append(await _report(service, location))
        doors.append(await _report(service, door, "门窗"))
    cancelled = await _report(service, "5栋3单元101", "门窗")
    await service.act(cancelled, Command(Verb.CANCEL, AGENT, reason="业主撤销"), Source.API)
    repeated = await _report(service, "3栋2单元501")  # a duplicate of the open leak
    clock.advance(minutes=1)

    found = await service.hotspots(clock.now(), 30, 3)
    assert [(h.place, h.building, h.category, h.count) for h in found] == [
        ("3栋2单元501", "3栋", "水电", 4),
        (None, "5栋", "门窗", 3),
    ]
    hot_leak, hot_door = found
    assert hot_leak.numbers == (*reversed(leaks), old)
    assert repeated not in hot_leak.numbers
    assert hot_door.numbers == tuple(reversed(doors))
    assert hot_leak.last_at - hot_leak.first_at == timedelta(days=16)
    week = await service.hotspots(clock.now(), 7, 3)
    assert [(h.place, h.count) for h in week] == [("3栋2单元501", 3), (None, 3)]
    assert await service.hotspots(clock.now(), 30, 5) == []
