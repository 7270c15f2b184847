"""A click naming a private card's outTrackId, by someone who is not that card's member, is
refused with no card: the answer would show them the resident's full contact."""

from tests.dingtalk.company import SHUIDIAN, Company, user_id
from tickets.actions import Verb

PHONE = "13800138000"


async def test_a_private_card_answers_only_its_own_member(company: Company) -> None:
    number = await company.report()
    group = await company.card_in(SHUIDIAN, number)
    await company.click(company.click_payload("t01", group, Verb.CLAIM))
    private = await company.card_in(user_id("t01"), number)
    assert PHONE in str(private.param_map), "the assignee's private card shows the contact"
    for clicker, as_user in (("t01", "dt-not-a-member"), ("t02", None)):
        payload = company.click_payload(clicker, private, Verb.START, as_user=as_user)
        answer = await company.click(payload)
        assert "cardData" not in answer and PHONE not in str(answer), answer
        toast = answer["userPrivateData"]["cardParamMap"]["toast"]
        assert "不是本物业" in toast or "别人的私聊卡片" in toast
    ticket = await company.ticket(number)
    assert ticket["status"] == "assigned", "neither click started the job"
