"""A burst of tickets reaching DingTalk while DingTalk pushes back, against the fake DingTalk.

Reports come in through the REST API, all at once, for four teams in four DingTalk groups
(and 土建组's dispatch desk). DingTalk allows 20 calls per second per app and API; the fake
enforces that and, in the faulted run, also answers the first calls with the QPS refusal
and everything with 500 for a stretch. Every card must arrive exactly once, within the limit.

The figure to read is the delivery rate against the 20-per-second limit, healthy and faulted.

    .venv/bin/python -m bench.dingtalk [--tickets 200]
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
from tests.dingtalk.company import DISPATCH, TEAM_CHATS, Company, organisation, settings_for
from tests.fakes.dingtalk import CREATE_AND_DELIVER_PATH, QPS_PER_API, FakeDingTalk

CATEGORIES = {"水电": "shuidian", "门窗": "tujian", "电梯": "dianti", "供暖": "guolu"}
DISPATCHED = {"tujian"}
SETTLE_S = 2.0
"""Kept watching after the last card: a late duplicate would show up here."""


@dataclass(frozen=True)
class Faults:
    qps_refused: int
    """The first this many calls are refused as over the QPS limit (HTTP 403)."""
    outage_s: float
    """Then, once a fifth of the cards are in, everything is answered 500 for this long."""


@dataclass(frozen=True)
class Figures:
    cards: int
    seconds: float
    busiest_second: int
    duplicates: int
    refused: Counter[int]


async def burst(db_url: str, data_dir: Path, tickets: int, faults: Faults | None) -> Figures:
    async with FakeDingTalk() as fake:
        settings = settings_for(fake, db_url, data_dir)
        organisation(fake, settings)
        async with TestClient(TestServer(create_app(settings))) as client:
            company = Company(fake, client, settings)
            outage = None
            if faults is not None:
                fake.fail_next(faults.qps_refused)
                outage = asyncio.create_task(_outage_midway(fake, tickets, faults.outage_s))
            categories = list(CATEGORIES)
            start = time.perf_counter()
            numbers = await asyncio.gather(
                *(
                    company.report(categories[i % 4], f"第{i}号报修：设备故障")
                    for i in range(tickets)
                )
            )
            expected: Counter[tuple[str, str]] = Counter()
            for i, number in enumerate(numbers):
                team = CATEGORIES[categories[i % 4]]
                expected[(TEAM_CHATS[team], number)] += 1
                if team in DISPATCHED:
                    expected[(DISPATCH, number)] += 1
            while len(_sent(fake).keys() & expected.keys()) < len(expected):
                await asyncio.sleep(0.05)
            seconds = time.perf_counter() - start
            if outage is not None:
                await outage
            await asyncio.sleep(SETTLE_S)
    sent = _sent(fake)
    return Figures(
        cards=len(expected),
        seconds=seconds,
        busiest_second=fake.max_per_second(CREATE_AND_DELIVER_PATH),
        duplicates=sum(n - 1 for n in sent.values() if n > 1),
        refused=Counter(c.status for c in fake.requests if c.status >= 400),
    )


def _sent(fake: FakeDingTalk) -> Counter[tuple[str, str]]:
    """Cards DingTalk holds, by (chat, ticket number)."""
    return Counter(
        (space_id, card.param_map["footer"].split(" ")[0])
        for card in fake.cards.values()
        for _, space_id in card.spaces
    )


async def _outage_midway(fake: FakeDingTalk, tickets: int, seconds: float) -> None:
    while len(fake.cards) < tickets // 5:
        await asyncio.sleep(0.01)
    fake.outage(seconds)


def report(label: str, figures: Figures) -> None:
    rate = figures.cards / figures.seconds
    print(f"  {label}")
    print(
        f"    {figures.cards} cards in {figures.seconds:6.2f} s: {rate:5.1f} cards/s, "
        f"×{rate / QPS_PER_API:.2f} of DingTalk's {QPS_PER_API}/s"
    )
    print(
        f"    most createAndDeliver calls accepted in any one second: {figures.busiest_second}"
        f" (limit {QPS_PER_API}); duplicate cards: {figures.duplicates}"
    )
    refused = ", ".join(f"HTTP {s} ×{n}" for s, n in sorted(figures.refused.items())) or "none"
    print(f"    refused by DingTalk: {refused}")


async def run(tickets: int, faults: Faults = Faults(qps_refused=20, outage_s=5.0)) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        healthy = await burst(f"sqlite+aiosqlite:///{base / 'healthy.db'}", base, tickets, None)
        faulted = await burst(f"sqlite+aiosqlite:///{base / 'faulted.db'}", base, tickets, faults)
    report("DingTalk healthy (baseline)", healthy)
    report(
        f"DingTalk refusing the first {faults.qps_refused} calls (QPS) and answering 500 for "
        f"{faults.outage_s:.0f} s",
        faulted,
    )
    print(f"  faulted ×{faulted.seconds / healthy.seconds:.2f} of the baseline's time")
    ok = all(f.duplicates == 0 and f.busiest_second <= QPS_PER_API for f in (healthy, faulted))
    print(f"  every card exactly once, within the QPS limit: {'yes' if ok else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=200)
    args = parser.parse_args()
    print("SQLite (WAL, file)")
    asyncio.run(run(args.tickets))


if __name__ == "__main__":
    main()
