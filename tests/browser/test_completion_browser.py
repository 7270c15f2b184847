"""李师傅 completes a job from his private card's 填写完工单 link on his phone: two fee lines,
the resident's own material and a photo after the repair; a row out of range is named
beside it first. The page is looked at on a phone and a laptop."""

from urllib.parse import urlsplit

from playwright.async_api import Browser, FilePayload, expect

from tests.browser.conftest import LAPTOP, PHONE, Live
from tests.reports import AGENT, draft
from tests.web.uploads import jpeg
from tickets.actions import Command, Verb
from tickets.model import Actor
from tickets.states import Source, Status

LI = Actor.member("li")
AFTER = FilePayload(name="after.jpg", mimeType="image/jpeg", buffer=jpeg())


async def test_the_technician_completes_from_his_private_card(browser: Browser, live: Live) -> None:
    ticket = (await live.service.open(draft(), AGENT, Source.API)).ticket
    for verb in (Verb.CLAIM, Verb.START):
        await live.service.act(ticket.number, Command(verb, LI), Source.API)
    phone = await (await browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
    await phone.goto(f"{live.base}/sandbox/c/dm-li?as=li")
    card = phone.locator(".message", has_text=ticket.number).last
    await expect(card.locator(".tag").first).to_have_text("维修中", timeout=15000)
    link = card.get_by_role("link", name="填写完工单（费用、材料、照片）")
    await expect(link).to_be_visible()
    await card.screenshot(path=live.shots / "sandbox-completion-link.png")
    href = await link.get_attribute("href")
    assert href is not None and f"/w/{ticket.number}/" in href
    await phone.goto(live.base + urlsplit(href).path)  # the card links to the public address

    await expect(phone.get_by_text("完工单 · " + ticket.number)).to_be_visible()
    await phone.get_by_label("检查结果（业主可见）").fill("下水管存水弯堵塞")
    await phone.get_by_label("维修结果").fill("疏通下水，更换水龙头")
    await phone.locator("select[name=fee_code_1]").select_option("SD-01")
    await phone.locator("select[name=fee_code_2]").select_option("SD-02")
    await phone.locator("input[name=fee_price_2]").fill("180")
    await phone.locator("input[name=mat_name_1]").fill("生料带")
    await phone.locator("input[name=mat_qty_1]").fill("1")
    await phone.locator("input[name=mat_unit_1]").fill("卷")
    await phone.locator("select[name=mat_by_1]").select_option("resident")
    await phone.locator("#photos").set_input_files(AFTER)
    await expect(phone.locator("#previews img")).to_have_count(1)
    wide = await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, "the completion page scrolls sideways on a phone"
    await phone.screenshot(path=live.shots / "completion-phone.png", full_page=True)
    await phone.get_by_role("button", name="确认完工").click()

    await expect(phone.locator("#fee_2-error")).to_contain_text("只能收 50.00–150.00 元/次")
    assert (await live.service.history(ticket.number)).ticket.status is Status.IN_PROGRESS
    await expect(phone.get_by_label("检查结果（业主可见）")).to_have_value("下水管存水弯堵塞")
    await phone.locator("input[name=fee_price_2]").fill("80.5")
    await phone.locator("#photos").set_input_files(AFTER)
    await phone.get_by_role("button", name="确认完工").click()

    await expect(phone.get_by_role("heading", name="已完工")).to_be_visible()
    await expect(phone.locator("table.fees tfoot")).to_contain_text("110.50")
    await expect(phone.locator(".materials")).to_contain_text("生料带 1 卷（业主自备）")
    await expect(phone.locator(".photos img")).to_have_count(1)
    await phone.screenshot(path=live.shots / "completion-done-phone.png", full_page=True)
    done = (await live.service.history(ticket.number)).ticket
    assert done.status is Status.COMPLETED and done.fees_total_fen == 11050
    assert len(done.photos_after) == 1

    laptop = await (await browser.new_context(viewport=LAPTOP, locale="zh-CN")).new_page()
    await laptop.goto(live.base + urlsplit(href).path)
    await expect(laptop.get_by_role("heading", name="已完工")).to_be_visible()
    await laptop.screenshot(path=live.shots / "completion-done-laptop.png", full_page=True)
