"""A click's answer is its card's update; the outbox updates that card only when the answer
did not: too slow, sent too late, or overtaken by a newer change."""

import asyncio
from datetime import timedelta

from cards.model import ActionValue, Card
from integration.clicks import Click, ClickRouter
from tests.delivery.conftest import Site
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.audience import Audience, CardAddress
from tickets.model import Actor
from tickets.ports import ClickedCard
from tickets.states import Source

HOLD = timedelta(seconds=2)
GROUP = CardAddress("sandbox", "shuidian", Audience.TEAM)


class Recording:
    """A chat platform that keeps every call."""

    repost_after = None

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    async def post(self, chat_id: str, card: Card, key: str) -> str:
        self.calls.append(("post", chat_id))
        return f"m-{chat_id}"

    async def edit(self, message_id: str, card: Card) -> None:
        self.calls.append(("edit", message_id.removeprefix("m-")))

    async def send(self, chat_id: str, card: Card, key: str) -> None:
        self.calls.append(("send", chat_id))


async def posted(site: Site) -> tuple[str, Recording]:
    """A ticket whose card is in the group: its number, and the platform it went through."""
    number = (await site.service.open(draft(), AGENT, Source.API)).ticket.number
    platform = Recording()
    await site.worker({"sandbox": platform}).deliver_due()
    assert platform.calls == [("post", "shuidian")]
    platform.calls.clear()
    return number, platform


async def claim_clicked_in_the_group(site: Site, number: str) -> int:
    clicked = ClickedCard("sandbox", "m-shuidian", HOLD)
    claim = Command(Verb.CLAIM, Actor.member("li"))
    return (await site.service.act(number, claim, Source.SANDBOX, clicked=clicked)).ticket.version


async def test_the_clicked_chat_waits_and_needs_no_call_once_the_answer_showed_it(
    site: Site,
) -> None:
    number, platform = await posted(site)
    version = await claim_clicked_in_the_group(site, number)
    worker = site.worker({"sandbox": platform})
    await worker.deliver_due()
    assert platform.calls == [("post", "dm-li")]  # the group's row is held back

    await site.store.answered(number, "sandbox", "m-shuidian", version, site.clock.now())
    site.clock.advance(seconds=2)
    assert await worker.deliver_due() == 1
    assert platform.calls == [("post", "dm-li")]  # settled without a call
    assert await site.store.backlog() == 0


async def test_without_an_answer_the_card_is_updated_when_the_hold_is_over(site: Site) -> None:
    number, platform = await posted(site)
    await claim_clicked_in_the_group(site, number)
    worker = site.worker({"sandbox": platform})
    await worker.deliver_due()
    site.clock.advance(seconds=1)
    assert await worker.deliver_due() == 0
    site.clock.advance(seconds=1)
    assert await worker.deliver_due() == 1
    assert platform.calls == [("post", "dm-li"), ("edit", "shuidian")]


async def test_an_answer_overtaken_by_a_newer_change_is_corrected(site: Site) -> None:
    """The answer (version 2) may land over the card the outbox already edited to 3."""
    number, platform = await posted(site)
    claimed = await claim_clicked_in_the_group(site, number)
    await site.service.act(number, Command(Verb.START, Actor.member("li")), Source.API)
    worker = site.worker({"sandbox": platform})
    await worker.deliver_due()
    assert ("edit", "shuidian") in platform.calls
    platform.calls.clear()

    await site.store.answered(number, "sandbox", "m-shuidian", claimed, site.clock.now())
    await worker.deliver_due()
    assert platform.calls == [("edit", "shuidian")]
    site.clock.advance(seconds=2)
    await worker.deliver_due()  # the held-back row of the claim: the card shows 3 again
    assert platform.calls == [("edit", "shuidian")]
    assert await site.store.backlog() == 0


def claim(number: str) -> Click:
    """李师傅 taps 接单 on the group card as the sandbox posted it."""
    return Click(
        source=Source.SANDBOX,
        member_id="li",
        value=ActionValue(number, Verb.CLAIM, 1),
        audience=Audience.TEAM,
        card_id="m-shuidian",
    )


async def test_an_answer_sent_after_the_platform_stopped_waiting_is_not_counted(
    site: Site,
) -> None:
    number, _ = await posted(site)
    router = ClickRouter(site.service, site.cards, site.store, site.clock)
    click = claim(number)
    answer = await router.click(click, deadline=0.05)
    assert answer.card is not None and answer.receipt is not None
    await asyncio.sleep(0.1)
    await router.answer_sent(answer)
    ticket = (await site.service.history(number)).ticket
    assert ticket.id is not None
    post = await site.store.post(ticket.id, GROUP)
    assert post is not None and post.delivered_version == 1

    await router.answer_sent(await router.click(click, deadline=5))  # in time: refused, shown
    post = await site.store.post(ticket.id, GROUP)
    assert post is not None and post.delivered_version == 2


async def test_a_card_is_being_answered_from_its_click_until_the_answer_is_sent(
    site: Site,
) -> None:
    """What a platform that forbids updates during a callback (DingTalk) asks the router."""
    number, _ = await posted(site)
    router = ClickRouter(site.service, site.cards, site.store, site.clock)
    click = claim(number)
    assert router.answering("sandbox", "m-shuidian") == 0
    answer = await router.click(click, deadline=5)
    assert 4 < router.answering("sandbox", "m-shuidian") <= 5
    assert router.answering("sandbox", "m-tujian") == router.answering("feishu", "m-shuidian") == 0
    await router.answer_sent(answer)
    assert router.answering("sandbox", "m-shuidian") == 0

    await router.click(click, deadline=1)  # an answer that never goes
    assert router.answering("sandbox", "m-shuidian") > 0
    await asyncio.sleep(1)
    assert router.answering("sandbox", "m-shuidian") == 0
