"""Card clicks over the long connection: no public URL, the same router as the webhook."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from integration.feishu import webhook
from integration.feishu.longconn import LongConnection
from integration.supervisor import supervised
from tests.fakes.feishu import (
    APP_ID,
    APP_SECRET,
    BOT_NAME,
    BOT_OPEN_ID,
    WS_ENDPOINT_PATH,
    FakeFeishu,
    Mention,
)
from tests.fakes.feishu_callbacks import message_received
from tests.feishu.company import SHUIDIAN, Company, open_id, settings_for, tenant
from tests.waiting import eventually
from tickets.actions import Verb


async def test_a_click_over_the_long_connection_acts_and_answers(connected: Company) -> None:
    number = await connected.report()
    await connected.card_in(SHUIDIAN, number)
    reply = await connected.fake.push(connected.click_payload("t01", number, Verb.CLAIM, 1))
    assert reply.code == 200
    assert reply.data["toast"] == {"type": "success", "content": "接单成功，请尽快联系业主"}
    assert "已接单" in json.dumps(reply.data["card"]["data"], ensure_ascii=False)
    assert (await connected.ticket(number))["assignee"]["id"] == "t01"

    again = await connected.fake.push(
        connected.click_payload("t02", number, Verb.CLAIM, 1), parts=2
    )
    assert again.data["toast"]["type"] == "error" and "师傅01" in again.data["toast"]["content"]


async def test_a_click_is_answered_while_a_slow_event_on_the_same_connection_waits(
    connected: Company,
) -> None:
    """Feishu sends the next frame without waiting for the last answer; a click must not
    queue behind a report whose answer waits on Feishu's OpenAPI (up to 2.5 s)."""
    number = await connected.report()
    await connected.card_in(SHUIDIAN, number)
    bot = Mention("@_user_1", BOT_OPEN_ID, BOT_NAME)
    said = connected.fake.post_as_user(
        SHUIDIAN, open_id("lin"), "text", {"text": "@_user_1 3栋2单元501 漏水"}, mentions=(bot,)
    )
    connected.fake.slow(2.0)
    report = asyncio.ensure_future(connected.fake.push(message_received(said)))
    await asyncio.sleep(0.2)  # its frame is read first
    click = await connected.fake.push(connected.click_payload("t01", number, Verb.CLAIM, 1))
    assert not report.done()
    assert click.data["toast"]["type"] == "success" and click.applied
    assert (await report).code == 200


async def test_a_card_frame_the_sdk_cannot_answer_is_logged(
    connected: Company, caplog: pytest.LogCaptureFixture
) -> None:
    """Before the app's callback subscription is published, Feishu sends clicks as `card`
    frames, which lark-oapi 1.7.5 leaves unanswered (larksuite/oapi-sdk-python#126)."""
    number = await connected.report()
    await connected.card_in(SHUIDIAN, number)
    payload = connected.click_payload("t01", number, Verb.CLAIM, 1)
    with caplog.at_level(logging.WARNING), pytest.raises(TimeoutError):
        await connected.fake.push(payload, kind="card", timeout=0.5)
    assert any("发布" in r.getMessage() for r in caplog.records)
    assert (await connected.ticket(number))["assignee"] is None


async def test_the_webhook_is_not_served_in_websocket_mode(connected: Company) -> None:
    response = await connected.client.post("/callbacks/feishu", data=b"{}")
    assert response.status == 404


async def test_stopping_the_app_closes_the_long_connection(
    fake: FakeFeishu, db_url: str, tmp_path: Path
) -> None:
    settings = settings_for(fake, db_url, tmp_path, mode="websocket")
    tenant(fake, settings)
    async with TestClient(TestServer(create_app(settings))):
        await eventually(lambda: fake.ws_connections == 1)
    await eventually(lambda: fake.ws_connections == 0, timeout=5)


@pytest.fixture
async def quick_reconnects() -> AsyncIterator[FakeFeishu]:
    """A fake telling the SDK to reconnect after 1 s (Feishu's endpoint sets these)."""
    async with FakeFeishu(client_config={"ReconnectInterval": 1, "ReconnectNonce": 0}) as server:
        yield server


async def test_a_connection_dropped_by_feishu_comes_back(
    quick_reconnects: FakeFeishu, db_url: str, tmp_path: Path
) -> None:
    fake = quick_reconnects
    settings = settings_for(fake, db_url, tmp_path, mode="websocket")
    tenant(fake, settings)
    async with TestClient(TestServer(create_app(settings))) as client:
        await eventually(lambda: fake.ws_connections == 1)
        await fake.drop_connections()
        await eventually(lambda: fake.ws_connections == 0, timeout=2)
        await eventually(lambda: fake.ws_connections == 1, timeout=10)
        company = Company(fake, client, settings)
        number = await company.report()
        reply = await fake.push(company.click_payload("t01", number, Verb.CLAIM, 1))
        assert reply.data["toast"]["type"] == "success"


async def test_the_watchdog_restarts_a_connection_that_gave_up(company: Company) -> None:
    """A long connection of the test's own, watched every 0.1 s, serving the callbacks of an
    app that takes them by webhook."""
    fake = company.fake
    callbacks: webhook.FeishuCallbacks = company.client.app[webhook.FEISHU]
    connection = LongConnection(APP_ID, APP_SECRET, fake.base_url, callbacks, watch_every=0.1)
    fake.app_secret = "rotated-in-the-console"  # the SDK treats this refusal as fatal
    async with supervised({"a long connection": connection.run}):
        await eventually(lambda: any(c.path == WS_ENDPOINT_PATH for c in fake.requests))
        assert fake.ws_connections == 0
        fake.app_secret = APP_SECRET
        await eventually(lambda: fake.ws_connections == 1, timeout=10)
