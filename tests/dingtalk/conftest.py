"""The fake DingTalk, and the company's app in front of it (Stream mode)."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.dingtalk.company import Company, running
from tests.fakes.dingtalk import FakeDingTalk


@pytest.fixture
async def fake() -> AsyncIterator[FakeDingTalk]:
    async with FakeDingTalk() as server:
        yield server


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
