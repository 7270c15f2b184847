"""An emergency reported out of hours reaches the on-call technician's own chat at once."""

import tomllib
from collections.abc import AsyncIterator

import pytest

from baoxiu.config import settings_model
from baoxiu.demo import config_text
from baoxiu.platforms import PLATFORMS
from baoxiu.wiring import build_service, card_context
from storage.engine import create_engine
from storage.outbox import DeliveryStore
from storage.sandbox import SandboxStore
from tests.clock import FakeClock as Clock
from tests.delivery.conftest import Site
from tests.reports import AGENT, draft
from tickets.states import Source

WATER_ROTA = config_text(demo=True).replace(
    'chats = [{ platform = "sandbox", chat_id = "shuidian" }]\n',
    """chats = [{ platform = "sandbox", chat_id = "shuidian" }]

[teams.on_call]
technician = "wang"
supervisor = "chen"

[[teams.rota]]
members = ["li", "chen"]
hours = ["08:30-17:30"]
""",
)
"""水电组 (claim): 李师傅 by day on working days, 王师傅 on call."""


@pytest.fixture
async def site(db_url: str, clock: Clock) -> AsyncIterator[Site]:
    settings = settings_model(PLATFORMS)(**tomllib.loads(WATER_ROTA))
    assert settings.teams[0].on_call is not None
    engine = create_engine(db_url)
    yield Site(
        build_service(settings, engine, clock),
        DeliveryStore(engine),
        SandboxStore(engine),
        card_context(settings),
        clock,
    )
    await engine.dispose()


async def test_an_emergency_out_of_hours_reaches_the_on_call_technician(site: Site) -> None:
    burst = (await site.service.open(draft(description="水管爆裂"), AGENT, Source.API)).ticket
    await site.worker().deliver_due()  # Saturday 10:00
    [direct] = await site.sandbox.messages("dm-wang")
    assert burst.number in direct.html and "水管爆裂" in direct.html
    assert "138****8000" in direct.html  # he is told, not given the job
    assert burst.assignee_id is None
    [group] = await site.sandbox.messages("shuidian")
    assert burst.number in group.html
    assert await site.sandbox.messages("dm-li") == []


async def test_in_hours_or_not_an_emergency_the_group_is_enough(site: Site, clock: Clock) -> None:
    await site.service.open(draft(description="厨房水龙头滴水"), AGENT, Source.API)  # Saturday
    clock.advance(days=2)  # Monday 10:00, 李师傅 on duty
    await site.service.open(draft(description="水管爆裂"), AGENT, Source.API)
    await site.worker().deliver_due()
    assert await site.sandbox.messages("dm-wang") == []
    assert len(await site.sandbox.messages("shuidian")) == 2
