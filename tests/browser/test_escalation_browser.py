"""An escalation as the dispatch desk sees it in the sandbox, on a laptop: the overdue job's
card in red with the four things the desk can do, two of them used."""

from playwright.async_api import Browser, expect

from jobs.sla_watch import SlaWatch
from tests.browser.conftest import LAPTOP, Live
from tests.clock import FakeClock
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.events import Revealed
from tickets.model import Actor
from tickets.states import Source


async def test_the_desk_acts_on_an_escalation(
    browser: Browser, clocked: tuple[Live, FakeClock]
) -> None:
    live, clock = clocked
    number = (
        await live.service.open(draft(description="厨房燃气泄漏"), AGENT, Source.API)
    ).ticket.number
    await live.service.act(number, Command(Verb.CLAIM, Actor.member("li")), Source.API)
    clock.advance(minutes=65)  # arrival was due after 30 minutes: 35 minutes late
    assert await SlaWatch(live.service).run_once() == 2  # the accept chain ended with the claim

    context = await browser.new_context(viewport=LAPTOP, locale="zh-CN")
    desk = await context.new_page()
    await desk.goto(f"{live.base}/sandbox/c/dispatch?as=chen")
    card = desk.locator(".message", has_text="到场已超时").first
    await expect(card).to_contain_text("李师傅还未开始维修")
    buttons = card.locator("button, summary")
    for label in ("改派", "联系师傅", "延期", "我来处理"):
        await expect(card.get_by_text(label, exact=True).first).to_be_visible()
    assert await buttons.count() >= 4
    await card.screenshot(path=live.shots / "sandbox-escalation.png")

    await card.get_by_role("button", name="联系师傅").click()
    toast = desk.locator("#toast")
    await expect(toast).to_contain_text("李师傅，电话 13800000001（仅你可见")
    timeline = (await live.service.history(number)).events
    assert (timeline[-1].actor_id, timeline[-1].details) == ("chen", Revealed("assignee"))
