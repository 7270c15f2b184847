"""A resident reports a leak from a phone; the card, photo included, reaches the team group,
and the resident's status page follows the repair."""

import re
from pathlib import Path

from PIL import Image
from playwright.async_api import Browser, expect

from tests.browser.conftest import LAPTOP, PHONE, Live
from tickets.ports import TicketQuery


def photo(folder: Path) -> Path:
    path = folder / "leak.jpg"
    Image.new("RGB", (640, 480), (70, 110, 160)).save(path, "JPEG")
    return path


async def test_a_resident_reports_a_leak_and_follows_it(
    browser: Browser, live: Live, tmp_path: Path
) -> None:
    group = await (await browser.new_context(viewport=LAPTOP, locale="zh-CN")).new_page()
    await group.goto(f"{live.base}/sandbox/c/shuidian?as=li")
    phone = await (await browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
    await phone.goto(f"{live.base}/r/new?loc=3栋2单元501")
    await expect(phone.locator("#location")).to_have_value("3栋2单元501")

    await phone.locator("#phone").fill("1390000")
    await phone.locator("#name").fill("王阿姨")
    await phone.locator("#category").select_option("水电")
    await phone.locator("#description").fill("卫生间洗手盆下水管漏水，地上都是水")
    await phone.get_by_role("button", name="提交报修").click()
    await expect(phone.locator("body")).to_contain_text("请填写 11 位手机号")  # beside the field
    await expect(phone.locator("#description")).to_have_value("卫生间洗手盆下水管漏水，地上都是水")
    await phone.screenshot(path=live.shots / "resident-form-error.png", full_page=True)
    assert (await live.service.search(TicketQuery())).items == []

    await phone.locator("#phone").fill("139 0000 1111")
    await phone.locator("#photos").set_input_files(photo(tmp_path))
    await phone.screenshot(path=live.shots / "resident-form.png", full_page=True)
    await phone.get_by_role("button", name="提交报修").click()
    await expect(phone).to_have_url(re.compile(r"/r/t/[\w-]+$"))
    await expect(phone.locator("body")).to_contain_text("已受理")
    number = (await live.service.search(TicketQuery())).items[0].number
    await expect(phone.locator("body")).to_contain_text(number)

    card = group.locator(".message", has_text=number)
    await expect(card).to_contain_text("王** 139****1111")  # masked in the group
    await expect(card.locator(".tag").nth(1)).to_have_text("紧急")  # 漏水 is an emergency
    await expect(card.locator(".card-images img")).to_have_count(1)
    await card.get_by_role("button", name="接单").click()
    await expect(card.locator(".tag").first).to_have_text("已接单")

    await phone.reload()
    await expect(phone.locator("body")).to_contain_text("李师傅已接单")
    await phone.screenshot(path=live.shots / "resident-status.png", full_page=True)
    wide = await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, "the status page scrolls sideways on a phone"
