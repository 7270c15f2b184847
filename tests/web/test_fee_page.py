"""The published fee schedule at /r/fees: grouped as the form offers categories, text as text."""

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from baoxiu.config import DatabaseConfig, FeeItem, FeesConfig, Settings

Client = TestClient[Any, Any]


@pytest.fixture
def site(
    db_url: str, demo_settings: Settings, tmp_path: Path
) -> Callable[[FeesConfig | None], AbstractAsyncContextManager[Client]]:
    @asynccontextmanager
    async def running(fees: FeesConfig | None = None) -> AsyncIterator[Client]:
        settings = demo_settings.model_copy(
            update={
                "database": DatabaseConfig(url=db_url),
                "site": demo_settings.site.model_copy(update={"data_dir": tmp_path}),
                "fees": fees or demo_settings.fees,
            }
        )
        async with TestClient(TestServer(create_app(settings))) as client:
            yield client

    return running


def text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


async def test_the_schedule_is_listed_by_category_with_its_prices(
    site: Callable[[], AbstractAsyncContextManager[Client]], demo_settings: Settings
) -> None:
    async with site() as client, client.get("/r/fees") as response:
        assert response.status == 200 and response.content_type == "text/html"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        page = await response.text()
    titles = re.findall(r"<h2>(.*?)</h2>", page)
    assert titles == ["水电", "燃气", "门窗", "土建", "公共设施", "电梯", "各类报修通用"]
    shown = text(page)
    assert "更换水龙头 30.00 元/个" in shown
    assert "疏通下水道 50.00–150.00 元/次" in shown
    assert "电梯困人救援 免费（物业费已含）" in shown
    assert shown.index("电梯困人救援") > shown.index("更换水龙头")
    assert demo_settings.site.name in page
    assert 'href="tel:0571-88886666"' in page


async def test_what_the_schedule_says_stays_text(
    site: Callable[[FeesConfig], AbstractAsyncContextManager[Client]],
) -> None:
    name = "<b onclick=x>换灯</b>"
    fees = FeesConfig(items=[FeeItem(code="X", name=name, unit="个", price=Decimal("1.5"))])
    async with site(fees) as client, client.get("/r/fees") as response:
        page = await response.text()
    assert "<b onclick" not in page and "&lt;b onclick=x&gt;换灯&lt;/b&gt;" in page
    assert "1.50 元/个" in page
    assert re.findall(r"<h2>(.*?)</h2>", page) == ["各类报修通用"]


async def test_no_schedule_says_whom_to_ask(
    site: Callable[[FeesConfig], AbstractAsyncContextManager[Client]],
) -> None:
    async with site(FeesConfig()) as client, client.get("/r/fees") as response:
        assert response.status == 200
        page = text(await response.text())
    assert "暂未公布收费标准，请致电物业服务中心 0571-88886666 咨询" in page


async def test_the_report_form_links_to_it(
    site: Callable[[], AbstractAsyncContextManager[Client]],
) -> None:
    async with site() as client, client.get("/r/new") as response:
        assert 'href="/r/fees"' in await response.text()
