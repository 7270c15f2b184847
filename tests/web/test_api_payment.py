"""Recording the resident's payment (收费) through the API, on both databases: once, by the
desk, for the job's total; refusals say why and change nothing."""

from typing import Any

import pytest

from tests.web.conftest import Api
from tests.web.test_api_field_work import DONE, started


async def completed(api: Api, **done: Any) -> str:
    number = await started(api)
    status, answer = await api.act(number, "complete", "li", **{**DONE, **done})
    assert status == 200, answer
    return number


async def test_the_desk_records_how_the_resident_paid_the_total(api: Api) -> None:
    number = await completed(api)
    status, ticket = await api.act(number, "pay", "lin", method="wechat")
    assert status == 200, ticket
    assert ticket["payment"]["amount_fen"] == 11050
    assert (ticket["payment"]["method"], ticket["payment"]["by"]) == ("wechat", "林客服")
    assert ticket["payment_label"] == "已收费 110.50 元（微信）"
    assert ticket["status"] == "completed"  # paying is not confirming
    status, detail = await api.call("GET", f"/api/v1/tickets/{number}")
    assert detail["payment"] == ticket["payment"]
    assert detail["events"][-1]["text"] == "林客服记录收费 110.50 元（微信）"


async def test_a_closed_job_is_paid_later_too(api: Api) -> None:
    number = await completed(api)
    await api.act(number, "close", "lin", reason="业主电话确认")
    status, ticket = await api.act(number, "pay", "lin", method="cash")
    assert status == 200 and ticket["payment_label"] == "已收费 110.50 元（现金）", ticket


async def test_paying_twice_is_refused_unless_it_says_what_it_corrects(api: Api) -> None:
    number = await completed(api)
    await api.act(number, "pay", "lin", method="wechat")
    status, answer = await api.act(number, "pay", "lin", method="alipay")
    assert status == 422, answer
    assert "林客服已记录收费 110.50 元（微信）" in answer["message"]
    assert "更正原因" in answer["message"]
    status, ticket = await api.call("GET", f"/api/v1/tickets/{number}")
    assert ticket["payment"]["method"] == "wechat"
    status, ticket = await api.act(number, "pay", "lin", method="alipay", reason="选错了")
    assert status == 200 and ticket["payment"]["method"] == "alipay", ticket
    status, detail = await api.call("GET", f"/api/v1/tickets/{number}")
    last = detail["events"][-1]
    assert last["text"] == "林客服更正收费记录：110.50 元（支付宝）（原因：选错了）"
    assert last["details"] == {"method": "alipay", "amount_fen": 11050, "correction": "选错了"}


@pytest.mark.parametrize(
    ("actor", "body", "code", "said"),
    [
        ("li", {"method": "cash"}, 403, "只有"),
        ("lin", {}, 422, "请选择收费方式"),
        ("lin", {"method": "bitcoin"}, 422, "method"),
    ],
)
async def test_a_payment_not_the_desks_or_without_a_method_is_refused(
    api: Api, actor: str, body: dict[str, Any], code: int, said: str
) -> None:
    number = await completed(api)
    status, answer = await api.act(number, "pay", actor, **body)
    assert status == code and said in str(answer), answer
    status, ticket = await api.call("GET", f"/api/v1/tickets/{number}")
    assert ticket["payment"] is None and ticket["payment_label"] == "未收费"


async def test_a_job_with_nothing_to_pay_is_free_and_cannot_be_paid(api: Api) -> None:
    number = await completed(api, fees=[])
    status, answer = await api.act(number, "pay", "lin", method="cash")
    assert status == 422 and "没有要收的费用" in answer["message"], answer
    status, ticket = await api.call("GET", f"/api/v1/tickets/{number}")
    assert (ticket["payment"], ticket["payment_label"]) == (None, "免费")


async def test_an_open_job_cannot_be_paid(api: Api) -> None:
    number = await started(api)
    status, answer = await api.act(number, "pay", "lin", method="cash")
    assert status == 409 and "不能收费" in answer["message"], answer
