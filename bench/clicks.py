"""Platform API calls per card click, on Feishu and on DingTalk, counted by the fakes.

N tickets in 水电组 (a claim team with one group chat; a leak is an emergency, so each card
also shows in the management chat); one of four 师傅 claims each on the group card, starts it
and completes it there: three rounds of N clicks, each round's clicks sent together and the round
over once the outbox is empty. A click's answer carries the fresh card back to the chat it
came from, at no API cost; every card call made afterwards (a send or an edit) is counted
against the chat it went to: the clicked group, the claimer's private chat, or another. On
DingTalk's standard edition each call is one of 5,000 a month.

    .venv/bin/python -m bench.clicks [--tickets 10] [--postgres postgresql+asyncpg://…]
"""

import argparse
import asyncio
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from tests.dingtalk import company as dingtalk
from tests.fakes.dingtalk import (
    CARD_CALLBACK_TOPIC,
    CARD_INSTANCES_PATH,
    CREATE_AND_DELIVER_PATH,
    FakeDingTalk,
)
from tests.fakes.feishu import FakeFeishu
from tests.fakes.feishu_cards import validate_card
from tests.feishu import company as feishu
from tests.office import settled, technician
from tickets.actions import Verb

CLICKS = (Verb.CLAIM, Verb.START, Verb.COMPLETE)
CLICKERS = [technician(i) for i in range(1, 5)]
"""Each takes every fourth ticket: a technician may hold only so many open jobs."""
WHERE = ("clicked", "private", "other")
"""The chats a click's calls are counted against: the group it came from, the clicker's
private chat, any other chat showing the ticket."""
FEISHU_SEND = "/open-apis/im/v1/messages"


@dataclass(frozen=True)
class Round:
    verb: Verb
    clicks: int
    answered: int
    """Clicks whose answer carried the fresh card back to the clicked card."""
    calls: Counter[str]
    """Card API calls made after the clicks, by `WHERE`."""
    refused: int


@dataclass(frozen=True)
class Figures:
    platform: str
    tickets: int
    rounds: list[Round]


@dataclass(frozen=True)
class Company:
    """One platform's company, seen by the benchmark."""

    platform: str
    report: Callable[[], Awaitable[str]]
    """Register a ticket; returns its number once its card is in the group."""
    click_all: Callable[[Verb, int, list[str]], Awaitable[int]]
    """Click `verb` on each ticket's group card (drawn at that version); returns how many
    answers carried the fresh card."""
    card_calls: Callable[[int], list[tuple[str, bool]]]
    """The card API calls made since the fake's `n`th request: (whose chat, refused)."""
    requests: Callable[[], int]


async def measure(company: Company, db_url: str, tickets: int) -> Figures:
    numbers = [await company.report() for _ in range(tickets)]
    await settled(db_url)
    rounds = []
    for version, verb in enumerate(CLICKS, start=1):
        seen = company.requests()
        answered = await company.click_all(verb, version, numbers)
        await settled(db_url, timeout=60)
        calls = company.card_calls(seen)
        refused = sum(1 for _, no in calls if no)
        rounds.append(Round(verb, len(numbers), answered, Counter(w for w, _ in calls), refused))
    return Figures(company.platform, tickets, rounds)


async def on_feishu(db_url: str, data_dir: Path, tickets: int) -> Figures:
    async with FakeFeishu(validator=validate_card) as fake:
        settings = feishu.settings_for(fake, db_url, data_dir)
        feishu.tenant(fake, settings)
        async with TestClient(TestServer(create_app(settings))) as client:
            office = feishu.Company(fake, client, settings)

            async def report() -> str:
                number = await office.report()
                await office.card_in(feishu.SHUIDIAN, number)
                return number

            async def click_all(verb: Verb, version: int, numbers: list[str]) -> int:
                answers = await asyncio.gather(
                    *(office.click(_clicker(i), n, verb, version) for i, n in enumerate(numbers))
                )
                return sum(1 for a in answers if "card" in a)

            def card_calls(since: int) -> list[tuple[str, bool]]:
                calls = []
                for call in fake.requests[since:]:
                    if not call.path.startswith(FEISHU_SEND):
                        continue
                    if call.method == "POST":
                        to = str(call.body["receive_id"])
                    else:
                        to = fake.message(call.path.rsplit("/", 1)[1]).receive_id
                    where = _where(to, feishu.SHUIDIAN, {feishu.open_id(c) for c in CLICKERS})
                    calls.append((where, call.status != 200))
                return calls

            company = Company("Feishu", report, click_all, card_calls, lambda: len(fake.requests))
            return await measure(company, db_url, tickets)


async def on_dingtalk(db_url: str, data_dir: Path, tickets: int) -> Figures:
    async with (
        FakeDingTalk() as fake,
        dingtalk.running(fake, db_url, data_dir, "stream") as office,
    ):

        async def report() -> str:
            number = await office.report()
            await office.card_in(dingtalk.SHUIDIAN, number)
            return number

        async def click_all(verb: Verb, version: int, numbers: list[str]) -> int:
            cards = [await office.card_in(dingtalk.SHUIDIAN, n) for n in numbers]
            clicks = [office.click_payload(_clicker(i), card, verb) for i, card in enumerate(cards)]
            acks = await asyncio.gather(
                *(fake.push_callback(CARD_CALLBACK_TOPIC, click) for click in clicks)
            )
            return sum(1 for a in acks if a.applied and "cardData" in a.data["response"])

        def card_calls(since: int) -> list[tuple[str, bool]]:
            return [
                (
                    _where(
                        fake.cards[str(call.body["outTrackId"])].spaces[0][1],
                        dingtalk.SHUIDIAN,
                        {dingtalk.user_id(c) for c in CLICKERS},
                    ),
                    call.status != 200,
                )
                for call in fake.requests[since:]
                if call.path in (CREATE_AND_DELIVER_PATH, CARD_INSTANCES_PATH)
            ]

        company = Company("DingTalk", report, click_all, card_calls, lambda: len(fake.requests))
        return await measure(company, db_url, tickets)


def _clicker(i: int) -> str:
    return CLICKERS[i % len(CLICKERS)]


def _where(chat: str, clicked: str, private: set[str]) -> str:
    return "clicked" if chat == clicked else "private" if chat in private else "other"


def report(figures: Figures) -> None:
    clicks = sum(r.clicks for r in figures.rounds)
    print(f"  {figures.platform}: {clicks} clicks on {figures.tickets} tickets, per click")
    print("    click     answer   API calls: clicked chat  private  other  all")
    for r in figures.rounds:
        per = [r.calls[w] / r.clicks for w in WHERE]
        print(
            f"    {r.verb.value:<9} {r.answered / r.clicks:6.2f}  {per[0]:24.2f}  {per[1]:7.2f}"
            f"  {per[2]:5.2f}  {sum(per):4.2f}  {r.verb.label}"
        )
    calls = sum(sum(r.calls.values()) for r in figures.rounds)
    answered = sum(r.answered for r in figures.rounds)
    again = sum(r.calls["clicked"] for r in figures.rounds)
    refused = sum(r.refused for r in figures.rounds)
    print(f"    all: {calls / clicks:.2f} API calls per click, {refused} of them refused")
    print(
        f"    the clicked card: updated {(answered + again) / clicks:.2f} times per click "
        f"({answered} by the answer, {again} by the outbox)"
    )
    once = answered == clicks and again == 0
    print(f"    each click updates the card it came from exactly once: {'yes' if once else 'NO'}")


async def run(db_url: str | None, tickets: int) -> list[Figures]:
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)

        def url(name: str) -> str:
            return db_url or f"sqlite+aiosqlite:///{base / name}"

        figures = [
            await on_feishu(url("feishu.db"), base, tickets),
            await on_dingtalk(url("dingtalk.db"), base, tickets),
        ]
    for f in figures:
        report(f)
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=10)
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL to use instead")
    args = parser.parse_args(argv)
    print("SQLite (WAL, file)" if args.postgres is None else "PostgreSQL")
    asyncio.run(run(args.postgres, args.tickets))


if __name__ == "__main__":
    main()
