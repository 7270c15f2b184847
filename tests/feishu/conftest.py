"""The fake Feishu, and the company's app in front of it."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from tests.fakes.feishu import FakeFeishu
from tests.fakes.feishu_cards import validate_card
from tests.feishu.company import Company, settings_for, tenant
from tests.waiting import eventually


@pytest.fixture
async def fake() -> AsyncIterator[FakeFeishu]:
    async with FakeFeishu(validator=validate_card) as server:
        yield server


@pytest.fixture
async def company(fake: FakeFeishu, db_url: str, tmp_path: Path) -> AsyncIterator[Company]:
    settings = settings_for(fake, db_url, tmp_path)
    tenant(fake, settings)
    async with TestClient(TestServer(create_app(settings))) as client:
        yield Company(fake, client, settings)


@pytest.fixture
async def connected(fake: FakeFeishu, db_url: str, tmp_path: Path) -> AsyncIterator[Company]:
    """The company's app on Feishu's long connection instead of the webhook."""
    settings = settings_for(fake, db_url, tmp_path, mode="websocket")
    tenant(fake, settings)
    async with TestClient(TestServer(create_app(settings))) as client:
        await eventually(lambda: fake.ws_connections == 1)
        yield Company(fake, client, settings)
