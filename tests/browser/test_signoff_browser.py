"""A resident signs off a repair on a phone: draws a signature with a finger, gives 4/5/5
stars and confirms; the page then shows the stars and the signature."""

from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import PHONE, Live
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.model import Actor
from tickets.states import Source, Status

LI = Actor.member("li")


async def sign(phone: Page) -> None:
    """A finger's stroke across the pad, as touch-driven pointer events."""
    box = await phone.locator("#signature-pad").bounding_box()
    assert box is not None
    points = [(0.1, 0.7), (0.3, 0.2), (0.5, 0.75), (0.7, 0.3), (0.9, 0.6)]
    x, y = box["x"], box["y"]
    await phone.mouse.move(x + box["width"] * points[0][0], y + box["height"] * points[0][1])
    await phone.mouse.down()
    for px, py in points[1:]:
        await phone.mouse.move(x + box["width"] * px, y + box["height"] * py, steps=8)
    await phone.mouse.up()


async def test_a_resident_signs_and_rates_four_five_five_on_a_phone(
    browser: Browser, live: Live
) -> None:
    ticket = (await live.service.open(draft(), AGENT, Source.API)).ticket
    for verb in (Verb.CLAIM, Verb.START, Verb.COMPLETE):
        finished = Command(verb, LI, findings="阀芯磨损", note="更换阀芯")
        await live.service.act(ticket.number, finished, Source.API)
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True)
    phone = await context.new_page()
    await phone.goto(f"{live.base}/r/t/{ticket.public_token}")
    await expect(phone.locator("#signoff")).to_contain_text("请您验收")

    await phone.get_by_role("button", name="已修好，确认").click()  # nothing signed yet
    await expect(phone.locator("#signature-error")).to_have_text("请先在签名框里签名，再确认修好")

    await sign(phone)
    await phone.get_by_role("button", name="清除重签").click()  # redo it
    await sign(phone)
    for part, stars in (("overall", 4), ("speed", 5), ("attitude", 5)):
        await phone.locator(f"label[for={part}-{stars}]").click()
    await phone.locator("textarea[name=comment]").fill("师傅很细心")
    await phone.screenshot(path=live.shots / "resident-signoff.png", full_page=True)
    wide = await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, "the sign-off scrolls sideways on a phone"
    await phone.get_by_role("button", name="已修好，确认").click()

    await expect(phone.locator("body")).to_contain_text("感谢您的确认和评价！")
    await expect(phone.locator(".verdict")).to_contain_text("★★★★☆")
    await expect(phone.locator("img.signature")).to_be_visible()
    await phone.screenshot(path=live.shots / "resident-signed.png", full_page=True)
    done = (await live.service.history(ticket.number)).ticket
    assert done.status is Status.CONFIRMED and done.signature is not None
    assert (done.rating_overall, done.rating_speed, done.rating_attitude) == (4, 5, 5)
    assert done.rating_comment == "师傅很细心"
