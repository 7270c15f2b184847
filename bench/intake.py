"""Intake and claim-race figures on SQLite and (with --postgres) PostgreSQL.

The baseline, measured in the same run on the same engine, is the least any ticket system
must do: one plain INSERT per report in its own transaction. baoxiu's intake adds the daily
sequence, routing and the audit event; the claim race adds row locks and the conditional
update. Figures are ratios to that baseline, so they compare across machines.

    .venv/bin/python -m bench.intake [--tickets 300] [--postgres postgresql+asyncpg://…]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
import tomllib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from baoxiu.config import MemberConfig, Settings, settings_model
from baoxiu.demo import config_text
from baoxiu.platforms import PLATFORMS
from baoxiu.wiring import build_service
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables import TicketRow
from tickets.actions import Command, Verb
from tickets.clock import SystemClock
from tickets.errors import AlreadyTaken
from tickets.model import Actor, Reporter, TicketDraft
from tickets.people import Role
from tickets.service import TicketService
from tickets.states import Channel, Source

AGENT = Actor.member("lin")
RACERS = 50


def settings() -> Settings:
    base = settings_model(PLATFORMS)(**tomllib.loads(config_text(demo=True)))
    racers = [
        MemberConfig(id=f"r{i}", name=f"师傅{i}", roles=[Role.TECHNICIAN], teams=["shuidian"])
        for i in range(RACERS)
    ]
    teams = [t.model_copy(update={"max_open_per_technician": 10_000}) for t in base.teams]
    return base.model_copy(update={"members": [*base.members, *racers], "teams": teams})


def draft(i: int) -> TicketDraft:
    return TicketDraft(
        reporter=Reporter(name="张三", phone="13800138000"),
        location=f"{i % 30 + 1}栋{i % 4 + 1}单元",
        category="水电",
        description="厨房水龙头漏水",
        channel=Channel.PHONE,
    )


async def timed(label: str, n: int, work: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await work()
    seconds = time.perf_counter() - start
    print(f"  {label:<44} {n / seconds:9.0f} /s  ({seconds * 1000:7.1f} ms for {n})")
    return seconds


async def run(url: str, n: int, races: int = 10) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    service = build_service(settings(), engine, SystemClock())
    now = datetime.now(UTC)

    async def baseline() -> None:
        for i in range(n):
            async with engine.begin() as connection:
                await connection.execute(
                    TicketRow.__table__.insert(),  # type: ignore[attr-defined]
                    {
                        "number": f"BASE-{i}", "status": "new", "category": "水电",
                        "team_id": "shuidian", "urgency": "normal", "urgency_suggested": True,
                        "reporter_name": "张三", "reporter_phone": "13800138000",
                        "location": "1栋", "description": "漏水", "channel": "phone",
                        "rework_count": 0, "version": 1, "created_at": now, "updated_at": now,
                        "photos": [], "public_token": f"base-{i}",
                    },
                )  # fmt: skip

    async def sequential() -> None:
        for i in range(n):
            await service.open(draft(i), AGENT, Source.API)

    async def concurrent() -> None:
        await asyncio.gather(*(service.open(draft(i), AGENT, Source.API) for i in range(n)))

    base = await timed("baseline: plain INSERT, one per transaction", n, baseline)
    seq = await timed("baoxiu intake, one after another", n, sequential)
    par = await timed("baoxiu intake, all at once", n, concurrent)
    print(f"  intake cost vs baseline: sequential ×{seq / base:.2f}, concurrent ×{par / base:.2f}")
    await race(service, rounds=races)
    await engine.dispose()


async def race(service: TicketService, rounds: int) -> None:
    durations, winners = [], 0
    for _ in range(rounds):
        number = (await service.open(draft(0), AGENT, Source.API)).ticket.number
        start = time.perf_counter()
        results = await asyncio.gather(
            *(
                service.act(number, Command(Verb.CLAIM, Actor.member(f"r{i}")), Source.API)
                for i in range(RACERS)
            ),
            return_exceptions=True,
        )
        durations.append(time.perf_counter() - start)
        assert all(isinstance(r, AlreadyTaken) or not isinstance(r, Exception) for r in results)
        winners += sum(not isinstance(r, Exception) for r in results)
    median, worst = statistics.median(durations) * 1000, max(durations) * 1000
    print(
        f"  claim race, {RACERS} at once × {rounds}: median {median:.1f} ms, "
        f"worst {worst:.1f} ms, winners per race {winners / rounds:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL to use as well")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite (WAL, file)")
        asyncio.run(run(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", args.tickets))
    if args.postgres:
        print("PostgreSQL")
        asyncio.run(run(args.postgres, args.tickets))


if __name__ == "__main__":
    main()
