"""催单 and 改约上门时间 from the cards: the typed time is read in the site's zone, a time
nobody can read is refused in words and changes nothing, and each click says what it did."""

from datetime import UTC, datetime

from cards.model import ActionValue
from integration.clicks import Click, ClickRouter
from tests.delivery.conftest import Site
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.audience import Audience
from tickets.model import Actor
from tickets.states import Source


async def held_by_li(site: Site) -> tuple[str, ClickRouter]:
    number = (await site.service.open(draft(), AGENT, Source.API)).ticket.number
    await site.service.act(number, Command(Verb.CLAIM, Actor.member("li")), Source.API)
    return number, ClickRouter(site.service, site.cards, site.store, site.clock)


def on_lis_card(number: str, verb: Verb, **form: str) -> Click:
    value = ActionValue(number, verb, 2)
    return Click(Source.SANDBOX, "li", value, Audience.DIRECT, "li", form)


async def test_the_assignee_moves_the_visit_to_a_typed_time(site: Site) -> None:
    number, router = await held_by_li(site)
    click = on_lis_card(number, Verb.RESCHEDULE, at="明天 14:00", reason="业主上午上班")
    answer = await router.click(click, deadline=5)
    assert (answer.level, answer.toast) == ("success", "已改约，卡片上的预约上门时间已更新")
    ticket = (await site.service.history(number)).ticket
    visit = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)  # Sunday 14:00 in Shanghai
    assert (ticket.appointment_at, ticket.arrive_due) == (visit, visit)
    assert answer.card is not None
    assert ("预约上门", "11-29 14:00") in [(f.label, f.value) for f in answer.card.fields]


async def test_a_time_nobody_can_read_is_refused_and_changes_nothing(site: Site) -> None:
    number, router = await held_by_li(site)
    click = on_lis_card(number, Verb.RESCHEDULE, at="下礼拜", reason="业主出差")
    answer = await router.click(click, deadline=5)
    assert answer.level == "error" and answer.toast.startswith("看不懂「下礼拜」这个时间")
    assert (await site.service.history(number)).ticket.version == 2


async def test_the_desk_hurries_the_assignee_from_its_card(site: Site) -> None:
    number, router = await held_by_li(site)
    value = ActionValue(number, Verb.HURRY, 2)
    click = Click(Source.SANDBOX, "chen", value, Audience.SUPERVISORS)
    answer = await router.click(click, deadline=5)
    assert (answer.level, answer.toast) == ("success", "已催单，已提醒李师傅尽快处理")
    again = await router.click(click, deadline=5)
    assert again.level == "error" and "30分钟后可以再催" in again.toast
