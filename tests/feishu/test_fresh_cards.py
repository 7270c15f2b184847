"""A card Feishu will no longer edit, recalled or at the end of its 14 days, is replaced by
a fresh one at the ticket's next change; the fresh one is edited from then on, and the
timeline says what happened."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from cards.messages import note_card
from integration.feishu.adapter import FeishuAdapter
from integration.feishu.client import FeishuClient
from integration.outbound.errors import MessageFrozen
from storage.engine import create_engine
from storage.images import ImageKeys
from tests.clock import FakeClock
from tests.fakes.feishu import APP_ID, APP_SECRET, FakeFeishu, Message
from tests.fakes.feishu_cards import validate_card
from tests.feishu.company import SHUIDIAN, Company, settings_for, tenant
from tests.office import AUTH, settled
from tests.waiting import eventually
from tickets.actions import Verb
from tickets.messages import Note


@pytest.fixture
async def timed(db_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Company]:
    """The company's app and Feishu on one fake clock, so that days can pass."""
    async with FakeFeishu(validator=validate_card, clock=clock.monotonic) as fake:
        settings = settings_for(fake, db_url, tmp_path)
        tenant(fake, settings)
        async with TestClient(TestServer(create_app(settings, clock=clock))) as client:
            yield Company(fake, client, settings)


async def act(company: Company, number: str, verb: Verb, actor: str) -> None:
    body = {"action": verb.value, "actor": actor}
    path = f"/api/v1/tickets/{number}/actions"
    async with company.client.post(path, json=body, headers=AUTH) as response:
        assert response.status == 200, await response.text()


def cards(company: Company, number: str) -> list[Message]:
    """The cards of ticket `number` in 水电组's group, oldest first."""
    return [m for m in company.fake.messages(SHUIDIAN) if number in text(m.cards[0])]


def text(card: object) -> str:
    return json.dumps(card, ensure_ascii=False)


async def reposted(company: Company, number: str) -> str:
    """The timeline's line about the fresh card in 水电组's group, once it is there."""
    found: list[dict[str, Any]] = []
    for _ in range(200):
        events = (await company.ticket(number))["events"]
        found = [e for e in events if e["kind"] == "card_reposted"]
        if any(e["details"]["chat"] == SHUIDIAN for e in found):
            break
        await asyncio.sleep(0.05)
    [event] = [e for e in found if e["details"]["chat"] == SHUIDIAN]
    return str(event["text"])


async def replaced(company: Company, number: str) -> tuple[Message, Message]:
    """The first card of `number` and the one that replaced it, once there is one."""
    await eventually(lambda: len(cards(company, number)) == 2)
    old, new = cards(company, number)
    return old, new


@pytest.mark.parametrize("days", [13.5, 15])
async def test_a_card_near_or_past_its_14_days_is_replaced_at_the_next_change(
    timed: Company, clock: FakeClock, days: float
) -> None:
    number = await timed.report()
    await timed.card_in(SHUIDIAN, number)
    await settled(timed.settings.database.url)  # the card's post recorded before days pass
    clock.advance(days=days)
    await act(timed, number, Verb.CLAIM, "t01")
    old, new = await replaced(timed, number)
    assert len(old.cards) == 1, "the old card was edited, its buttons about to die"
    assert "已接单" in text(new.card) and new.uuid != old.uuid
    assert f"卡片已发出 {int(days)} 天" in await reposted(timed, number)
    await act(timed, number, Verb.START, "t01")
    await eventually(lambda: len(new.cards) == 2)
    assert "维修中" in text(new.card) and len(cards(timed, number)) == 2


async def test_a_recalled_card_is_replaced_and_the_fresh_one_edited(timed: Company) -> None:
    number = await timed.report()
    await timed.card_in(SHUIDIAN, number)
    [first] = cards(timed, number)
    timed.fake.recall(first.message_id)
    await act(timed, number, Verb.CLAIM, "t01")
    old, new = await replaced(timed, number)
    assert old is first and len(old.cards) == 1 and "已接单" in text(new.card)
    assert "卡片已被撤回（飞书错误 230011）" in await reposted(timed, number)
    await act(timed, number, Verb.START, "t01")
    await eventually(lambda: len(new.cards) == 2)
    assert "维修中" in text(new.card) and len(cards(timed, number)) == 2


async def test_feishu_refusing_to_edit_a_recalled_or_old_card_asks_for_a_fresh_one(
    clock: FakeClock, db_url: str
) -> None:
    """What the worker acts on when its own count of days and Feishu's disagree."""
    card = note_card(Note("停水通知", "3栋明天上午停水"))
    engine = create_engine(db_url)
    async with FakeFeishu(clock=clock.monotonic) as fake, aiohttp.ClientSession() as session:
        fake.add_chat(SHUIDIAN)
        client = FeishuClient(APP_ID, APP_SECRET, fake.base_url, session, clock)
        adapter = FeishuAdapter(client, lambda photo: None, ImageKeys(engine, "feishu"))
        try:
            recalled, old = [await adapter.post(SHUIDIAN, card, key) for key in ("k1", "k2")]
            fake.recall(recalled)
            with pytest.raises(MessageFrozen, match=r"撤回.*230011"):
                await adapter.edit(recalled, card)
            await adapter.edit(old, card)
            clock.advance(days=14, seconds=1)
            with pytest.raises(MessageFrozen, match=r"14 天.*230031"):
                await adapter.edit(old, card)
        finally:
            await engine.dispose()
