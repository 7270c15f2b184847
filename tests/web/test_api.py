"""The REST API end to end, on SQLite and PostgreSQL."""

import asyncio
import base64
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from baoxiu.config import Settings
from tests.reports import crew
from tests.web.conftest import AUTH, REPORT, Api, ApiFor
from tickets.actions import Verb

BEIJING = ZoneInfo("Asia/Shanghai")

STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("claim", "li", {}),
    ("start", "li", {}),
    ("pause", "li", {"reason": "等配件", "pause_kind": "parts"}),
    ("resume", "li", {}),
    ("complete", "li", {"findings": "三通开裂", "note": "更换三通"}),
    ("reopen", "lin", {"reason": "业主说还在渗水"}),
    ("start", "li", {}),
    ("complete", "li", {"findings": "仍有渗水"}),
    ("confirm", "lin", {"on_behalf": True, "agreed": "in_person"}),
    ("close", "chen", {}),
    ("rate", "lin", {"agreed": "phone", "rating": {"overall": 4, "speed": 5, "attitude": 5}}),
]


async def test_a_ticket_lives_its_whole_life_through_the_api(api: Api) -> None:
    created = await api.create()
    number = created["number"]
    assert created["status"] == "new" and created["team"] == {"id": "shuidian", "name": "水电组"}
    assert created["urgency"] == "emergency" and created["urgency_suggested"] is True
    for action, actor, extra in STEPS:
        status, ticket = await api.act(number, action, actor, **extra)
        assert status == 200, ticket
    assert ticket["status"] == "closed" and ticket["rework_count"] == 1
    assert ticket["confirmed_by"] == "林客服（代业主当面确认）" and ticket["signed"] is False
    assert ticket["complaint"] is True  # it was redone once
    assert ticket["rating"] | {"rated_at": None} == {
        "overall": 4,
        "speed": 5,
        "attitude": 5,
        "comment": None,
        "rated_at": None,
    }
    status, detail = await api.call("GET", f"/api/v1/tickets/{number}")
    assert status == 200
    timeline = [(e["kind"], e["actor_name"], e["source"]) for e in detail["events"]]
    names = {"li": "李师傅", "lin": "林客服", "chen": "陈班长"}
    assert timeline == [("create", "系统", "api")] + [
        (Verb(action).kind.value, names[actor], "api") for action, actor, _ in STEPS
    ]
    assert detail["events"][3]["details"] == {"reason": "等配件", "kind": "parts"}
    assert detail["events"][3]["from_status"] == "in_progress"
    assert detail["events"][3]["to_status"] == "paused"


async def test_staff_confirm_only_on_the_residents_behalf_and_rate_in_stars(api: Api) -> None:
    number = (await api.create())["number"]
    for action, actor, extra in STEPS[:5]:
        assert (await api.act(number, action, actor, **extra))[0] == 200
    status, refused = await api.act(number, "confirm", "lin")
    assert status == 422 and "代业主确认" in refused["message"], refused
    status, refused = await api.act(number, "confirm", "lin", on_behalf=True, agreed="mail")
    assert status == 422 and refused["fields"][0]["field"] == "agreed", refused
    stars = {"overall": 4, "speed": 6, "attitude": 5}
    status, refused = await api.act(number, "rate", "lin", rating=stars)
    assert status == 422 and "响应速度" in refused["message"], refused
    assert (await api.call("GET", f"/api/v1/tickets/{number}"))[1]["status"] == "completed"


async def test_fifty_simultaneous_claims_one_winner_no_errors(
    api_for: ApiFor, demo_settings: Settings
) -> None:
    async with api_for(crew(demo_settings, 50)) as api:
        number = (await api.create())["number"]
        answers = await asyncio.gather(*(api.act(number, "claim", f"t{i}") for i in range(50)))
        statuses = sorted(status for status, _ in answers)
        assert statuses == [200] + [409] * 49
        winner = next(body for status, body in answers if status == 200)["assignee"]["name"]
        refusals = {(b["error"], b["message"]) for s, b in answers if s == 409}
        assert refusals == {("already_taken", f"手慢了，这单已被{winner}接走")}


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"reporter": None}, ["reporter"]),
        ({"reporter": {"name": "张三"}}, ["reporter.phone"]),
        ({"reporter": {"name": "张三", "phone": "12345"}}, ["reporter.phone"]),
        ({"reporter": {"name": "", "phone": "13800138000"}}, ["reporter.name"]),
        ({"description": "漏" * 20_000}, ["description"]),
        ({"description": "   "}, ["description"]),
        ({"location": 501}, ["location"]),
        ({"channel": "fax"}, ["channel"]),
        ({"urgency": "asap"}, ["urgency"]),
        ({"appointment_at": "2026-11-29 14:00"}, ["appointment_at"]),
        ({"category": "飞机"}, ["category"]),
        ({"actor": "nobody"}, ["actor"]),
        ({"colour": "red"}, ["colour"]),
    ],
)
async def test_bad_tickets_get_422_with_fields_and_store_nothing(
    api: Api, change: dict[str, Any], fields: list[str]
) -> None:
    body = {k: v for k, v in {**REPORT, **change}.items() if v is not None}
    status, answer = await api.call("POST", "/api/v1/tickets", body)
    assert status == 422, answer
    assert answer["error"] == "validation_failed"
    assert [f["field"] for f in answer["fields"]] == fields
    assert all(f["message"] and f["code"] for f in answer["fields"])
    said = [answer["message"], *(f["message"] for f in answer["fields"])]
    english = re.compile(r"Field required|Input should|failed validation|unknown field|expected")
    assert not [m for m in said if english.search(m)], said  # Chinese for people
    status, page = await api.call("GET", "/api/v1/tickets")
    assert (status, page["items"]) == (200, [])


async def test_bodies_that_are_not_json_objects_get_400(api: Api) -> None:
    for raw in ["{not json", "[1, 2]", ""]:
        status, answer = await api.call("POST", "/api/v1/tickets", raw=raw)
        assert status == 400 and answer["error"] == "bad_request", raw


async def test_api_key_is_required(api: Api) -> None:
    for headers in [{}, {"Authorization": "Bearer wrong-key-0123456789"}, {"Authorization": "x"}]:
        status, answer = await api.call("GET", "/api/v1/tickets", headers=headers)
        assert status == 401 and answer["error"] == "unauthorized"
    assert (await api.call("GET", "/healthz", headers={}))[0] == 200
    assert (await api.call("GET", "/api/v1/openapi.json", headers={}))[0] == 200


async def test_action_errors_are_actionable(api: Api) -> None:
    number = (await api.create())["number"]
    status, answer = await api.act("BX20000101-0001", "claim", "li")
    assert (status, answer["error"]) == (404, "not_found")
    status, answer = await api.act(number, "claim", "zhang")
    assert (status, answer["error"]) == (403, "forbidden")
    assert "张师傅" in answer["message"] and "水电组" in answer["message"]
    status, answer = await api.act(number, "start", "li")
    assert (status, answer["error"]) == (409, "illegal_transition")
    assert "待派单" in answer["message"]
    await api.act(number, "claim", "li")
    await api.act(number, "start", "li")
    status, answer = await api.act(number, "pause", "li")
    reason = {"field": "reason", "message": "请填写暂停原因", "code": "invalid_input"}
    assert (status, answer["fields"]) == (422, [reason])
    status, answer = await api.act(number, "teleport", "li")
    assert status == 422 and answer["fields"][0]["field"] == "action"
    status, answer = await api.act(number, "dispatch", "chen", to="li", reason="x" * 501)
    assert status == 422 and answer["fields"][0]["field"] == "reason"


async def test_listing_filters_and_keyset_pages(api: Api) -> None:
    numbers = [(await api.create(category="门窗" if i % 2 else "水电"))["number"] for i in range(5)]
    await api.act(numbers[0], "claim", "wang")
    pages, cursor = [], None
    while True:
        query = "/api/v1/tickets?limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page = await api.call("GET", query)
        assert status == 200
        pages.append([t["number"] for t in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [numbers[4:2:-1], numbers[2:0:-1], numbers[:1]]
    _, page = await api.call("GET", "/api/v1/tickets?team=tujian")
    assert [t["number"] for t in page["items"]] == [numbers[3], numbers[1]]
    _, page = await api.call("GET", "/api/v1/tickets?status=assigned,paused&assignee=wang")
    assert [t["number"] for t in page["items"]] == [numbers[0]]
    _, page = await api.call("GET", "/api/v1/tickets?status=new&status=assigned")
    assert len(page["items"]) == 5
    today = numbers[0][2:10]
    day = f"{today[:4]}-{today[4:6]}-{today[6:]}"
    _, page = await api.call("GET", f"/api/v1/tickets?created_from={day}&created_to={day}")
    assert len(page["items"]) == 5
    _, page = await api.call("GET", "/api/v1/tickets?created_to=2000-01-01")
    assert page["items"] == []
    for bad, field in [
        ("status=lost", "status.0"),
        ("cursor=zzz", "cursor"),
        ("limit=0", "limit"),
        ("created_from=yesterday", "created_from"),
    ]:
        status, answer = await api.call("GET", f"/api/v1/tickets?{bad}")
        assert status == 422 and answer["fields"][0]["field"] == field, (bad, answer)


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"cursor={_cursor('t:' + '9' * 40)}", "cursor"),
        ("created_from=0001-01-01", "created_from"),
        ("created_to=9999-12-31", "created_to"),
        ("created_from=0001-01-01T00:00%2B14:00", "created_from"),
        ("team=%00", "team"),
        ("assignee=li%00", "assignee"),
    ],
)
async def test_list_filters_past_what_a_database_holds_get_422(
    api: Api, query: str, field: str
) -> None:
    status, answer = await api.call("GET", f"/api/v1/tickets?{query}")
    assert status == 422, answer
    assert [f["field"] for f in answer["fields"]] == [field]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"appointment_at": "9999-12-31T23:59:59-23:59"}, "appointment_at"),
        ({"appointment_at": "0001-01-01T00:00:00+14:00"}, "appointment_at"),
        ({"location": "3栋\x00501"}, "location"),
        ({"description": "漏水\x00"}, "description"),
        ({"reporter": {"name": "张\x00三", "phone": "13800138000"}}, "reporter.name"),
        ({"actor": "lin\x00"}, "actor"),
    ],
)
async def test_values_a_database_cannot_store_get_422(
    api: Api, change: dict[str, Any], field: str
) -> None:
    status, answer = await api.call("POST", "/api/v1/tickets", {**REPORT, **change})
    assert status == 422, answer
    assert [f["field"] for f in answer["fields"]] == [field]
    status, page = await api.call("GET", "/api/v1/tickets")
    assert (status, page["items"]) == (200, [])


async def test_a_nul_in_an_action_note_gets_422(api: Api) -> None:
    number = (await api.create())["number"]
    status, answer = await api.act(number, "comment", "li", note="看过\x00了")
    assert status == 422 and answer["fields"][0]["field"] == "note"
    assert "U+0000" in answer["fields"][0]["message"]


async def test_deeply_nested_bodies_get_400(api: Api) -> None:
    for raw in ["[" * 5000 + "]" * 5000, '{"reporter":' * 5000 + "1" + "}" * 5000]:
        status, answer = await api.call("POST", "/api/v1/tickets", raw=raw)
        assert (status, answer["error"]) == (400, "bad_request")


async def test_a_nul_in_a_ticket_number_is_not_found(api: Api) -> None:
    assert (await api.call("GET", "/api/v1/tickets/BX%00"))[0] == 404
    assert (await api.act("BX%00", "claim", "li"))[0] == 404


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"location": "3栋\x1b[2J501"}, "location", "位置含有不可见的控制字符 U+001B"),
        ({"location": "3栋\n501"}, "location", "位置含有换行 U+000A"),
        ({"location": "50\u202e1"}, "location", "位置含有不可见的控制字符 U+202E"),
        ({"description": "漏水\x1b]0;标题\x07"}, "description", "问题描述含有不可见的控制字符"),
        ({"description": "漏水\u2066楼下"}, "description", "问题描述含有不可见的控制字符 U+2066"),
        ({"description": "漏水\x9b2J楼下"}, "description", "问题描述含有不可见的控制字符 U+009B"),
        ({"category": "水\x08电"}, "category", "报修类型含有不可见的控制字符 U+0008"),
        (
            {"reporter": {"name": "张\x1b[8m三", "phone": "13800138000"}},
            "reporter.name",
            "姓名含有不可见的控制字符 U+001B",
        ),
    ],
)
async def test_control_characters_are_refused_naming_the_field(
    api: Api, change: dict[str, Any], field: str, message: str
) -> None:
    status, answer = await api.call("POST", "/api/v1/tickets", {**REPORT, **change})
    assert status == 422, answer
    assert [f["field"] for f in answer["fields"]] == [field]
    assert message in answer["fields"][0]["message"]


async def test_a_description_keeps_its_line_breaks(api: Api) -> None:
    ticket = await api.create(description="卫生间漏水\r\n楼下在滴\n很急")
    assert ticket["description"] == "卫生间漏水\n楼下在滴\n很急"
    status, answer = await api.act(ticket["number"], "comment", "li", note="看过\u202e了")
    assert status == 422 and answer["fields"][0]["message"].startswith("备注含有")


async def test_a_hurry_and_a_new_visit_time_through_the_api(api: Api) -> None:
    number = (await api.create())["number"]
    status, ticket = await api.act(number, "hurry", "lin")
    assert status == 200 and ticket["version"] == 2
    async with api.client.post(
        f"/api/v1/tickets/{number}/actions", json={"action": "hurry", "actor": "lin"}, headers=AUTH
    ) as response:
        answer = await response.json()
        assert (response.status, answer["error"]) == (429, "too_soon")
        assert response.headers["Retry-After"] == "1800"
        assert answer["message"] == f"工单{number}刚催过单，30分钟后可以再催"
    await api.act(number, "claim", "li")
    visit = (datetime.now(BEIJING) + timedelta(days=1)).replace(second=0, microsecond=0)
    status, ticket = await api.act(
        number, "reschedule", "li", at=visit.isoformat(), reason="业主明天在家"
    )
    assert status == 200 and datetime.fromisoformat(ticket["appointment_at"]) == visit
    naive = visit.replace(tzinfo=None).isoformat()
    status, answer = await api.act(number, "reschedule", "li", at=naive, reason="x")
    assert status == 422 and answer["fields"][0]["field"] == "at"
    past = (visit - timedelta(days=2)).isoformat()
    status, answer = await api.act(number, "reschedule", "li", at=past, reason="x")
    assert status == 422
    assert answer["fields"][0]["message"] == "新的上门时间已经过去了，请填写以后的时间"
