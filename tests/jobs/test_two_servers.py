"""Two `baoxiu serve` processes on one database, each with its own SLA watcher: every
escalation step due is sent once, counted on the timelines and in the outbox."""

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from baoxiu.config import load
from baoxiu.demo import config_text
from baoxiu.platforms import PLATFORMS
from baoxiu.wiring import build_service
from storage.engine import create_engine
from storage.tables import OutboxRow, TicketEventRow
from tests.clock import FakeClock
from tests.reports import AGENT, draft
from tests.server import serving
from tickets.states import Source

TICKETS = 30
STEPS = 2
AGO = timedelta(minutes=44, seconds=40)
"""An emergency reported this long ago was due to be accepted 29 minutes ago: the chain's
first step (at once) is due as the servers start, the second (30 minutes on) 20 seconds
later, while both watchers are running, and the third (120) not before the test ends."""


async def report_a_while_ago(config: Path, url: str) -> None:
    settings = load(config, PLATFORMS)
    engine = create_engine(url)
    try:
        clock = FakeClock(datetime.now(UTC) - AGO)
        service = build_service(settings, engine, clock)
        for _ in range(TICKETS):
            await service.open(draft(description="厨房燃气泄漏"), AGENT, Source.API)
    finally:
        await engine.dispose()


async def sent(url: str) -> tuple[Counter[int], Counter[tuple[int, int, str]]]:
    """Escalation events per ticket, and escalation messages per (ticket, step, chat)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            events = await connection.execute(
                select(TicketEventRow.ticket_id).where(TicketEventRow.kind == "escalated")  # type: ignore[call-overload]
            )
            messages = await connection.execute(
                select(OutboxRow.ticket_id, OutboxRow.payload, OutboxRow.chat_id).where(  # type: ignore[call-overload]
                    OutboxRow.kind == "escalation"
                )
            )
            return (
                Counter(ticket for (ticket,) in events.all()),
                Counter((t, payload["step"], chat) for t, payload, chat in messages.all()),
            )
    finally:
        await engine.dispose()


def test_two_servers_send_each_step_once(tmp_path: Path, db_url: str) -> None:
    config = tmp_path / "baoxiu.toml"
    config.write_text(config_text(demo=True), encoding="utf-8")
    key = load(config, PLATFORMS).api.keys[0].get_secret_value()
    env = {"BAOXIU_DATABASE__URL": db_url, "BAOXIU_SLA__CHECK_SECONDS": "5"}
    asyncio.run(report_a_while_ago(config, db_url))

    with serving(config, key, **env) as one, serving(config, key, **env) as two:
        deadline = time.monotonic() + 60
        while sum(asyncio.run(sent(db_url))[0].values()) < TICKETS * STEPS:
            assert time.monotonic() < deadline, "the watchers did not send the steps due"
            time.sleep(0.5)
        time.sleep(6)  # one more round of both watchers: nothing more is due
        assert one.process.poll() is None and two.process.poll() is None
    events, messages = asyncio.run(sent(db_url))
    assert len(events) == TICKETS and set(events.values()) == {STEPS}
    assert set(messages.values()) == {1}  # no chat got a step twice
    assert Counter(step for _, step, _ in messages) == {1: TICKETS, 2: TICKETS}
    assert Counter(chat for _, _, chat in messages) == {"shuidian": TICKETS, "dispatch": TICKETS}
