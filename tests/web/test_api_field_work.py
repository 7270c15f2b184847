"""Completing a job through the API: fee lines in yuan in, fen out, exact; refusals name the
problem and store nothing."""

from typing import Any

import pytest

from tests.web.conftest import Api

DONE: dict[str, Any] = {
    "findings": "下水管存水弯堵塞",
    "work_done": "疏通下水，更换水龙头",
    "fees": [{"code": "SD-01", "quantity": 1}, {"code": "SD-02", "quantity": "1", "price": "80.5"}],
    "materials": [{"name": "生料带", "quantity": 1, "unit": "卷", "supplied_by": "resident"}],
}


async def started(api: Api) -> str:
    number = str((await api.create())["number"])
    for action in ("claim", "start"):
        status, answer = await api.act(number, action, "li")
        assert status == 200, answer
    return number


async def test_a_job_is_completed_with_fee_lines_and_materials(api: Api) -> None:
    number = await started(api)
    status, ticket = await api.act(number, "complete", "li", **DONE)
    assert status == 200, ticket
    assert (ticket["findings"], ticket["work_done"]) == ("下水管存水弯堵塞", "疏通下水，更换水龙头")
    assert [(f["code"], f["quantity"], f["amount_fen"]) for f in ticket["fee_lines"]] == [
        ("SD-01", "1", 3000),
        ("SD-02", "1", 8050),
    ]
    assert ticket["fees_total_fen"] == 11050
    assert ticket["materials"] == [
        {"name": "生料带", "quantity": "1", "unit": "卷", "supplied_by": "resident"}
    ]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"fees": [{"code": "SD-02", "quantity": 1, "price": 200}]}, "只能收 50.00–150.00 元/次"),
        ({"fees": [{"code": "SD-01", "quantity": 0}]}, "数量"),
        ({"fees": [{"code": "SD-01", "quantity": -1}]}, "数量"),
        ({"fees": [{"code": "ZZ-01", "quantity": 1}]}, "收费标准里没有项目「ZZ-01」"),
        ({"findings": None}, "请填写检查结果"),
        (
            {"materials": [{"name": "管", "quantity": 1, "unit": "米", "supplied_by": "me"}]},
            "材料来源",
        ),
    ],
)
async def test_a_completion_the_schedule_does_not_allow_is_refused(
    api: Api, change: dict[str, Any], said: str
) -> None:
    number = await started(api)
    status, answer = await api.act(number, "complete", "li", **{**DONE, **change})
    assert status == 422 and said in str(answer), answer
    status, ticket = await api.call("GET", f"/api/v1/tickets/{number}")
    assert ticket["status"] == "in_progress" and ticket["fee_lines"] == []


async def test_a_higher_price_is_agreed_to_as_quoted_or_not_at_all(api: Api) -> None:
    number = await started(api)
    for amount in ("80", "150"):
        status, ticket = await api.act(number, "quote", "li", amount=amount)
        assert status == 200, ticket
    assert (ticket["quoted_fen"], ticket["quote_pending_fen"]) == (8000, 15000)
    dearer = {"fees": [{"code": "SD-02", "quantity": 1, "price": "150"}]}
    status, answer = await api.act(number, "complete", "li", **{**DONE, **dearer})
    assert status == 422 and "报价 150.00 元还没有业主同意" in str(answer), answer
    status, answer = await api.act(number, "consent", "lin", amount="120")  # what they heard
    assert status == 422 and "报价已经改为 150.00 元" in str(answer), answer
    status, ticket = await api.act(number, "consent", "lin", amount="150", agreed="phone")
    assert status == 200, ticket
    assert (ticket["quoted_fen"], ticket["quote_pending_fen"]) == (15000, None)
    _, detail = await api.call("GET", f"/api/v1/tickets/{number}")
    assert detail["events"][-1]["text"] == "业主同意报价 150.00 元（电话同意）"
    status, ticket = await api.act(number, "complete", "li", **{**DONE, **dearer})
    assert (status, ticket["fees_total_fen"]) == (200, 15000)
