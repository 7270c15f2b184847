"""One update per click on DingTalk: the answer updates the clicked card, the API the others.

Each API call is one of a standard-edition organisation's 5,000 a month, so the counts are
exact, taken from what the fake DingTalk recorded.
"""

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.dingtalk.company import MANAGEMENT, SHUIDIAN, Company, running, user_id
from tests.dingtalk.test_clicks import toast
from tests.fakes.dingtalk import CARD_INSTANCES_PATH, CREATE_AND_DELIVER_PATH, FakeDingTalk
from tests.office import settled
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
