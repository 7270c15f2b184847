"""The card issue's scenarios on DingTalk, with clicks by Stream and by HTTP callback."""

import asyncio
import json
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from baoxiu.config import Settings
from integration.web.api import SERVICE
from tests.dingtalk.company import DISPATCH, ROUTE_KEY, SHUIDIAN, Company, running, user_id
from tests.fakes.dingtalk import CardInstance, FakeDingTalk
from tests.fakes.dingtalk_callbacks import API_SECRET, signed_card_headers
from tests.waiting import eventually
from tickets.actions import Command, Verb
from tickets.fees import FeeRequest
from tickets.messages import Escalation
from tickets.model import Actor
from tickets.recipients import Reach
from tickets.states import Source

SHANGHAI = ZoneInfo("Asia/Shanghai")


def toast(answer: dict[str, Any]) -> str:
    """What the clicker alone sees: the toast in the answer's private data."""
    return str(answer["userPrivateData"]["cardParamMap"]["toast"])


async def test_a_report_becomes_a_card_that_a_claim_updates_for_everyone(
    company: Company,
) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    assert card.param_map["f3_value"] == "张* 138****8000"  # masked in the group
    assert card.callback_type == company.mode.upper()
    if company.mode == "http":
        assert card.callback_route_key == ROUTE_KEY
        route = company.fake.callback_routes[ROUTE_KEY]
        assert route.callback_url == "https://baoxiu.example.com/callbacks/dingtalk"
        assert route.api_secret == API_SECRET
    answer = await company.click(company.click_payload("t01", card, Verb.CLAIM))
    assert answer["userPrivateData"]["cardParamMap"] == {
        "toast": "接单成功，请尽快联系业主",
        "toast_tone": "success",
    }
    assert "师傅01" in answer["cardData"]["cardParamMap"]["f4_value"]
    await eventually(lambda: "师傅01" in card.param_map["f4_value"])
    assert (await company.ticket(number))["assignee"]["id"] == "t01"
    private = await company.card_in(user_id("t01"), number)
    assert private.param_map["f3_value"] == "张三 13800138000"


async def test_pause_with_a_reason_then_complete(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    await company.click(company.click_payload("t01", card, Verb.CLAIM))
    await company.click(company.click_payload("t01", card, Verb.START))
    paused = await company.click(
        company.click_payload("t01", card, Verb.PAUSE, text="等配件：需要更换阀门")
    )
    assert toast(paused) == "已暂停"
    assert paused["cardData"]["cardParamMap"]["n1_text"] == "暂停原因：等配件：需要更换阀门"
    await company.click(company.click_payload("t01", card, Verb.RESUME))
    done = company.click_payload("t01", card, Verb.COMPLETE, text="已更换", at="阀门漏水")
    await company.click(done)
    ticket = await company.ticket(number)
    assert ticket["status"] == "completed"
    assert [e["kind"] for e in ticket["events"]][-5:] == [
        "claim", "start", "pause", "resume", "complete",
    ]  # fmt: skip


async def test_a_supervisor_dispatches_and_a_technician_transfers_by_the_picker(
    company: Company,
) -> None:
    number = await company.report(category="门窗", description="单元门闭门器坏了")
    desk = await company.card_in(DISPATCH, number)
    answer = await company.click(company.click_payload("chen", desk, Verb.DISPATCH, to="zhang"))
    assert toast(answer) == "已派给张师傅"
    assert (await company.ticket(number))["assignee"]["id"] == "zhang"

    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    await company.click(company.click_payload("t01", card, Verb.CLAIM))
    private = await company.card_in(user_id("t01"), number)
    await eventually(lambda: "t02" in private.param_map["to_options"])
    answer = await company.click(company.click_payload("t01", private, Verb.TRANSFER, to="t02"))
    assert toast(answer).startswith("已转给师傅02")
    assert (await company.ticket(number))["assignee"]["id"] == "t02"


async def test_a_pause_picks_its_kind_apart_from_the_people(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    await company.click(company.click_payload("t01", card, Verb.CLAIM))
    private = await company.card_in(user_id("t01"), number)
    await company.click(company.click_payload("t01", private, Verb.START))
    assert "parts" in private.param_map["choice_options"]  # the answer showed on the card
    assert "parts" not in private.param_map["to_options"]
    paused = await company.click(
        company.click_payload("t01", private, Verb.PAUSE, text="需要更换阀门", choice="parts")
    )
    assert toast(paused) == "已暂停，暂停期间不计入完工时限"
    ticket = await company.ticket(number)
    assert ticket["status"] == "paused"
    assert ticket["events"][-1]["details"] == {"reason": "需要更换阀门", "kind": "parts"}
    assert ticket["events"][-1]["text"] == "等配件，暂停维修（原因：需要更换阀门）"


async def test_a_new_visit_time_and_its_reason_are_typed_apart(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    await company.click(company.click_payload("t01", card, Verb.CLAIM))
    private = await company.card_in(user_id("t01"), number)
    assert "新的上门时间" in private.param_map["at_label"].split(" / ")
    tomorrow = datetime.now(SHANGHAI).date() + timedelta(days=1)
    answer = await company.click(
        company.click_payload("t01", private, Verb.RESCHEDULE, at="明天 14:00", text="业主白天上班")
    )
    assert toast(answer) == "已改约，卡片上的预约上门时间已更新"
    ticket = await company.ticket(number)
    visit = datetime.fromisoformat(ticket["appointment_at"]).astimezone(SHANGHAI)
    assert (visit.date(), visit.hour, visit.minute) == (tomorrow, 14, 0)
    assert ticket["events"][-1]["details"]["reason"] == "业主白天上班"


async def test_an_escalation_is_answered_by_extending_the_job_or_moving_it(
    company: Company,
) -> None:
    """Each click on an escalation card is answered with the desk's ticket card (the click
    router knows no other), so each click here is on an escalation of its own."""
    service = company.client.app[SERVICE]
    number = await company.report(category="门窗", description="单元门闭门器坏了")
    await company.card_in(DISPATCH, number)

    async def escalation(step: int) -> CardInstance:
        overdue = Escalation("接单已超时30分钟，仍无人接单", step)
        await service.send(overdue, Reach.SUPERVISORS, number)
        await eventually(lambda: len(company.cards_in(DISPATCH, number)) == step + 1)
        return company.cards_in(DISPATCH, number)[-1]

    card = await escalation(1)
    assert card.param_map["choice_label"] == "延期多久"
    assert json.loads(card.param_map["choice_options"])[1] == {"value": "60", "text": "1小时"}
    assert "zhang" in card.param_map["to_options"] and "60" not in card.param_map["to_options"]
    unpicked = await company.click(
        company.click_payload("chen", card, Verb.EXTEND, text="业主改约")
    )
    assert toast(unpicked) == "请选择延期多久（最长 30 天）"
    before = await company.ticket(number)
    assert before["version"] == 1 and before["events"][-1]["kind"] == "create"

    card = await escalation(2)
    extended = await company.click(
        company.click_payload("chen", card, Verb.EXTEND, text="业主改约", choice="60")
    )
    assert toast(extended) == "已延期，截止时间已更新"
    event = (await company.ticket(number))["events"][-1]
    assert event["kind"] == "extended" and event["details"]["minutes"] == 60
    assert event["details"]["reason"] == "业主改约"

    card = await escalation(3)
    moved = await company.click(company.click_payload("chen", card, Verb.DISPATCH, to="zhang"))
    assert toast(moved) == "已派给张师傅"
    assert (await company.ticket(number))["assignee"]["id"] == "zhang"


async def test_two_technicians_racing_get_one_winner(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    a, b = await asyncio.gather(
        company.click(company.click_payload("t01", card, Verb.CLAIM)),
        company.click(company.click_payload("t02", card, Verb.CLAIM)),
    )
    won, lost = sorted((toast(a), toast(b)), key=lambda t: t.startswith("手慢了"))
    assignee = (await company.ticket(number))["assignee"]["name"]
    assert won == "接单成功，请尽快联系业主"
    assert lost.startswith(f"手慢了，这单已被{assignee}接走")


async def test_a_stale_click_is_told_what_changed(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    stale = company.click_payload("t02", card, Verb.CLAIM)
    await company.click(company.click_payload("t01", card, Verb.CLAIM))
    assert toast(await company.click(stale)) == "手慢了，这单已被师傅01接走"


async def test_a_redelivered_click_takes_effect_once(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    payload = company.click_payload("t01", card, Verb.CLAIM)
    first = await company.click(payload, message_id="m-1")
    again = await company.click(payload, message_id="m-1")
    assert toast(first) == "接单成功，请尽快联系业主"
    assert "师傅01" in again["cardData"]["cardParamMap"]["f4_value"]
    events = [e["kind"] for e in (await company.ticket(number))["events"]]
    assert events.count("claim") == 1


async def test_strangers_change_nothing(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    answer = await company.click(
        company.click_payload("t01", card, Verb.CLAIM, as_user="dt-nobody")
    )
    private = answer["userPrivateData"]["cardParamMap"]
    assert private["toast_tone"] == "error" and "不是本物业" in private["toast"]
    assert (await company.ticket(number))["status"] == "new"


async def test_unsigned_forged_and_stale_http_callbacks_are_refused(company: Company) -> None:
    if company.mode != "http":
        return  # Stream frames come over the connection we opened to DingTalk
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    payload = company.click_payload("t01", card, Verb.CLAIM)
    assert (await company.post_click({}, payload))[0] == 401
    forged = signed_card_headers("not-our-api-secret")
    assert (await company.post_click(forged, payload))[0] == 401
    stale = signed_card_headers(API_SECRET, int(time.time() * 1000) - 3601 * 1000)
    assert (await company.post_click(stale, payload))[0] == 401
    assert (await company.ticket(number))["status"] == "new"


def offers(card: CardInstance, verb: Verb) -> bool:
    actions = (card.param_map.get(f"b{i}_action", "") for i in range(1, 7))
    return any(action and json.loads(action)["v"] == verb.value for action in actions)


async def test_the_price_is_typed_in_yuan_and_the_payment_picked_on_the_desks_card(
    fake: FakeDingTalk, db_url: str, tmp_path: Path, demo_settings: Settings
) -> None:
    """张师傅 quotes 180.50 元 from his own card; once the job is done, 陈班长 records from the
    supervisors' card that the resident paid by WeChat, and 收费 leaves the card."""
    async with running(fake, db_url, tmp_path, "stream", fees=demo_settings.fees) as company:
        number = await company.report(category="门窗", description="入户门锁芯坏了")
        desk = await company.card_in(DISPATCH, number)
        await company.click(company.click_payload("chen", desk, Verb.DISPATCH, to="zhang"))
        own = await company.card_in(user_id("zhang"), number)
        await company.click(company.click_payload("zhang", own, Verb.START))
        quoted = await company.click(
            company.click_payload("zhang", own, Verb.QUOTE, at="180.50", text="锁体也要换")
        )
        assert toast(quoted) == "已报价 180.50 元"
        assert (await company.ticket(number))["events"][-1]["details"]["amount_fen"] == 18050

        done = Command(
            Verb.COMPLETE,
            Actor.member("zhang"),
            findings="锁芯磨损",
            fees=(FeeRequest("MC-01", Decimal(1)),),
        )
        await company.client.app[SERVICE].act(number, done, Source.API)
        await eventually(lambda: offers(desk, Verb.PAY))
        assert desk.param_map["to_label"] == "收款方式"
        paid = await company.click(company.click_payload("chen", desk, Verb.PAY, to="wechat"))
        assert toast(paid) == "已收费 50.00 元（微信），已记入工单"
        ticket = await company.ticket(number)
        assert ticket["payment"]["method"] == "wechat"
        assert (ticket["payment"]["amount_fen"], ticket["payment"]["by"]) == (5000, "陈班长")
        assert not offers(desk, Verb.PAY)
