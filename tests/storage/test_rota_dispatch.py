"""Round-robin chooses among the technicians on duty when the report comes in: the weekly
rota, the office's sheet, and out of hours the on-call technician."""

import tomllib
from datetime import date, time

from baoxiu.config import Settings, settings_model
from baoxiu.demo import config_text
from baoxiu.platforms import PLATFORMS
from storage.engine import create_engine
from storage.uow import SqlUnitOfWorkFactory
from tests.clock import FakeClock as Clock
from tests.reports import AGENT, draft
from tests.storage.conftest import ServiceFor
from tickets.rota import Shift, Span
from tickets.service import TicketService
from tickets.states import Source

LIFT_ROTA = """
[teams.on_call]
technician = "sun"
supervisor = "chen"

[[teams.rota]]
members = ["liu", "chen"]
hours = ["08:30-17:30"]
"""
"""电梯组 (round-robin, a cap of 3): 刘师傅 by day on working days, 孙师傅 on call."""


def with_lift_rota() -> Settings:
    return settings_model(PLATFORMS)(**tomllib.loads(config_text(demo=True) + LIFT_ROTA))


async def lift_jobs(service: TicketService, count: int) -> list[str | None]:
    opened = [
        (await service.open(draft("电梯", "电梯门关不上"), AGENT, Source.API)).ticket
        for _ in range(count)
    ]
    return [t.assignee_id for t in opened]


async def test_round_robin_chooses_among_those_on_duty(
    service_for: ServiceFor, clock: Clock
) -> None:
    async with service_for(with_lift_rota()) as service:
        clock.advance(days=2)  # Monday 10:00
        assert await lift_jobs(service, 3) == ["liu", "liu", "liu"]  # 孙师傅 is not on duty
        waiting = await lift_jobs(service, 1)  # 刘师傅 at the cap: the supervisor dispatches
        assert waiting == [None]
        clock.advance(hours=8)  # 18:00: out of hours
        assert await lift_jobs(service, 1) == ["sun"]


async def test_the_sheet_and_the_on_call_technician_on_days_off(
    service_for: ServiceFor, clock: Clock, db_url: str
) -> None:
    async with service_for(with_lift_rota()) as service:
        assert await lift_jobs(service, 1) == ["sun"]  # Saturday 10:00: on call
        engine = create_engine(db_url)
        async with SqlUnitOfWorkFactory(engine)() as uow:  # what `baoxiu rota import` stores
            day = Shift("dianti", date(2026, 11, 28), "liu", Span(time(9), time(18)))
            await uow.rota.replace("dianti", day.day, day.day, [day], clock.now())
        await engine.dispose()
        assert await lift_jobs(service, 2) == ["liu", "liu"]  # the sheet puts him on duty
