"""The crew's side of the first hour, on a laptop: a group card says whose buttons are whose
and a refusal says what one may do instead, a claim team's new job is 待接单, toasts stay
off the buttons, the chat list stays in view, and a finished card shows the result and who
signed it off. (A lost race's words: tests/sandbox.)"""

from playwright.async_api import Browser, expect

from tests.browser.conftest import LAPTOP, Live
from tests.browser.test_sandbox_browser import open_chat
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.model import Actor
from tickets.rating import Agreement
from tickets.states import Source


async def test_a_group_card_is_one_card_for_everyone(browser: Browser, live: Live) -> None:
    wang = await open_chat(browser, live, "wang", LAPTOP)
    li = await open_chat(browser, live, "li", LAPTOP)
    for n in range(6):  # a chat long enough to scroll
        await live.service.open(draft(description=f"楼道灯不亮 {n}"), AGENT, Source.API)
    ticket = (
        await live.service.open(draft(description="卫生间地漏反水，水漫到门口"), AGENT, Source.API)
    ).ticket
    li_card = li.locator(".message", has_text=ticket.number)
    wang_card = wang.locator(".message", has_text=ticket.number)
    await expect(wang_card.locator(".tag").first).to_have_text("待接单")  # 水电组 claims

    await li_card.get_by_role("button", name="接单").click()
    await expect(wang_card.locator(".tag").first).to_have_text("已接单")  # live, no reload
    toast = wang.locator("#toast")

    await expect(wang_card).to_contain_text(
        "李师傅处理中：开始维修、改约上门时间、转单、退单、查看联系方式由李师傅操作"
    )
    button = wang_card.get_by_role("button", name="开始维修")
    await button.click()
    await expect(toast).to_contain_text("王师傅不能开始维修：只有接单人（李师傅）可以开始维修")
    await expect(toast).to_contain_text("这单现在没有需要你做的；有问题请联系水电组班组长")
    shown, under = await toast.bounding_box(), await button.bounding_box()
    assert shown and under and shown["y"] + shown["height"] < under["y"], "the toast hides it"
    await wang.screenshot(path=live.shots / "sandbox-whose-buttons.png")

    await wang.mouse.wheel(0, 5000)
    await expect(wang.locator(".chats .brand")).to_be_in_viewport()  # the list stays in view
    top = await wang.evaluate("document.querySelector('.chats').getBoundingClientRect().top")
    assert top == 0

    li_id = Actor.member("li")
    for verb in (Verb.START, Verb.COMPLETE):
        done = Command(verb, li_id, findings="地漏芯老化", note="更换地漏芯")
        await live.service.act(ticket.number, done, Source.API)
    await expect(wang_card.locator(".tag").first).to_have_text("待验收")
    await expect(wang_card).to_contain_text("维修结果更换地漏芯")  # the crew sees what was done
    await expect(wang_card.locator("summary", has_text="确认完成（客服）")).to_be_visible()
    by_phone = Command(Verb.CONFIRM, AGENT, on_behalf=True, agreed=Agreement.PHONE)
    await live.service.act(ticket.number, by_phone, Source.API)
    await live.service.act(ticket.number, Command(Verb.CLOSE, Actor.member("chen")), Source.API)
    await expect(wang_card.locator(".tag").first).to_have_text("已结单")
    await expect(wang_card).to_contain_text("验收林客服")
    await expect(wang_card).to_contain_text("结单陈班长")
    await wang_card.screenshot(path=live.shots / "sandbox-closed-card.png")
