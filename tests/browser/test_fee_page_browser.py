"""A resident finds the published fees from the report form and from their status page, on a
phone and on a laptop."""

import re

from playwright.async_api import Browser, expect

from tests.browser.conftest import LAPTOP, PHONE, Live
from tests.reports import AGENT, draft
from tickets.states import Source


async def test_a_resident_reads_the_fees_on_a_phone_and_a_laptop(
    browser: Browser, live: Live
) -> None:
    ticket = (await live.service.open(draft(), AGENT, Source.API)).ticket
    phone = await (await browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
    await phone.goto(f"{live.base}/r/t/{ticket.public_token}")
    await phone.get_by_role("link", name="查看维修收费标准").click()
    await expect(phone).to_have_url(re.compile(r"/r/fees$"))
    await expect(phone.get_by_role("heading", name="维修服务收费标准")).to_be_visible()
    row = phone.locator(".fee-list li", has_text="疏通下水道")
    await expect(row.locator(".fee-price")).to_have_text("50.00–150.00 元/次")
    await expect(phone.locator("h2").last).to_have_text("各类报修通用")
    await phone.screenshot(path=live.shots / "resident-fees.png", full_page=True)
    wide = await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, "the fee page scrolls sideways on a phone"
    await phone.get_by_role("link", name="我要报修").click()
    await expect(phone).to_have_url(re.compile(r"/r/new$"))
    await phone.get_by_role("link", name="查看维修收费标准").click()
    await expect(phone).to_have_url(re.compile(r"/r/fees$"))

    laptop = await (await browser.new_context(viewport=LAPTOP, locale="zh-CN")).new_page()
    await laptop.goto(f"{live.base}/r/fees")
    tap = laptop.locator(".fee-list li", has_text="更换水龙头")
    await expect(tap).to_contain_text("30.00 元/个")
    await laptop.screenshot(path=live.shots / "resident-fees-laptop.png", full_page=True)
