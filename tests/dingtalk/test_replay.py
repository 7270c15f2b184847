"""DingTalk signs only a timestamp: a captured header pair must serve once, with the body it
came with or any other (the attack: a 30-minute-old pair cancelled a ticket as 周经理, and one
pair made 50 tickets through the robot in 3.3 s)."""

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.dingtalk.company import SHUIDIAN, Company, running, user_id
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.dingtalk_callbacks import (
    API_SECRET,
    bot_message,
    signed_bot_headers,
    signed_card_headers,
)
from tickets.actions import Verb


@pytest.fixture
async def over_http(fake: FakeDingTalk, db_url: str, tmp_path: Path) -> AsyncIterator[Company]:
    async with running(fake, db_url, tmp_path, "http") as company:
        yield company


async def test_a_captured_click_signature_acts_once(over_http: Company) -> None:
    company = over_http
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    headers = signed_card_headers(API_SECRET)
    first = company.click_payload("t01", card, Verb.CLAIM)
    status, _ = await company.post_click(headers, first)
    assert status == 200
    other = company.click_payload("t01", card, Verb.REVEAL)
    for payload in (first, other):
        status, answer = await company.post_click(headers, payload)
        assert status == 401, answer
    ticket = await company.ticket(number)
    assert [e["kind"] for e in ticket["events"]] == ["create", "claim"]


async def test_a_captured_robot_signature_registers_once(over_http: Company) -> None:
    company = over_http
    headers = signed_bot_headers()
    statuses = []
    for i in range(3):
        message = bot_message(
            f"3栋{i}单元501 卫生间漏水",
            conversation_id=SHUIDIAN,
            sender_staff_id=user_id("t01"),
            sender_nick="师傅01",
        )
        response = await company.client.post(
            "/callbacks/dingtalk/robot", data=json.dumps(message), headers=headers
        )
        statuses.append(response.status)
    assert statuses == [200, 401, 401]
