"""The resident's side of the first hour, on a phone: the hotline, photos that add up and can
be removed, a counter instead of a silent cut, the crew's words kept off the status page, and
a refusal for reporting too often that keeps what was typed."""

import re
import secrets
from pathlib import Path

from PIL import Image
from playwright.async_api import Browser, Page, expect

from integration.web.resident import RESIDENT
from tests.browser.conftest import PHONE, Live
from tickets.actions import Command, Verb
from tickets.model import Actor
from tickets.ports import TicketQuery
from tickets.states import Source

FORM = "/r/new?loc=3%E6%A0%8B2%E5%8D%95%E5%85%83501"  # 3栋2单元501, as the poster's code has it
LEAK = "卫生间洗手盆下水管漏水，地上都是水"


def picture(folder: Path, name: str, colour: tuple[int, int, int]) -> Path:
    path = folder / name
    Image.new("RGB", (320, 240), colour).save(path)
    return path


async def fill(phone: Page) -> None:
    await phone.locator("#name").fill("王阿姨")
    await phone.locator("#phone").fill("139 0000 1111")
    await phone.locator("#category").select_option("水电")
    await phone.locator("#description").fill(LEAK)


async def test_the_form_helps_instead_of_losing_things(
    browser: Browser, live: Live, tmp_path: Path
) -> None:
    phone = await (await browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
    await phone.goto(live.base + FORM)
    await expect(phone.locator("#location")).to_have_value("3栋2单元501")
    hotline = phone.locator("a.hotline")
    await expect(hotline).to_have_text("0571-88886666")
    await expect(hotline).to_have_attribute("href", "tel:0571-88886666")

    photos, previews = phone.locator("#photos"), phone.locator("#previews img")
    await photos.set_input_files(picture(tmp_path, "sink.jpg", (70, 110, 160)))
    await photos.set_input_files(picture(tmp_path, "floor.png", (160, 110, 70)))
    await expect(previews).to_have_count(2)  # the second pick adds, it does not replace
    await phone.get_by_role("button", name="删除照片 1").click()
    await expect(previews).to_have_count(1)
    await expect(previews.first).to_have_attribute("alt", "照片 1：floor.png")

    fake = tmp_path / "broken.jpg"
    fake.write_bytes(b"this is a text file, not a photo")
    await photos.set_input_files(fake)
    said = phone.locator("#photos-error")
    await expect(said).to_have_text("「broken.jpg」不是照片，无法显示，已移除")
    await expect(previews).to_have_count(1)
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    await photos.set_input_files(pdf)
    await expect(said).to_contain_text("「invoice.pdf」不是照片")
    await expect(previews).to_have_count(1)
    assert await phone.evaluate("document.getElementById('photos').files.length") == 1

    await fill(phone)
    counter = phone.locator("#description-count")
    await expect(counter).to_have_text(f"{len(LEAK)}/2000")
    await phone.locator("#description").fill("漏" * 2003)
    await expect(counter).to_have_text("2003/2000，多了 3 个字")
    await expect(phone.locator("#description")).to_have_value("漏" * 2003)  # nothing cut
    await phone.get_by_role("button", name="提交报修").click()
    assert (await live.service.search(TicketQuery())).items == []  # the browser held it back
    await phone.locator("#description").fill(LEAK)
    await phone.screenshot(path=live.shots / "resident-form-photos.png", full_page=True)

    await phone.get_by_role("button", name="提交报修").click()
    await expect(phone).to_have_url(re.compile(r"/r/t/[\w-]+$"))
    [ticket] = (await live.service.search(TicketQuery())).items
    assert len(ticket.photos) == 1
    await expect(phone.locator("a.hotline")).to_have_text("0571-88886666")
    await expect(phone.locator("body")).to_contain_text(f"并告知报修单号 {ticket.number}")

    li = Actor.member("li")
    for command in [
        Command(Verb.CLAIM, li),
        Command(Verb.START, li),
        Command(Verb.PAUSE, li, reason="等配件：需要购买DN20三通，业主态度差"),
    ]:
        await live.service.act(ticket.number, command, Source.API)
    await phone.reload()
    await expect(phone.locator("body")).to_contain_text("暂停维修")
    page = await phone.locator("body").inner_text()
    assert "DN20" not in page and "业主态度差" not in page, "the crew's words stay the crew's"
    await phone.screenshot(path=live.shots / "resident-status-paused.png", full_page=True)


async def test_too_many_reports_keep_what_was_typed(
    browser: Browser, live: Live, tmp_path: Path
) -> None:
    limiter = live.app[RESIDENT].limiter
    for _ in range(limiter.limit):  # five reports from this address a moment ago
        assert limiter.take("127.0.0.1", secrets.token_urlsafe(24)) == 0
    phone = await (await browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
    await phone.goto(live.base + FORM)
    await fill(phone)
    await phone.locator("#photos").set_input_files(picture(tmp_path, "sink.jpg", (70, 110, 160)))
    await phone.get_by_role("button", name="提交报修").click()

    await expect(phone.locator(".summary")).to_contain_text("提交得太频繁了")
    await expect(phone.locator(".summary")).to_contain_text("0571-88886666")
    await expect(phone.locator("#location")).to_have_value("3栋2单元501")  # the poster's place
    await expect(phone.locator("#name")).to_have_value("王阿姨")
    await expect(phone.locator("#description")).to_have_value(LEAK)
    await expect(phone.locator("body")).to_contain_text("请重新选择照片")
    await phone.screenshot(path=live.shots / "resident-too-often.png", full_page=True)
    assert (await live.service.search(TicketQuery())).items == []
    wide = await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, "the form scrolls sideways on a phone"
