"""The card issue's scenarios on DingTalk, clicks arriving over Stream mode."""

import asyncio

import pytest

from integration.dingtalk import stream
from tests.dingtalk.company import SHUIDIAN, Company, eventually, user_id
from tests.fakes.dingtalk import CARD_CALLBACK_TOPIC, Ack
from tickets.actions import Verb


def toast(ack: Ack) -> str:
    """What the clicker alone sees: the toast in the answer's private data."""
    return str(ack.data["response"]["userPrivateData"]["cardParamMap"]["toast"])


async def test_a_report_becomes_a_card_that_a_claim_updates_for_everyone(
    company: Company,
) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    assert card.param_map["f3_value"] == "张* 138****8000"  # masked in the group
    assert card.callback_type == "STREAM"
    ack = await company.fake.push_callback(
        CARD_CALLBACK_TOPIC, company.click_payload("t01", card, Verb.CLAIM)
    )
    assert ack.code == 200 and ack.applied
    response = ack.data["response"]
    assert response["userPrivateData"]["cardParamMap"] == {
        "toast": "接单成功，请尽快联系业主",
        "toast_tone": "success",
    }
    assert "师傅01" in card.param_map["f4_value"]
    assert (await company.ticket(number))["assignee"]["id"] == "t01"
    private = await company.card_in(user_id("t01"), number)
    assert private.param_map["f3_value"] == "张三 13800138000"


async def test_pause_with_a_reason_then_complete(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    fake = company.fake
    await fake.push_callback(CARD_CALLBACK_TOPIC, company.click_payload("t01", card, Verb.CLAIM))
    await fake.push_callback(CARD_CALLBACK_TOPIC, company.click_payload("t01", card, Verb.START))
    ack = await fake.push_callback(
        CARD_CALLBACK_TOPIC,
        company.click_payload("t01", card, Verb.PAUSE, text="等配件：需要更换阀门"),
    )
    assert ack.data["response"]["userPrivateData"]["cardParamMap"]["toast"] == "已暂停"
    assert card.param_map["n1_text"] == "暂停原因：等配件：需要更换阀门"
    await fake.push_callback(CARD_CALLBACK_TOPIC, company.click_payload("t01", card, Verb.RESUME))
    await fake.push_callback(
        CARD_CALLBACK_TOPIC, company.click_payload("t01", card, Verb.COMPLETE, text="已更换")
    )
    ticket = await company.ticket(number)
    assert ticket["status"] == "completed"
    assert [e["action"] for e in ticket["events"]][-5:] == [
        "claim", "start", "pause", "resume", "complete",
    ]  # fmt: skip


async def test_two_technicians_racing_get_one_winner(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    a, b = await asyncio.gather(
        company.fake.push_callback(
            CARD_CALLBACK_TOPIC, company.click_payload("t01", card, Verb.CLAIM)
        ),
        company.fake.push_callback(
            CARD_CALLBACK_TOPIC, company.click_payload("t02", card, Verb.CLAIM)
        ),
    )
    won, lost = sorted((toast(a), toast(b)), key=lambda t: t.startswith("手慢了"))
    assignee = (await company.ticket(number))["assignee"]["name"]
    assert won == "接单成功，请尽快联系业主"
    assert lost.startswith(f"手慢了，这单已被{assignee}接走")


async def test_a_stale_click_is_told_what_changed(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    stale = company.click_payload("t02", card, Verb.CLAIM)
    await company.fake.push_callback(
        CARD_CALLBACK_TOPIC, company.click_payload("t01", card, Verb.CLAIM)
    )
    ack = await company.fake.push_callback(CARD_CALLBACK_TOPIC, stale)
    toast = ack.data["response"]["userPrivateData"]["cardParamMap"]["toast"]
    assert "卡片已过期：师傅01 接单 → 已接单" in toast


async def test_a_redelivered_click_takes_effect_once(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    payload = company.click_payload("t01", card, Verb.CLAIM)
    first = await company.fake.push_callback(CARD_CALLBACK_TOPIC, payload, message_id="m-1")
    again = await company.fake.push_callback(CARD_CALLBACK_TOPIC, payload, message_id="m-1")
    assert first.code == again.code == 200
    events = [e["action"] for e in (await company.ticket(number))["events"]]
    assert events.count("claim") == 1


async def test_strangers_change_nothing(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    ack = await company.fake.push_callback(
        CARD_CALLBACK_TOPIC, company.click_payload("t01", card, Verb.CLAIM, as_user="dt-nobody")
    )
    toast = ack.data["response"]["userPrivateData"]["cardParamMap"]
    assert toast["toast_tone"] == "error" and "不是本物业" in toast["toast"]
    assert (await company.ticket(number))["status"] == "new"


async def test_the_stream_comes_back_after_a_drop_and_a_disconnect(company: Company) -> None:
    fake = company.fake
    await fake.drop_connections()
    await eventually(lambda: len(fake.stream_connections) == 2 and fake.connections == 1)
    assert await fake.disconnect_all(grace=2.0) == 1  # we closed it ourselves
    await eventually(lambda: len(fake.stream_connections) == 3 and fake.connections == 1)
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    ack = await company.fake.push_callback(
        CARD_CALLBACK_TOPIC, company.click_payload("t01", card, Verb.CLAIM)
    )
    assert ack.applied
    acks = await company.fake.ping()
    assert len(acks) == 1


async def test_a_half_open_connection_is_noticed_and_replaced(
    company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "HEARTBEAT_S", 0.4)
    fake = company.fake
    await fake.drop_connections()  # the next connection is made with the short heartbeat
    await eventually(lambda: len(fake.stream_connections) == 2 and fake.connections == 1)
    fake.stall()
    await eventually(lambda: len(fake.stream_connections) >= 3, timeout=10)
    fake.stall(False)
    await eventually(lambda: fake.connections == 1)
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    ack = await fake.push_callback(
        CARD_CALLBACK_TOPIC, company.click_payload("t01", card, Verb.CLAIM)
    )
    assert ack.applied
