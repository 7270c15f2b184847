"""No click answer shows a resident's full contact outside the assignee's own private chat,
whoever clicks and from wherever (the attack: a signed click from a chat we never configured,
on an unassigned ticket, answered with the private card)."""

from typing import Any

from tests.fakes.feishu_callbacks import ENCRYPT_KEY, VERIFICATION_TOKEN, signed_request
from tests.feishu.company import SHUIDIAN, STRANGER, Company, open_id
from tickets.actions import Verb

UNKNOWN_CHAT = "oc_00000000000000000000000000000bad"
PHONE, NAME = "13800138000", "张三"


async def post(company: Company, payload: dict[str, Any]) -> dict[str, Any]:
    status, answer = await company.post_callback(
        *signed_request(payload, ENCRYPT_KEY, VERIFICATION_TOKEN)
    )
    assert status == 200
    return answer


async def test_a_click_from_an_unknown_chat_gets_no_card(company: Company) -> None:
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    for member, operator in (("t01", STRANGER), ("t01", None)):
        payload = company.click_payload(
            member, number, Verb.REVEAL, 1, chat=UNKNOWN_CHAT, operator=operator
        )
        answer = await post(company, payload)
        assert answer["toast"]["type"] == "error" and "card" not in answer, answer
        assert PHONE not in str(answer) and NAME not in str(answer)
    ticket = await company.ticket(number)
    assert [e["kind"] for e in ticket["events"]] == ["create"], "nothing was revealed"


async def test_only_the_assignees_own_private_card_shows_the_contact(company: Company) -> None:
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    await company.click("t01", number, Verb.CLAIM, 1)
    await company.card_in(open_id("t01"), number)
    mine = await company.click("t01", number, Verb.START, 2, chat=open_id("t01"))
    assert PHONE in str(mine["card"]), "the assignee's own private card keeps the contact"
    theirs = company.click_payload("t02", number, Verb.PAUSE, 3, chat=open_id("t01"))
    answer = await post(company, theirs)  # t02 claims to click on t01's private card
    assert answer["toast"]["type"] == "error" and "card" not in answer
    assert PHONE not in str(answer)
    stranger = company.click_payload(
        "t01", number, Verb.PAUSE, 3, chat=open_id("t01"), operator=STRANGER
    )
    answer = await post(company, stranger)
    assert "card" not in answer and PHONE not in str(answer)
