"""One update per click on DingTalk: the answer updates the clicked card, the API the others.

Each API call is one of a standard-edition organisation's 5,000 a month, so the counts are
exact, taken from what the fake DingTalk recorded.
"""

import asyncio
import hashlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.dingtalk.company import MANAGEMENT, SHUIDIAN, Company, running, user_id
from tests.dingtalk.test_clicks import toast
from tests.fakes.dingtalk import CARD_INSTANCES_PATH, CREATE_AND_DELIVER_PATH, FakeDingTalk
from tests.office import AUTH, settled
from tests.waiting import eventually
from tickets.actions import Verb


def card_calls(company: Company, since: int) -> Counter[tuple[str, str]]:
    """Card API calls after the `since`th request, by (path, chat)."""
    return Counter(
        (call.path, company.fake.cards[str(call.body["outTrackId"])].spaces[0][1])
        for call in company.fake.requests[since:]
        if call.path in (CREATE_AND_DELIVER_PATH, CARD_INSTANCES_PATH)
    )


async def test_a_claim_costs_its_answer_in_the_group_and_one_call_per_other_chat(
    company: Company,
) -> None:
    number = await company.report()  # a leak: an emergency, so management shows it too
    group = await company.card_in(SHUIDIAN, number)
    await company.card_in(MANAGEMENT, number)
    await settled(company.settings.database.url)
    seen, shown = len(company.fake.requests), len(group.revisions)

    answer = await company.click(company.click_payload("t01", group, Verb.CLAIM))
    await settled(company.settings.database.url)

    assert toast(answer) == "接单成功，请尽快联系业主"
    assert len(group.revisions) == shown + 1  # the answer, and nothing after it
    assert "师傅01" in group.param_map["f4_value"]
    assert card_calls(company, seen) == {
        (CREATE_AND_DELIVER_PATH, user_id("t01")): 1,  # the claimer's private card
        (CARD_INSTANCES_PATH, MANAGEMENT): 1,
    }
    private = await company.card_in(user_id("t01"), number)
    assert private.param_map["f3_value"] == "张三 13800138000"


async def test_a_click_on_the_private_card_updates_the_group_once(company: Company) -> None:
    number = await company.report()
    group = await company.card_in(SHUIDIAN, number)
    await company.click(company.click_payload("t01", group, Verb.CLAIM))
    private = await company.card_in(user_id("t01"), number)
    await settled(company.settings.database.url)
    seen, shown = len(company.fake.requests), len(private.revisions)

    await company.click(company.click_payload("t01", private, Verb.START))
    await settled(company.settings.database.url)

    assert len(private.revisions) == shown + 1
    assert card_calls(company, seen) == {
        (CARD_INSTANCES_PATH, SHUIDIAN): 1,
        (CARD_INSTANCES_PATH, MANAGEMENT): 1,
    }
    assert "维修中" in group.param_map["tags"]


@pytest.fixture(params=["stream", "http"])
async def impatient(
    request: pytest.FixtureRequest, fake: FakeDingTalk, db_url: str, tmp_path: Path
) -> AsyncIterator[Company]:
    """DingTalk waiting 0.3 s for an answer: less than the time kept for sending one, so
    every click is answered 「正在处理」 without a card."""
    async with running(fake, db_url, tmp_path, request.param, answer_deadline_s=0.3) as company:
        yield company


async def test_a_slow_clicks_card_is_updated_by_the_outbox(impatient: Company) -> None:
    company = impatient
    number = await company.report()
    group = await company.card_in(SHUIDIAN, number)
    await settled(company.settings.database.url)
    seen = len(company.fake.requests)

    answer = await company.click(company.click_payload("t01", group, Verb.CLAIM))

    assert toast(answer) == "正在处理，卡片稍后更新" and "cardData" not in answer
    await eventually(lambda: "师傅01" in group.param_map["f4_value"])
    await settled(company.settings.database.url)
    assert card_calls(company, seen)[(CARD_INSTANCES_PATH, SHUIDIAN)] == 1
    assert (await company.ticket(number))["assignee"]["id"] == "t01"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_no_update_reaches_a_card_while_its_click_is_being_answered(
    company: Company, db_url: str
) -> None:
    """DingTalk: "请勿在回调过程中，调用更新接口". The office gives the job to 师傅02 while
    师傅01's claim on the group card is being worked out (held up, deterministically, by a
    row with the click's event id that another transaction is writing): the management
    group's card is updated at once, the group card only by the claim's answer, which tells
    师傅01 who has it. PostgreSQL only: SQLite writes one transaction at a time, so the
    office's change would be held up as well."""
    number = await company.report()
    group = await company.card_in(SHUIDIAN, number)
    office = await company.card_in(MANAGEMENT, number)
    await settled(db_url)
    seen, shown = len(company.fake.requests), len(group.revisions)
    claim = company.click_payload("t01", group, Verb.CLAIM)
    event_id = "held-click"
    if company.mode == "http":  # the event id the HTTP edge gives a click: its body's digest
        event_id = "http-" + hashlib.sha256(json.dumps(claim).encode()).hexdigest()[:40]
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as holder:
            await holder.exec_driver_sql(
                "INSERT INTO inbound_event (source, event_id, at) VALUES ('dingtalk', $1, now())",
                (event_id,),
            )
            clicking = asyncio.create_task(company.click(claim, message_id=event_id))
            await _until_waiting_for_a_lock(engine)
            answer = await company.client.post(
                f"/api/v1/tickets/{number}/actions",
                json={"action": "claim", "actor": "t02"},
                headers=AUTH,
            )
            assert answer.status == 200, await answer.text()
            await eventually(lambda: "师傅02" in office.param_map["f4_value"])
            await holder.rollback()
        reply = await clicking
    finally:
        await engine.dispose()
    await settled(db_url)
    assert toast(reply).startswith("手慢了") and "师傅02" in group.param_map["f4_value"]
    assert len(group.revisions) == shown + 1  # the answer, and no update beside it
    assert card_calls(company, seen)[(CARD_INSTANCES_PATH, SHUIDIAN)] == 0


async def _until_waiting_for_a_lock(engine: AsyncEngine) -> None:
    async with engine.connect() as watch:
        for _ in range(200):
            waiting = await watch.exec_driver_sql("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if waiting.scalar_one():
                return
            await asyncio.sleep(0.01)
    raise AssertionError("no click is waiting for the lock")
