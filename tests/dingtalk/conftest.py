"""The fake DingTalk, and the company's app in front of it (Stream mode)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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


@asynccontextmanager
async def running(fake: FakeDingTalk, db_url: str, data: Path, mode: str) -> AsyncIterator[Company]:
    settings = settings_for(fake, db_url, data, mode)
    organisation(fake, settings)
    async with TestClient(TestServer(create_app(settings))) as client:
        if mode == "stream":
            await eventually(lambda: fake.connections == 1)
        yield Company(fake, client, settings)


@pytest.fixture(params=["stream", "http"])
async def company(
    request: pytest.FixtureRequest, fake: FakeDingTalk, db_url: str, tmp_path: Path
) -> AsyncIterator[Company]:
    """The company with clicks coming by Stream, and again by HTTP callback."""
    async with running(fake, db_url, tmp_path, request.param) as company:
        yield company


@pytest.fixture
async def streaming(fake: FakeDingTalk, db_url: str, tmp_path: Path) -> AsyncIterator[Company]:
    async with running(fake, db_url, tmp_path, "stream") as company:
        yield company
