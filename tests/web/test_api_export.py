"""GET /api/v1/tickets/export: November's tickets as a streamed file, behind the API key,
read back as finance would open it."""

from collections.abc import AsyncIterator

import pytest

from baoxiu.config import Settings
from tests.exports import (
    HOSTILE,
    NAME,
    PHONE,
    November,
    check_workbook,
    csv_rows,
    seed_november,
    shown,
)
from tests.web.conftest import Api, ApiFor

EXPORT = "/api/v1/tickets/export"
MONTH = "from=2026-11-01&to=2026-11-30"


@pytest.fixture
async def api(api_for: ApiFor, demo_settings: Settings) -> AsyncIterator[Api]:
    async with api_for(demo_settings) as api:
        yield api


@pytest.fixture
async def november(demo_settings: Settings, db_url: str, api: Api) -> November:
    return await seed_november(demo_settings, db_url)


async def test_a_month_as_csv(api: Api, november: November) -> None:
    async with api.client.get(f"{EXPORT}?{MONTH}", headers={"Authorization": ""}) as response:
        assert response.status == 401
    status, media_type, data = await api.download(f"{EXPORT}?{MONTH}")
    assert (status, media_type) == (200, "text/csv")
    rows = csv_rows(data)
    assert [row["单号"] for row in rows] == [november.paid, *november.open]
    assert [row["问题描述"] for row in rows] == [shown(typed) for typed in HOSTILE]
    assert (rows[0]["时效"], rows[0]["费用合计（元）"], rows[0]["收款方式"]) == (
        "按时",
        "110.50",
        "微信",
    )
    assert NAME.encode() not in data and PHONE.encode() not in data


async def test_a_month_as_a_workbook_is_streamed_as_a_download(
    api: Api, november: November
) -> None:
    path = f"{EXPORT}?{MONTH}&format=xlsx"
    async with api.client.get(
        path, headers={"Authorization": "Bearer test-key-0123456789abcdef"}
    ) as r:
        disposition = r.headers["Content-Disposition"]
        assert r.headers["Cache-Control"] == "no-store"
    assert disposition == 'attachment; filename="tickets-2026-11-01-2026-11-30.xlsx"'
    status, media_type, data = await api.download(path)
    assert status == 200 and media_type.endswith("spreadsheetml.sheet")
    check_workbook(data, november)


@pytest.mark.parametrize(
    ("query", "field", "said"),
    [
        ("from=2026-11-30&to=2026-11-01", "to", "结束日期 to（2026-11-01）早于开始日期 from"),
        ("from=2026-11-31&to=2026-12-01", "from", "开始日期 from「2026-11-31」不是日期"),
        ("from=2026-11-01", "to", "请写结束日期 to，如 2026-11-01"),
        (f"{MONTH}&format=pdf", "format", "格式 format 只能是 csv 或 xlsx，不是「pdf」"),
        (f"{MONTH}&status=new", "status", "没有「status」这一项，请删掉"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    api: Api, query: str, field: str, said: str
) -> None:
    status, media_type, data = await api.download(f"{EXPORT}?{query}")
    assert (status, media_type) == (422, "application/json")
    assert said in data.decode() and f'"field":"{field}"' in data.decode(), data.decode()
