"""A burst of tickets reaching Feishu while Feishu pushes back, against the fake Feishu.

Reports come in through the REST API, all at once, for four teams in four group chats (and
土建组's dispatch desk). Feishu allows 5 sends per second per chat; the fake enforces that
and, in the faulted run, also answers the first sends with 429 and everything with 500 for
a stretch. Every card must arrive exactly once without breaking the per-chat limit.

The baseline is the same burst with Feishu healthy, measured in the same run; the floor is
what the per-chat limit alone allows (the busiest chat's cards at 5 per second).

    .venv/bin/python -m bench.feishu [--tickets 200] [--postgres postgresql+asyncpg://…]
"""

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from tests.fakes.feishu import PER_TARGET, RATE_LIMITED, FakeFeishu
from tests.fakes.feishu_cards import validate_card
from tests.feishu.company import DISPATCH, TEAM_CHATS, Company, settings_for, tenant

CATEGORIES = {"水电": "shuidian", "门窗": "tujian", "电梯": "dianti", "供暖": "guolu"}
DISPATCHED = {"tujian"}
"""Teams whose tickets also go to the supervisors' desk."""
SEND = "/open-apis/im/v1/messages"
SETTLE_S = 2.0
"""Kept watching after the last card: a late duplicate would show up here."""


@dataclass(frozen=True)
class Faults:
    rate_limited: int
    """The first this many calls are answered 429 (99991400, reset 1 s)."""
    outage_s: float
    """Then, once a fifth of the cards are in, everything is answered 500 for this long."""


@dataclass(frozen=True)
class Figures:
    cards: int
    accepted_s: float
    """Until the API had answered every report."""
    seconds: float
    """Until every card had arrived."""
    busiest_chat_cards: int
    max_per_second: dict[str, int]
    duplicates: int
    refused: Counter[int]
    sends_absorbed: int
    """Repeated sends Feishu's `uuid` turned into no-ops (a retry whose first try landed)."""


async def burst(db_url: str, data_dir: Path, tickets: int, faults: Faults | None) -> Figures:
    async with FakeFeishu(validator=validate_card) as fake:
        settings = settings_for(fake, db_url, data_dir)
        tenant(fake, settings)
        async with TestClient(TestServer(create_app(settings))) as client:
            company = Company(fake, client, settings)
            expected: dict[str, set[str]] = {chat: set() for chat in [*TEAM_CHATS.values()]}
            expected[DISPATCH] = set()
            categories = list(CATEGORIES)
            outage = None
            if faults is not None:
                fake.fail_next(faults.rate_limited, status=429, code=RATE_LIMITED)
                outage = asyncio.create_task(_outage_midway(fake, tickets, faults.outage_s))
            start = time.perf_counter()
            numbers = await asyncio.gather(
                *(
                    company.report(categories[i % 4], f"第{i}号报修：设备故障")
                    for i in range(tickets)
                )
            )
            accepted = time.perf_counter() - start
            for i, number in enumerate(numbers):
                team = CATEGORIES[categories[i % 4]]
                expected[TEAM_CHATS[team]].add(number)
                if team in DISPATCHED:
                    expected[DISPATCH].add(number)
            await _arrived(fake, expected)
            seconds = time.perf_counter() - start
            if outage is not None:
                await outage
            await asyncio.sleep(SETTLE_S)
    sent = {
        chat: [_number(m.card, want) for m in fake.messages(chat)]
        for chat, want in expected.items()
    }
    cards = sum(len(v) for v in expected.values())
    return Figures(
        cards=cards,
        accepted_s=accepted,
        seconds=seconds,
        busiest_chat_cards=max(len(v) for v in expected.values()),
        max_per_second={chat: fake.max_per_second(chat) for chat in expected},
        duplicates=sum(len(got) - len(set(got)) for got in sent.values()),
        refused=Counter(c.status for c in fake.requests if c.status != 200),
        sends_absorbed=sum(1 for c in fake.requests if c.path == SEND and c.status == 200)
        - sum(len(got) for got in sent.values()),
    )


async def _outage_midway(fake: FakeFeishu, tickets: int, seconds: float) -> None:
    while sum(len(fake.messages(chat)) for chat in TEAM_CHATS.values()) < tickets // 5:
        await asyncio.sleep(0.01)
    fake.outage(seconds)


def _number(card: object, numbers: set[str]) -> str:
    """The ticket a card is: its header's subtitle, not any number in its text (a possible
    duplicate's card names the report it may repeat)."""
    header = card.get("header", {}) if isinstance(card, dict) else {}
    subtitle = str(header.get("subtitle", {}).get("content", ""))
    return subtitle if subtitle in numbers else "?"


async def _arrived(fake: FakeFeishu, expected: dict[str, set[str]]) -> None:
    def missing() -> int:
        return sum(
            len(want - {_number(m.card, want) for m in fake.messages(chat)})
            for chat, want in expected.items()
        )

    while missing():
        await asyncio.sleep(0.05)


def report(label: str, figures: Figures) -> None:
    rate = figures.cards / figures.seconds
    print(f"  {label}")
    print(
        f"    {figures.cards} cards in {figures.seconds:6.2f} s  ({rate:5.1f} cards/s); "
        f"the API took the reports in {figures.accepted_s:.2f} s"
    )
    busiest = max(figures.max_per_second.values())
    print(f"    most sends accepted in any one second, per chat: {busiest} (limit {PER_TARGET})")
    print(
        f"    duplicate cards: {figures.duplicates}; repeated sends absorbed by uuid: "
        f"{figures.sends_absorbed}"
    )
    refused = ", ".join(f"HTTP {s} ×{n}" for s, n in sorted(figures.refused.items())) or "none"
    print(f"    refused by Feishu: {refused}")


async def run(
    db_url: str | None, tickets: int, faults: Faults = Faults(rate_limited=20, outage_s=10.0)
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)

        def url(name: str) -> str:
            return db_url or f"sqlite+aiosqlite:///{base / name}"

        baseline = await burst(url("healthy.db"), base, tickets, None)
        if db_url is not None:
            print("  (PostgreSQL: the second run continues in the same database)")
        faulted = await burst(url("faulted.db"), base, tickets, faults)
    floor = baseline.busiest_chat_cards / PER_TARGET
    report("Feishu healthy (baseline)", baseline)
    report(
        f"Feishu answering the first {faults.rate_limited} calls 429 and everything 500 for "
        f"{faults.outage_s:.0f} s",
        faulted,
    )
    print(
        f"  floor set by {PER_TARGET}/s per chat: {floor:.1f} s · "
        f"baseline ×{baseline.seconds / floor:.2f} of the floor · "
        f"faulted ×{faulted.seconds / baseline.seconds:.2f} of the baseline"
    )
    ok = all(
        f.duplicates == 0 and max(f.max_per_second.values()) <= PER_TARGET
        for f in (baseline, faulted)
    )
    print(f"  every card exactly once, within the per-chat limit: {'yes' if ok else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL to use instead")
    args = parser.parse_args()
    print("SQLite (WAL, file)" if args.postgres is None else "PostgreSQL")
    asyncio.run(run(args.postgres, args.tickets))


if __name__ == "__main__":
    main()
