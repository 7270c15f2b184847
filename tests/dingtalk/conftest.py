"""The fake DingTalk, and the company's app in front of it (Stream mode)."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from tests.dingtalk.company import Company, eventually, organisation, settings_for
from tests.fakes.dingtalk import FakeDingTalk


@pytest.fixture
async def fake() -> AsyncIterator[FakeDingTalk]:
    async with FakeDingTalk() as server:
        yield server


@pytest.fixture
async def company(fake: FakeDingTalk, db_url: str, tmp_path: Path) -> AsyncIterator[Company]:
    settings = settings_for(fake, db_url, tmp_path)
    organisation(fake, settings)
    async with TestClient(TestServer(create_app(settings))) as client:
        await eventually(lambda: fake.connections == 1)
        yield Company(fake, client, settings)
