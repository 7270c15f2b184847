"""GET /api/v1/stats: a period's figures in all and per group, checked against the OpenAPI
document by the test client, and clear refusals of periods that make no sense."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.web.conftest import Api

SHANGHAI = ZoneInfo("Asia/Shanghai")


def days_around_today() -> tuple[str, str]:
    today = datetime.now(SHANGHAI).date()
    return str(today - timedelta(days=1)), str(today + timedelta(days=1))


async def test_a_period_s_figures_in_all_and_per_team(api: Api) -> None:
    pipe = await api.create()
    await api.create(category="电梯", description="电梯运行有异响")
    await api.create(category="门窗", description="入户门锁坏了")
    status, _ = await api.act(pipe["number"], "claim", "li")
    assert status == 200
    first, last = days_around_today()

    status, body = await api.call("GET", f"/api/v1/stats?from={first}&to={last}&group_by=team")
    assert status == 200, body
    assert body["total"]["key"] is None and body["total"]["received"] == 3
    assert body["total"]["open_at_end"] == 3 and body["total"]["accept_p50_s"] is not None
    teams = {g["key"]: g for g in body["groups"]}
    assert {k: (g["name"], g["received"]) for k, g in teams.items()} == {
        "shuidian": ("水电组", 1),
        "dianti": ("电梯组", 1),
        "tujian": ("土建组", 1),
    }
    start = datetime.fromisoformat(body["from"])
    assert start == datetime.fromisoformat(f"{first}T00:00+08:00")
    assert datetime.fromisoformat(body["to"]) - start == timedelta(days=3)  # `to` included

    status, body = await api.call("GET", f"/api/v1/stats?from={first}&to={last}")
    assert status == 200 and body["groups"] == [] and body["total"]["received"] == 3

    since = (datetime.now(SHANGHAI) + timedelta(minutes=5)).isoformat(timespec="minutes")
    until = (datetime.now(SHANGHAI) + timedelta(hours=1)).isoformat(timespec="minutes")
    query = f"from={since.replace('+', '%2B')}&to={until.replace('+', '%2B')}"
    status, body = await api.call("GET", f"/api/v1/stats?{query}&group_by=technician")
    assert status == 200 and body["total"]["received"] == 0
    held = {g["name"]: g["open_at_end"] for g in body["groups"]}  # still open when it ends
    assert held["李师傅"] == 1 and held["未指派"] == 1 and sum(held.values()) == 3


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("from=2026-11-29&to=2026-11-23", "to", "结束日期 to 不能早于开始日期 from"),
        ("from=2025-11-01&to=2026-11-30", "to", "一次最多查 366 天"),
        ("from=2026-11-23&to=2026-11-29&group_by=floor", "group_by", "分组方式只能是 team、"),
        ("to=2026-11-29", "from", "请填写开始日期 from"),
        ("from=2026-11-23", "to", "请填写结束日期 to"),
        ("from=2026-11-31&to=2026-12-01", "from", "请写成日期（如 2026-11-28）"),
        ("from=2026-11-23T08:00&to=2026-11-29", "from", "时间要带时区"),
        ("from=2026-11-23&to=2026-11-29&team=shuidian", "team", "没有「team」这一项"),
    ],
)
async def test_a_period_that_makes_no_sense_is_refused_in_words(
    api: Api, query: str, field: str, words: str
) -> None:
    status, body = await api.call("GET", f"/api/v1/stats?{query}")
    assert status == 422, body
    assert [f["field"] for f in body["fields"]] == [field]
    assert words in body["message"]


async def test_a_full_year_is_allowed_and_the_api_key_is_required(api: Api) -> None:
    status, body = await api.call("GET", "/api/v1/stats?from=2024-01-01&to=2024-12-31")
    assert status == 200 and body["total"]["received"] == 0  # a leap year: 366 days
    status, body = await api.call("GET", "/api/v1/stats?from=2024-01-01&to=2024-12-31", headers={})
    assert status == 401
