"""What the desk does about a job through the API, as on the cards: a pause says whose it is,
a deadline is extended (延期), a job taken over (我来处理), its technician called (联系师傅)."""

from typing import Any

import pytest

from tests.web.conftest import Api


async def started(api: Api) -> str:
    number = str((await api.create())["number"])
    for action in ("claim", "start"):
        status, answer = await api.act(number, action, "li")
        assert status == 200, answer
    return number


async def last_event(api: Api, number: str) -> dict[str, Any]:
    status, detail = await api.call("GET", f"/api/v1/tickets/{number}")
    assert status == 200
    return dict(detail["events"][-1])


async def test_a_pause_for_the_resident_stops_the_clock_and_says_so(api: Api) -> None:
    number = await started(api)
    status, ticket = await api.act(number, "pause", "li", reason="业主出差", pause_kind="resident")
    assert status == 200 and ticket["status"] == "paused"
    event = await last_event(api, number)
    assert event["details"] == {"reason": "业主出差", "kind": "resident"}
    assert event["text"] == "因业主原因暂停维修（原因：业主出差）"


async def test_the_desk_extends_takes_over_and_calls_the_technician(api: Api) -> None:
    number = await started(api)
    status, ticket = await api.act(number, "extend", "chen", minutes=120, reason="业主改约下午")
    assert status == 200 and ticket["assignee_phone"] is None
    event = await last_event(api, number)
    assert (event["kind"], event["actor_name"]) == ("extended", "陈班长")
    assert event["details"]["minutes"] == 120 and event["details"]["reason"] == "业主改约下午"

    status, ticket = await api.act(number, "call_technician", "lin")
    assert status == 200 and ticket["assignee_phone"] == "13800000001"
    event = await last_event(api, number)
    assert (event["kind"], event["details"]) == ("reveal", {"field": "assignee"})
    assert event["text"] == "林客服查看了师傅联系方式"

    status, ticket = await api.act(number, "take_over", "chen")
    assert status == 200 and "assignee_phone" in ticket and ticket["assignee_phone"] is None
    assert (await last_event(api, number))["text"] == "陈班长接手跟进"


@pytest.mark.parametrize(
    ("action", "extra", "field", "message"),
    [
        ("pause", {"pause_kind": "later"}, "pause_kind", "暂停类型只能是 parts、resident、other"),
        ("pause", {"pause_kind": 1}, "pause_kind", "暂停类型只能是 parts、resident、other"),
        ("extend", {"minutes": 0}, "minutes", "延期分钟数不能小于 1"),
        ("extend", {"minutes": 43_201}, "minutes", "延期分钟数不能大于 43200"),
        ("extend", {"minutes": "60"}, "minutes", "延期分钟数的格式不对"),
        ("extend", {"minutes": 1.5}, "minutes", "延期分钟数的格式不对"),
        ("extend", {"minutes": True}, "minutes", "延期分钟数的格式不对"),
        ("extend", {}, "minutes", "请选择延期多久（最长 30 天）"),
    ],
)
async def test_bad_values_are_named_in_chinese_and_change_nothing(
    api: Api, action: str, extra: dict[str, Any], field: str, message: str
) -> None:
    number = await started(api)
    actor = "li" if action == "pause" else "chen"
    status, answer = await api.act(number, action, actor, reason="业主改约", **extra)
    assert status == 422, answer
    assert [(f["field"], f["message"]) for f in answer["fields"]] == [(field, message)]
    status, ticket = await api.call("GET", f"/api/v1/tickets/{number}")
    assert (ticket["status"], ticket["version"]) == ("in_progress", 3)
    assert ticket["events"][-1]["kind"] == "start"


async def test_only_the_desk_may_call_the_technician(api: Api) -> None:
    number = await started(api)
    status, answer = await api.act(number, "call_technician", "wang")
    assert status == 403 and "13800000001" not in str(answer)
    assert (await last_event(api, number))["kind"] == "start"


async def test_a_ticket_says_its_deadlines_and_where_it_is_on_its_chain(api: Api) -> None:
    number = await started(api)
    status, ticket = await api.call("GET", f"/api/v1/tickets/{number}")
    assert status == 200
    assert ticket["accept_due"] and ticket["arrive_due"] and ticket["complete_due"]
    assert ticket["clock_stopped_at"] is None and ticket["hurry_count"] == 0
    escalation = ticket["escalation"]
    assert escalation["chain"] == [
        {"after_minutes": 0, "to": "assignee"},
        {"after_minutes": 30, "to": "supervisors"},
        {"after_minutes": 120, "to": "management"},
    ]
    assert escalation["steps_sent"] == 0 and escalation["handled_by"] is None
    assert escalation["next_at"] == ticket["complete_due"]  # the first step: at the deadline
    await api.act(number, "take_over", "chen")
    status, ticket = await api.call("GET", f"/api/v1/tickets/{number}")
    assert ticket["escalation"]["handled_by"] == {"id": "chen", "name": "陈班长"}
    assert ticket["escalation"]["next_at"] is None
    await api.act(number, "pause", "li", reason="等配件", pause_kind="parts")
    status, ticket = await api.call("GET", f"/api/v1/tickets/{number}")
    assert ticket["pause_kind"] == "parts" and ticket["clock_stopped_at"]
