"""The office opens a closed, paid job's work order on a laptop, with the API key."""

from decimal import Decimal

from playwright.async_api import Browser, expect

from baoxiu.config import Settings
from integration.web.resident import RESIDENT
from tests.browser.conftest import LAPTOP, Live
from tests.reports import AGENT, draft
from tests.web.test_work_order import signed_and_rated
from tickets.actions import Command, Verb
from tickets.fees import FeeRequest, Material, SuppliedBy
from tickets.model import Actor
from tickets.payment import PayMethod
from tickets.states import Source

LI, LIN = Actor.member("li"), Actor.member("lin")


async def test_the_office_reads_a_work_order_on_a_laptop(
    browser: Browser, live: Live, db_url: str, demo_settings: Settings
) -> None:
    service = live.service
    number = (await service.open(draft(), AGENT, Source.API)).ticket.number
    done = Command(
        Verb.COMPLETE,
        LI,
        findings="洗手盆下水管接头老化开裂",
        note="更换下水管接头，疏通存水弯",
        fees=(FeeRequest("SD-01", Decimal(1)), FeeRequest("SD-02", Decimal(1), 8050)),
        materials=(Material("生料带", Decimal(1), "卷", SuppliedBy.RESIDENT),),
    )
    for command in (
        Command(Verb.CLAIM, LI),
        Command(Verb.START, LI),
        done,
    ):
        await service.act(number, command, Source.API)
    await signed_and_rated(live.app[RESIDENT].photos, service, number)
    for command in (Command(Verb.PAY, LIN, method=PayMethod.WECHAT), Command(Verb.CLOSE, LIN)):
        await service.act(number, command, Source.API)

    key = demo_settings.api.keys[0].get_secret_value()
    context = await browser.new_context(
        viewport=LAPTOP, locale="zh-CN", extra_http_headers={"Authorization": f"Bearer {key}"}
    )
    page = await context.new_page()
    await page.goto(f"{live.base}/api/v1/tickets/{number}/work-order.html")
    await expect(page.get_by_role("heading", name="二、财务联：费用")).to_be_visible()
    await expect(page.locator(".fees tbody tr")).to_have_count(2)
    await expect(page.locator(".payment")).to_have_text("已收费 110.50 元（微信）")
    signature = page.get_by_role("img", name="业主签名")
    await expect(signature).to_be_visible()
    loaded = await signature.evaluate("img => img.complete && img.naturalWidth")
    assert loaded == 360, "the signature did not load"
    wide = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, "the work order scrolls sideways on a laptop"
    await page.screenshot(path=live.shots / "work-order.png", full_page=True)
