"""Stream mode's connection: it comes back after drops, disconnects and half-open silence."""

import pytest

from integration.dingtalk import stream
from tests.dingtalk.company import SHUIDIAN, Company
from tests.fakes.dingtalk import CARD_CALLBACK_TOPIC
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


async def test_a_half_open_connection_is_noticed_and_replaced(
    streaming: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "HEARTBEAT_S", 0.4)
    fake = streaming.fake
    await fake.drop_connections()  # the next connection is made with the short heartbeat
    await eventually(lambda: len(fake.stream_connections) == 2 and fake.connections == 1)
    fake.stall()
    await eventually(lambda: len(fake.stream_connections) >= 3, timeout=10)
    fake.stall(False)
    await eventually(lambda: fake.connections == 1)
    number = await streaming.report()
    card = await streaming.card_in(SHUIDIAN, number)
    ack = await fake.push_callback(
        CARD_CALLBACK_TOPIC, streaming.click_payload("t01", card, Verb.CLAIM)
    )
    assert ack.applied
