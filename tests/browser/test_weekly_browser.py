"""The weekly summary of a played week in the sandbox's management chat, on a phone and a
laptop: the figures, the lists and the plots' picture, read as a manager reads them."""

from datetime import time
from pathlib import Path

from playwright.async_api import Browser, expect

from baoxiu.config import Settings
from integration.web.photos import PhotoStore
from jobs.weekly import WeeklySummary, summary_maker
from tests.browser.conftest import LAPTOP, PHONE, _serving
from tests.clock import FakeClock
from tests.week import seed_week, week_settings


async def test_a_manager_reads_the_weekly_summary(
    browser: Browser, db_url: str, demo_settings: Settings, tmp_path: Path
) -> None:
    clock = FakeClock()
    async with _serving(db_url, week_settings(demo_settings), tmp_path, clock) as live:
        await seed_week(live.service, clock)
        photos = PhotoStore(tmp_path / "data" / "photos")
        make = summary_maker(live.service, photos)
        weekly = WeeklySummary(live.service, make, "mon", time(9, 0), clock, photos)
        assert await weekly.run_once() == 1
        for size, name in ((PHONE, "phone"), (LAPTOP, "laptop")):
            context = await browser.new_context(viewport=size, locale="zh-CN")
            page = await context.new_page()
            await page.goto(f"{live.base}/sandbox/c/management?as=zhou")
            card = page.locator(".message", has_text="物业报修周报")
            # after the week's hundreds of card updates the delivery worker still works through
            await expect(card).to_contain_text("11月23日—11月29日（2026-W48）", timeout=180_000)
            await expect(card).to_contain_text("超时最久的 5 单")
            picture = card.locator("img.card-picture")
            await expect(picture).to_be_visible()
            assert await picture.evaluate("img => img.naturalWidth") == 960  # it loaded
            wide = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 0, f"the summary scrolls sideways on a {name}"
            await card.screenshot(path=live.shots / f"sandbox-weekly-{name}.png")
            await context.close()
