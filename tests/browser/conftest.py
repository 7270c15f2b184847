"""Headless Chromium (Debian's, driven by Playwright) against a live baoxiu on 127.0.0.1."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, ViewportSize, async_playwright

from baoxiu.app import create_app
from baoxiu.config import DatabaseConfig, DeliveryConfig, Settings
from integration.web.api import SERVICE
from tests.clock import FakeClock
from tickets.service import TicketService

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1280, "height": 900}


@dataclass
class Live:
    base: str
    app: web.Application
    shots: Path

    @property
    def service(self) -> TicketService:
        return self.app[SERVICE]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        message = "browser tests need Debian's chromium (`make test` installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        await browser.close()


@asynccontextmanager
async def _serving(
    db_url: str, demo_settings: Settings, tmp_path: Path, clock: FakeClock | None
) -> AsyncIterator[Live]:
    settings = demo_settings.model_copy(
        update={
            "database": DatabaseConfig(url=db_url),
            "delivery": DeliveryConfig(poll_interval_s=0.05),
            "site": demo_settings.site.model_copy(update={"data_dir": tmp_path / "data"}),
        }
    )
    server = TestServer(create_app(settings, clock=clock), host="127.0.0.1")
    await server.start_server()
    shots = Path(os.environ.get("BAOXIU_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    yield Live(str(server.make_url("")).rstrip("/"), server.app, shots)
    await server.close()


@pytest.fixture
async def live(db_url: str, demo_settings: Settings, tmp_path: Path) -> AsyncIterator[Live]:
    async with _serving(db_url, demo_settings, tmp_path, None) as live:
        yield live


@pytest.fixture
async def clocked(
    db_url: str, demo_settings: Settings, tmp_path: Path
) -> AsyncIterator[tuple[Live, FakeClock]]:
    """baoxiu on a clock the test moves, starting now (the browser's own clock)."""
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    async with _serving(db_url, demo_settings, tmp_path, clock) as live:
        yield live, clock
