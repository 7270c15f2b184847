"""Issue 13's walk on a phone, from 开始维修 to the return visit: the job completed with two
fee lines and a material the resident supplied, signed and rated 4/5/5 on the status page,
closed, visited three days later (the fake clock) and recorded as resolved from the sandbox's
客服群. Then the branches where the resident acts: 没修好, a report outside the catalogue
declined, and a higher price: completing at it is refused until they agree with 同意.

Elsewhere: the sign-off's own refusals (tests/web/test_signoff_page.py), the auto-close of a
job nobody confirmed, once (tests/jobs/test_auto_close.py), the consent page's refusals
(tests/web/test_consent_page.py)."""

from decimal import Decimal
from typing import Any

import pytest
from playwright.async_api import APIRequestContext, Browser, BrowserContext, Page, expect

from baoxiu.config import Settings
from jobs.visits import VisitWatch
from tests.browser.conftest import LAPTOP, PHONE, Live
from tests.browser.test_signoff_browser import sign
from tests.clock import FakeClock
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.errors import InvalidInput
from tickets.fees import FeeRequest
from tickets.model import Actor
from tickets.states import Decision, Source, Status

LI, WANG, CHEN = Actor.member("li"), Actor.member("wang"), Actor.member("chen")
DONE: dict[str, Any] = {
    "findings": "洗手盆下水管接头老化开裂，存水弯堵塞",
    "work_done": "更换水龙头，疏通下水",
    "fees": [{"code": "SD-01", "quantity": 1}, {"code": "SD-02", "quantity": 1, "price": "80.50"}],
    "materials": [{"name": "水龙头", "quantity": 1, "unit": "个", "supplied_by": "resident"}],
}


async def office(browser: Browser, live: Live, settings: Settings) -> APIRequestContext:
    """The desk's REST client, with the API key."""
    key = settings.api.keys[0].get_secret_value()
    context = await browser.new_context(
        base_url=live.base, extra_http_headers={"Authorization": f"Bearer {key}"}
    )
    return context.request


async def act(api: APIRequestContext, number: str, action: str, actor: str, **body: Any) -> Any:
    answer = await api.post(
        f"/api/v1/tickets/{number}/actions", data={"action": action, "actor": actor, **body}
    )
    assert answer.status == 200, await answer.text()
    return await answer.json()


async def phone(browser: Browser) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True)
    return context, await context.new_page()


async def no_sideways(page: Page) -> None:
    wide = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, "the page scrolls sideways"


async def test_a_job_from_start_to_the_return_visit(
    browser: Browser, clocked: tuple[Live, FakeClock], demo_settings: Settings
) -> None:
    live, clock = clocked
    api = await office(browser, live, demo_settings)
    created = await api.post(
        "/api/v1/tickets",
        data={
            "reporter": {"name": "张三", "phone": "13800138000"},
            "location": "3栋2单元501",
            "category": "水电",
            "description": "洗手盆下水很慢，水龙头关不紧",
            "channel": "phone",
        },
    )
    assert created.status == 201
    number = (await created.json())["number"]
    token = (await live.service.history(number)).ticket.public_token  # the resident's own link
    for action in ("claim", "start"):
        await act(api, number, action, "li")
    done = await act(api, number, "complete", "li", **DONE)
    assert (done["status"], done["fees_total_fen"]) == ("completed", 11050)

    _, resident = await phone(browser)
    await resident.goto(f"{live.base}/r/t/{token}")
    signoff = resident.locator("#signoff")
    await expect(signoff).to_contain_text("洗手盆下水管接头老化开裂，存水弯堵塞")
    rows = signoff.locator(".fees tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("更换水龙头")
    await expect(rows.nth(0)).to_contain_text("30.00")
    await expect(rows.nth(1)).to_contain_text("疏通下水道")
    await expect(rows.nth(1)).to_contain_text("80.50")
    await expect(signoff.locator(".fees tfoot")).to_have_text("合计110.50")
    await no_sideways(resident)
    await sign(resident)
    for part, stars in (("overall", 4), ("speed", 5), ("attitude", 5)):
        await resident.locator(f"label[for={part}-{stars}]").click()
    await resident.screenshot(path=live.shots / "resident-signoff-fees.png", full_page=True)
    await resident.get_by_role("button", name="已修好，确认").click()
    await expect(resident.locator(".notice")).to_have_text("感谢您的确认和评价！")

    closed = await act(api, number, "close", "lin")
    assert (closed["status"], closed["signed"], closed["complaint"]) == ("closed", True, False)
    rating = closed["rating"]
    assert (rating["overall"], rating["speed"], rating["attitude"]) == (4, 5, 5)
    assert [(f["code"], f["amount_fen"]) for f in closed["fee_lines"]] == [
        ("SD-01", 3000),
        ("SD-02", 8050),
    ]
    assert [(m["name"], m["supplied_by"]) for m in closed["materials"]] == [("水龙头", "resident")]
    visit_due = closed["visit"]["due_at"]
    assert visit_due is not None  # 水电: always visited, three days after closing

    clock.advance(days=3, minutes=-1)
    assert await VisitWatch(live.service).run_once() == 0  # not yet
    clock.advance(minutes=1)
    assert await VisitWatch(live.service).run_once() == 1  # as the jobs run it

    context = await browser.new_context(viewport=LAPTOP, locale="zh-CN")  # at the desk
    agent = await context.new_page()
    await agent.goto(f"{live.base}/sandbox/c/agents?as=lin")
    card = agent.locator(".message", has_text=number)
    await expect(card).to_contain_text("回访：请致电业主，确认维修效果（第 1 次）")
    await card.locator("summary", has_text="回访").click()
    await card.get_by_label("回访结果").select_option(label="已解决")
    await card.get_by_label("回访备注").fill("业主说下水很顺，没再漏")
    await card.screenshot(path=live.shots / "sandbox-visit.png")
    await card.get_by_role("button", name="确定回访").click()
    await expect(agent.locator("#toast")).to_contain_text("回访已记录：已解决")

    visited = await (await api.get(f"/api/v1/tickets/{number}")).json()
    assert visited["visit"] == {"due_at": None, "attempts": 1, "outcome": "resolved"}
    assert visited["events"][-1]["text"] == "林客服回访：已解决（业主说下水很顺，没再漏）"


async def completed(live: Live) -> tuple[str, str]:
    """A job 李师傅 finished: its number and the resident's token."""
    ticket = (await live.service.open(draft(), AGENT, Source.API)).ticket
    for verb in (Verb.CLAIM, Verb.START, Verb.COMPLETE):
        done = Command(verb, LI, findings="阀芯磨损", note="更换阀芯")
        await live.service.act(ticket.number, done, Source.API)
    return ticket.number, ticket.public_token


async def test_not_fixed_goes_back_as_rework_and_the_supervisor_is_told(
    browser: Browser, live: Live
) -> None:
    number, token = await completed(live)
    _, resident = await phone(browser)
    await resident.goto(f"{live.base}/r/t/{token}")
    await resident.get_by_label("还有问题？请说明哪里没修好").fill("水龙头还是滴水")
    await resident.get_by_role("button", name="没修好").click()
    await expect(resident.locator(".notice")).to_have_text("已收到，我们会安排师傅重新上门处理。")
    await expect(resident.locator(".timeline")).to_contain_text("已安排第 1 次返工")
    await expect(resident.locator(".timeline")).to_contain_text("水龙头还是滴水")
    ticket = (await live.service.history(number)).ticket
    assert (ticket.status, ticket.rework_count, ticket.assignee_id) == (Status.ASSIGNED, 1, "li")

    context = await browser.new_context(viewport=LAPTOP, locale="zh-CN")
    supervisor = await context.new_page()
    await supervisor.goto(f"{live.base}/sandbox/c/dm-chen?as=chen")
    told = supervisor.locator(".message", has_text="业主反馈没修好，第 1 次返工：水龙头还是滴水")
    await expect(told).to_have_count(1)


async def test_a_report_outside_the_catalogue_is_declined_and_the_resident_reads_why(
    browser: Browser, live: Live
) -> None:
    ticket = (await live.service.open(draft(), AGENT, Source.API)).ticket
    await live.service.act(
        ticket.number, Command(Verb.FLAG, WANG, reason="业主自购热水器，在保修期内"), Source.API
    )
    said = "热水器在厂家保修期内，请联系厂家售后：400-000-0000"
    decline = Command(Verb.REVIEW, CHEN, decision=Decision.DECLINE, reason=said)
    await live.service.act(ticket.number, decline, Source.API)

    _, resident = await phone(browser)
    await resident.goto(f"{live.base}/r/t/{ticket.public_token}")
    await expect(resident.locator(".headline")).to_have_text("已取消")
    current = resident.locator(".timeline li.current")
    await expect(current).to_contain_text("经审核不属于服务范围，已取消")
    await expect(current).to_contain_text(f"原因：{said}")
    await expect(resident.locator("body")).not_to_contain_text("业主自购热水器")  # the crew's
    await expect(resident.get_by_role("button", name="催单")).to_have_count(0)


async def test_a_higher_price_is_agreed_to_on_the_page_and_the_job_completed_at_it(
    browser: Browser, live: Live
) -> None:
    ticket = (await live.service.open(draft(), AGENT, Source.API)).ticket
    number = ticket.number
    for command in (
        Command(Verb.CLAIM, LI),
        Command(Verb.START, LI),
        Command(Verb.QUOTE, LI, amount_fen=8000),
    ):
        await live.service.act(number, command, Source.API)
    more = Command(
        Verb.COMPLETE, LI, findings="下水管内有异物", fees=(FeeRequest("SD-02", Decimal(1), 15000),)
    )
    before = await live.service.history(number)
    with pytest.raises(InvalidInput, match=r"费用 150\.00 元超过业主同意的 80\.00 元"):
        await live.service.act(number, more, Source.API)
    assert await live.service.history(number) == before  # nothing stored
    why = "拆开后发现下水管内有异物，需要拆管清理"
    asked = Command(Verb.QUOTE, LI, amount_fen=15000, reason=why)
    await live.service.act(number, asked, Source.API)
    before = await live.service.history(number)
    with pytest.raises(InvalidInput, match=r"报价 150\.00 元还没有业主同意：请先取得业主同意"):
        await live.service.act(number, more, Source.API)
    assert await live.service.history(number) == before

    for size, name in ((LAPTOP, "laptop"), (PHONE, "phone")):
        context = await browser.new_context(viewport=size, locale="zh-CN", has_touch=True)
        page = await context.new_page()
        await page.goto(f"{live.base}/r/t/{ticket.public_token}")
        panel = page.locator("#consent")
        await expect(panel).to_contain_text("维修费用有变化，需要您同意")
        await expect(panel.locator(".was dd")).to_have_text("80.00 元")
        await expect(panel.locator(".now dd")).to_have_text("150.00 元")
        await expect(panel).to_contain_text("比原报价多 70.00 元")
        await expect(panel.locator(".why")).to_contain_text(why)
        await expect(panel.locator("a.hotline")).to_have_text("0571-88886666")
        await no_sideways(page)
        shot = "resident-consent.png" if name == "phone" else f"resident-consent-{name}.png"
        await page.screenshot(path=live.shots / shot, full_page=name == "laptop")
    await page.get_by_role("button", name="同意", exact=True).click()
    await expect(page.locator(".notice")).to_have_text(
        "您已同意新的报价，师傅会按这个价格继续维修。"
    )
    await expect(page.locator("#consent")).to_have_count(0)
    await expect(page.locator(".timeline li.current")).to_contain_text("业主同意报价 150.00 元")
    await expect(page.locator(".timeline li.current")).to_contain_text("在报修页面同意")

    done = (await live.service.act(number, more, Source.API)).ticket
    assert (done.status, done.fees_total_fen, done.quoted_fen) == (Status.COMPLETED, 15000, 15000)
    await page.reload()
    await expect(page.locator("#signoff .fees tfoot")).to_have_text("合计150.00")
