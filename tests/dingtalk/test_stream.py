"""Stream mode's connection: it comes back after drops, disconnects and half-open silence."""

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp

from integration.dingtalk.stream import CARD_CALLBACK, Reply, StreamClient
from integration.supervisor import supervised
from tests.clock import FakeClock
from tests.dingtalk.company import SHUIDIAN, Company, running
from tests.fakes.dingtalk import (
    APP_KEY,
    APP_SECRET,
    CARD_CALLBACK_TOPIC,
    GATEWAY_OPEN_PATH,
    IP_BANNED,
    TOKEN_PATH,
    FakeDingTalk,
)
from tests.fakes.dingtalk_callbacks import card_click
from tests.waiting import eventually
from tickets.actions import Verb


async def test_the_stream_comes_back_after_a_drop_and_a_disconnect(streaming: Company) -> None:
    fake = streaming.fake
    await fake.drop_connections()
    await eventually(lambda: len(fake.stream_connections) == 2 and fake.connections == 1)
    assert await fake.disconnect_all(grace=2.0) == 1  # we closed it ourselves
    await eventually(lambda: len(fake.stream_connections) == 3 and fake.connections == 1)
    number = await streaming.report()
    card = await streaming.card_in(SHUIDIAN, number)
    ack = await streaming.fake.push_callback(
        CARD_CALLBACK_TOPIC, streaming.click_payload("t01", card, Verb.CLAIM)
    )
    assert ack.applied
    acks = await streaming.fake.ping()
    assert len(acks) == 1


async def test_a_half_open_connection_is_noticed_and_replaced(fake: FakeDingTalk) -> None:
    """A client of the test's own, pinging every 0.4 s: once pongs stop coming, it closes the
    silent connection and opens another, which brings the next click."""
    clicks: list[str] = []

    async def on_click(data: Mapping[str, Any], message_id: str) -> Reply:
        clicks.append(message_id)
        return Reply({})

    async with aiohttp.ClientSession() as session:
        client = StreamClient(
            APP_KEY, APP_SECRET, fake.base_url, session, {CARD_CALLBACK: on_click}, heartbeat=0.4
        )
        async with supervised({"a Stream client": client.run}):
            await eventually(lambda: fake.connections == 1)
            fake.stall()
            await eventually(lambda: len(fake.stream_connections) >= 2, timeout=10)
            fake.stall(False)
            await eventually(lambda: fake.connections == 1)
            click = card_click("a-card", "a-user", {})
            ack = await fake.push_callback(CARD_CALLBACK_TOPIC, click, message_id="after")
    assert ack.code == 200 and clicks == ["after"]


async def test_the_stream_comes_back_after_our_ip_was_banned(db_url: str, tmp_path: Path) -> None:
    """Something else on our IP made too many calls: DingTalk bans the IP for five minutes and
    answers the gateway with an HTML page, not JSON. The stream keeps trying, and is back
    once the ban is over."""
    ticks = FakeClock()
    async with (
        FakeDingTalk(clock=ticks.monotonic, ip_calls=40) as fake,
        running(fake, db_url, tmp_path, "stream") as company,
        aiohttp.ClientSession() as http,
    ):
        body = {"appKey": APP_KEY, "appSecret": APP_SECRET}
        banned = False
        while not banned:
            async with http.post(fake.base_url + TOKEN_PATH, json=body) as answer:
                banned = answer.content_type == "text/html"
        await fake.drop_connections()
        await eventually(
            lambda: any(c.path == GATEWAY_OPEN_PATH and c.code == IP_BANNED for c in fake.requests)
        )
        ticks.advance(minutes=5)
        await eventually(lambda: fake.connections == 1)
        number = await company.report()
        card = await company.card_in(SHUIDIAN, number)
        ack = await fake.push_callback(
            CARD_CALLBACK_TOPIC, company.click_payload("t01", card, Verb.CLAIM)
        )
        assert ack.applied


async def test_a_click_in_flight_when_dingtalk_says_disconnect_is_still_answered(
    fake: FakeDingTalk,
) -> None:
    """DingTalk asks us to move while a click is being worked out: the next connection opens
    at once, and the old one closes only after the click's answer has gone on it."""
    started, finish = asyncio.Event(), asyncio.Event()

    async def on_click(data: Mapping[str, Any], message_id: str) -> Reply:
        started.set()
        await finish.wait()
        return Reply({"cardData": {"cardParamMap": {"status": "已接单"}}})

    async with (
        aiohttp.ClientSession() as session,
        supervised(
            {
                "a Stream client": StreamClient(
                    APP_KEY, APP_SECRET, fake.base_url, session, {CARD_CALLBACK: on_click}
                ).run
            }
        ),
    ):
        await eventually(lambda: fake.connections == 1)
        click = asyncio.create_task(
            fake.push_callback(CARD_CALLBACK_TOPIC, card_click("a-card", "a-user", {}))
        )
        await asyncio.wait_for(started.wait(), 5)
        disconnect = asyncio.create_task(fake.disconnect_all(grace=5.0))
        await eventually(lambda: len(fake.stream_connections) == 2 and fake.connections == 2)
        old, new = fake.stream_connections
        assert old.closed_at is None  # the new one is up, the old one still open
        finish.set()
        ack = await click
        assert await disconnect == 1
    assert ack.code == 200 and ack.connection_id == old.connection_id
    assert ack.data == {"response": {"cardData": {"cardParamMap": {"status": "已接单"}}}}
    assert old.closed_by == "client" and old.closed_at is not None
    assert new.opened_at < old.closed_at
