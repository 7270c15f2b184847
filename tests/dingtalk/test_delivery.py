"""Ticket cards reach DingTalk through the card platform, and DingTalk's refusals are handled."""

import asyncio

from tests import office
from tests.dingtalk.company import DISPATCH, GUOLU, SHUIDIAN, TUJIAN, Company
from tests.fakes.dingtalk import CREATE_AND_DELIVER_PATH, MONTHLY_LIMITED, QPS_LIMITED_GLOBALLY
from tests.office import delivery_failures
from tests.waiting import eventually


async def test_dispatch_tickets_reach_the_supervisors_desk(company: Company) -> None:
    number = await company.report(category="门窗", description="单元门闭门器坏了")
    desk = await company.card_in(DISPATCH, number)
    team = await company.card_in(TUJIAN, number)
    assert "dispatch" in desk.param_map["b1_action"] and "张师傅" in desk.param_map["to_options"]
    assert all("claim" not in team.param_map[f"b{i}_action"] for i in range(1, 7))


async def test_a_robot_outside_the_group_is_recorded_once_not_retried(company: Company) -> None:
    company.fake.add_group(GUOLU, robot_member=False)
    number = await company.report(category="供暖", description="暖气片不热")
    failed = await delivery_failures(company.client, number)
    assert failed, "the failure never reached the timeline"
    details = failed[0]["details"]
    assert isinstance(details, dict) and details["chat"] == GUOLU
    assert "确认报修助手机器人在群里" in str(details["error"])
    await asyncio.sleep(0.5)
    tries = [
        c
        for c in company.fake.requests
        if c.path == CREATE_AND_DELIVER_PATH and GUOLU in str(c.body)
    ]
    assert len(tries) == 1


async def test_qps_limits_and_5xx_delay_but_do_not_duplicate(company: Company) -> None:
    company.fake.fail_next(3)  # 403 QpsLimitForAppkeyAndApi
    company.fake.fail_next(2, status=500, code="system.busy")
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    assert len(company.cards_in(SHUIDIAN, number)) == 1


async def test_the_monthly_quota_is_reported_in_plain_words(company: Company) -> None:
    company.fake.fail_next(1, status=403, code=MONTHLY_LIMITED)
    number = await company.report()
    failed = await delivery_failures(company.client, number)
    assert "本月钉钉接口调用次数已用完" in str(failed[0]["details"])


async def test_the_global_qps_limit_is_waited_out_like_the_apps_own(company: Company) -> None:
    """DingTalk's throttling page: sleep a second and go on, for either limit."""
    company.fake.fail_next(1, code=QPS_LIMITED_GLOBALLY)
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    assert [r.success for r in card.deliver_results] == [True]
    assert await delivery_failures(company.client, number, timeout=0) == []


async def test_a_card_made_but_never_delivered_is_delivered_at_the_next_change(
    company: Company,
) -> None:
    """The robot was not yet in the group: DingTalk made the card and showed it nowhere. Sent
    again under the same outTrackId (param.cardAlreadyExist), it must be delivered, fresh."""
    company.fake.add_group(GUOLU, robot_member=False)
    number = await company.report(category="供暖", description="暖气片不热")
    assert await delivery_failures(company.client, number)
    (card,) = company.cards_in(GUOLU, number)
    assert not card.shown_in(GUOLU)
    company.fake.add_group(GUOLU)  # an administrator adds the robot to the group
    claim = {"action": "claim", "actor": "gao"}
    response = await company.client.post(
        f"/api/v1/tickets/{number}/actions", json=claim, headers=office.AUTH
    )
    assert response.status == 200, await response.text()
    await eventually(lambda: card.shown_in(GUOLU))
    assert "高师傅" in card.param_map["f4_value"]
    assert company.cards_in(GUOLU, number) == [card]
