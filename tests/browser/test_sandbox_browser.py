"""Two technicians in two browser tabs: a card arrives, one claims it, the other sees it
change without reloading; then pause with a reason, resume and complete."""

from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import LAPTOP, PHONE, Live
from tests.reports import AGENT, draft
from tickets.messages import Note, Plot, Reminder, Report, Series
from tickets.recipients import Reach
from tickets.states import Source


async def open_chat(browser: Browser, live: Live, member: str, size: ViewportSize) -> Page:
    context = await browser.new_context(viewport=size, locale="zh-CN")
    page = await context.new_page()
    await page.goto(f"{live.base}/sandbox/c/shuidian?as={member}")
    await expect(page.locator("#identity")).to_have_value(member)
    return page


async def test_two_technicians_work_a_ticket_in_the_sandbox(browser: Browser, live: Live) -> None:
    li = await open_chat(browser, live, "li", LAPTOP)
    wang = await open_chat(browser, live, "wang", PHONE)
    ticket = (
        await live.service.open(draft(description="卫生间地漏反水，水漫到门口"), AGENT, Source.API)
    ).ticket

    li_card = li.locator(".message", has_text=ticket.number)
    wang_card = wang.locator(".message", has_text=ticket.number)
    await expect(li_card).to_be_visible()  # arrived live, no reload
    await expect(wang_card.locator(".tag").first).to_have_text("待接单")  # 水电组 claims its jobs
    await expect(li_card).to_contain_text("张* 138****8000")
    await li_card.screenshot(path=live.shots / "sandbox-card.png")

    await li_card.get_by_role("button", name="接单").click()
    await expect(li.locator("#toast")).to_contain_text("接单成功")
    await expect(wang_card.locator(".tag").first).to_have_text("已接单")
    await expect(wang_card).to_contain_text("李师傅")

    await li_card.get_by_role("button", name="开始维修").click()
    await expect(li_card.locator(".tag").first).to_have_text("维修中")
    await li_card.locator("summary", has_text="暂停").click()
    await li_card.get_by_label("暂停类型").select_option(label="等配件")
    await li_card.get_by_label("暂停原因").fill("等配件：需要更换地漏芯")
    await li.screenshot(path=live.shots / "sandbox-pause-form.png")
    await li_card.get_by_role("button", name="确定暂停").click()
    await expect(wang_card).to_contain_text("暂停原因：等配件：需要更换地漏芯")

    await li_card.get_by_role("button", name="继续").click()
    await expect(li_card.locator(".tag").first).to_have_text("维修中")
    await li_card.locator("summary", has_text="完工").click()
    await li_card.get_by_label("检查结果").fill("地漏芯老化，存水弯堵塞")
    await li_card.get_by_label("维修结果").fill("更换地漏芯，试水正常")
    await li_card.get_by_role("button", name="确定完工").click()
    await expect(wang_card.locator(".tag").first).to_have_text("待验收")
    await li.screenshot(path=live.shots / "sandbox.png")
    await wang.screenshot(path=live.shots / "sandbox-phone.png")

    wide = await wang.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, "the chat scrolls sideways on a phone"
    history = await live.service.history(ticket.number)
    assert [e.kind for e in history.events] == [
        "create", "claim", "start", "pause", "resume", "complete",
    ]  # fmt: skip
    assert {e.source for e in history.events[1:]} == {"sandbox"}


async def test_wang_is_told_when_li_was_faster(browser: Browser, live: Live) -> None:
    li = await open_chat(browser, live, "li", LAPTOP)
    wang = await open_chat(browser, live, "wang", LAPTOP)
    ticket = (await live.service.open(draft(), AGENT, Source.API)).ticket
    await expect(wang.locator(".message", has_text=ticket.number)).to_be_visible()
    await wang.route("**/events*", lambda route: route.abort())  # wang's page stops updating
    await wang.reload()
    await li.locator(".message", has_text=ticket.number).get_by_role("button", name="接单").click()
    await expect(li.locator("#toast")).to_contain_text("接单成功")
    await (
        wang.locator(".message", has_text=ticket.number).get_by_role("button", name="接单").click()
    )
    await expect(wang.locator("#toast")).to_contain_text("手慢了，这单已被李师傅接走")
    card = wang.locator(".message", has_text=ticket.number)
    await expect(card.locator(".tag").first).to_have_text("已接单")  # the fresh card


async def test_what_baoxiu_sends_on_its_own_reads_well_on_a_phone_and_a_laptop(
    browser: Browser, live: Live
) -> None:
    ticket = (
        await live.service.open(draft("门窗", "单元门闭门器坏了，门关不上"), AGENT, Source.API)
    ).ticket
    await live.service.send(
        Reminder("超过接单时限 30 分钟，仍无人接单"), Reach.SUPERVISORS, ticket.number
    )
    await live.service.send(Note("值班安排", "今晚 18:00 起由李师傅值班，电话已转接"), "chen")
    report = Report(
        "本周报修小结",
        "11月23日—11月29日",
        (("收到", "12 单（上周 9 单）"), ("已完成", "9 单"), ("按时接单", "92%")),
        plots=(
            Plot(
                "按类别",
                ("水电", "门窗", "电梯"),
                (Series("收到", (7.0, 3.0, 2.0)), Series("完成", (6.0, 2.0, 1.0))),
            ),
        ),
    )
    await live.service.send(report, Reach.MANAGEMENT)
    for size, name in ((PHONE, "phone"), (LAPTOP, "laptop")):
        context = await browser.new_context(viewport=size, locale="zh-CN")
        page = await context.new_page()
        for chat, expected in (
            ("dispatch", "超过接单时限 30 分钟"),
            ("dm-chen", "今晚 18:00 起由李师傅值班"),
            ("management", "本周报修小结"),
        ):
            await page.goto(f"{live.base}/sandbox/c/{chat}?as=chen")
            message = page.locator(".message", has_text=expected)
            await expect(message).to_be_visible()
            wide = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 0, f"{chat} scrolls sideways on a {name}"
            await message.screenshot(path=live.shots / f"sandbox-{chat}-{name}.png")
            if chat == "dispatch":  # the supervisor acts from the reminder itself
                await expect(message.locator("summary", has_text="派单")).to_be_visible()
        await context.close()
