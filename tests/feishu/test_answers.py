"""One update per click on Feishu: the answer's card replaces the clicked card, and the API
is called only for the other chats showing the ticket. Counted from what the fake recorded."""

import json
from collections import Counter
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from tests.fakes.feishu import FakeFeishu
from tests.feishu.company import MANAGEMENT, SHUIDIAN, Company, open_id, settings_for, tenant
from tests.office import settled
from tests.waiting import eventually
from tickets.actions import Verb

SEND = "/open-apis/im/v1/messages"


def card_calls(company: Company, since: int) -> Counter[tuple[str, str]]:
    """Sends and edits after the `since`th request, by (method, receiver)."""
    calls: Counter[tuple[str, str]] = Counter()
    for call in company.fake.requests[since:]:
        if call.path == SEND and call.method == "POST":
            calls["POST", str(call.body["receive_id"])] += 1
        elif call.path.startswith(SEND + "/") and call.method == "PATCH":
            message = company.fake.message(call.path.rsplit("/", 1)[1])
            calls["PATCH", message.receive_id] += 1
    return calls


def shows(card: object, text: str) -> bool:
    return text in json.dumps(card, ensure_ascii=False)


async def test_a_claim_patches_no_group_card_only_the_other_chats(company: Company) -> None:
    number = await company.report()  # a leak: an emergency, so management shows it too
    await company.card_in(SHUIDIAN, number)
    await company.card_in(MANAGEMENT, number)
    await settled(company.settings.database.url)
    [group] = company.fake.messages(SHUIDIAN)
    seen, shown = len(company.fake.requests), len(group.cards)

    answer = await company.click("t01", number, Verb.CLAIM, 1)
    await settled(company.settings.database.url)

    assert answer["toast"]["type"] == "success"
    assert len(group.cards) == shown + 1 and shows(group.card, "已接单")  # the answer's card
    assert [a.message_id for a in company.fake.answers] == [group.message_id]
    assert card_calls(company, seen) == {
        ("POST", open_id("t01")): 1,  # the claimer's private card
        ("PATCH", MANAGEMENT): 1,
    }


async def test_a_click_on_the_private_card_patches_the_group_once(company: Company) -> None:
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    await company.click("t01", number, Verb.CLAIM, 1)
    await company.card_in(open_id("t01"), number)
    await settled(company.settings.database.url)
    seen = len(company.fake.requests)

    await company.click("t01", number, Verb.START, 2, chat=open_id("t01"))
    await settled(company.settings.database.url)

    assert card_calls(company, seen) == {("PATCH", SHUIDIAN): 1, ("PATCH", MANAGEMENT): 1}
    [private] = company.fake.messages(open_id("t01"))
    assert shows(private.card, "维修中")


async def test_over_the_long_connection_too(connected: Company) -> None:
    company = connected
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    await settled(company.settings.database.url)
    seen = len(company.fake.requests)

    reply = await company.fake.push(company.click_payload("t01", number, Verb.CLAIM, 1))
    await settled(company.settings.database.url)

    assert reply.applied and shows(company.fake.messages(SHUIDIAN)[0].card, "已接单")
    assert ("PATCH", SHUIDIAN) not in card_calls(company, seen)


async def test_a_slow_clicks_card_is_patched_by_the_outbox(
    fake: FakeFeishu, db_url: str, tmp_path: Path
) -> None:
    """Feishu waiting 0.3 s: less than the time kept for sending an answer, so the click is
    answered 「正在处理」 without a card, and the outbox brings the card up to date."""
    settings = settings_for(fake, db_url, tmp_path, answer_deadline_s=0.3)
    tenant(fake, settings)
    async with TestClient(TestServer(create_app(settings))) as client:
        company = Company(fake, client, settings)
        number = await company.report()
        await company.card_in(SHUIDIAN, number)
        await settled(db_url)
        seen = len(fake.requests)

        answer = await company.click("t01", number, Verb.CLAIM, 1)

        assert answer == {"toast": {"type": "info", "content": "正在处理，卡片稍后更新"}}
        [group] = fake.messages(SHUIDIAN)
        await eventually(lambda: shows(group.card, "已接单"))
        await settled(db_url)
        assert card_calls(company, seen)["PATCH", SHUIDIAN] == 1
        assert (await company.ticket(number))["assignee"]["id"] == "t01"
