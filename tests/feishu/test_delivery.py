"""Ticket cards reach Feishu: team groups, the supervisors' desk, the assignee in private."""

import asyncio
import json
import re

from tests.fakes.feishu import BOT_NOT_IN_CHAT, INTERNAL_ERROR
from tests.feishu.company import DISPATCH, GUOLU, SHUIDIAN, TUJIAN, Company, open_id
from tests.office import delivery_failures
from tests.waiting import eventually
from tickets.actions import Verb

SEND = "/open-apis/im/v1/messages"


def text(card: object) -> str:
    return json.dumps(card, ensure_ascii=False)


def verbs(node: object) -> set[str]:
    """The verbs the card's buttons carry back (`{"n", "v", "r"}` values)."""
    if isinstance(node, list):
        return {v for item in node for v in verbs(item)}
    if not isinstance(node, dict):
        return set()
    own = {str(node["v"])} if {"n", "v", "r"} <= node.keys() else set()
    return own | {v for item in node.values() for v in verbs(item)}


async def test_the_assignee_alone_gets_the_residents_full_contact(company: Company) -> None:
    number = await company.report()
    assert "13800138000" not in text(await company.card_in(SHUIDIAN, number))
    await company.click("t01", number, Verb.CLAIM, 1)
    private = await company.card_in(open_id("t01"), number)
    assert "13800138000" in text(private) and "3栋2单元501" in text(private)
    assert company.fake.messages(open_id("t02")) == []


async def test_supervisors_get_dispatch_tickets_with_a_dispatch_form(company: Company) -> None:
    number = await company.report(category="门窗", description="单元门闭门器坏了")
    desk = await company.card_in(DISPATCH, number)
    assert "dispatch" in verbs(desk) and "张师傅" in text(desk)
    team = await company.card_in(TUJIAN, number)
    assert "claim" not in verbs(team)  # 土建组 is dispatched, not claimed


async def test_a_bot_outside_the_group_is_recorded_once_not_retried(company: Company) -> None:
    company.fake.add_chat(GUOLU, bot_member=False)
    number = await company.report(category="供暖", description="暖气片不热")
    failed = await delivery_failures(company.client, number)
    assert failed, "the failure never reached the timeline"
    assert failed[0]["details"]["chat"] == GUOLU
    assert str(BOT_NOT_IN_CHAT) in failed[0]["details"]["error"]
    assert "把报修助手加入该群" in failed[0]["details"]["error"]
    await asyncio.sleep(0.5)  # a few worker rounds: nothing more is tried
    sends = [c for c in company.fake.requests if c.path == SEND and c.body["receive_id"] == GUOLU]
    assert len(sends) == 1


async def test_rate_limits_and_a_failing_gateway_delay_but_do_not_duplicate(
    company: Company,
) -> None:
    company.fake.fail_next(3)  # 429 with x-ogw-ratelimit-reset
    company.fake.fail_next(2, status=500, code=INTERNAL_ERROR)
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    await company.click("t01", number, Verb.CLAIM, 1)
    message = company.fake.messages(SHUIDIAN)[0]
    await eventually(lambda: "已接单" in text(message.card))
    assert len(company.fake.messages(SHUIDIAN)) == 1


async def test_a_residents_photos_are_uploaded_once_and_shown_on_every_card(
    company: Company,
) -> None:
    number = await company.report_with_photos()
    team = await company.card_in(SHUIDIAN, number)
    keys = set(re.findall(r"img_v3_\w+", text(team)))
    assert len(keys) == 2 and keys == set(company.fake.images)
    await company.click("t01", number, Verb.CLAIM, 1)
    private = await company.card_in(open_id("t01"), number)
    assert set(re.findall(r"img_v3_\w+", text(private))) == keys
    uploads = [c for c in company.fake.requests if c.path == "/open-apis/im/v1/images"]
    assert len(uploads) == 2
