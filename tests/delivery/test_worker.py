"""Cards reach every chat that shows the ticket, once, and follow its changes."""

import asyncio
import time
from datetime import timedelta

import pytest

from cards.model import Card
from integration.outbound.errors import DeliveryError
from tests.delivery.conftest import Site
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.errors import InvalidInput
from tickets.events import DeliveryFailed, EventKind
from tickets.messages import Note, Plot, Reminder, Report, Series
from tickets.model import Actor
from tickets.recipients import Reach
from tickets.states import Source, Urgency


async def test_new_ticket_reaches_its_team_group(site: Site) -> None:
    ticket = (await site.service.open(draft(), AGENT, Source.API)).ticket
    assert await site.store.backlog() == 1
    assert await site.worker().deliver_due() == 1
    assert await site.store.backlog() == 0
    [message] = await site.sandbox.messages("shuidian")
    assert ticket.number in message.html and "接单" in message.html
    assert "138****8000" in message.html and "13800138000" not in message.html
    assert await site.worker().deliver_due() == 0  # nothing twice


async def test_changes_edit_the_same_card_and_reach_the_assignee(site: Site) -> None:
    number = (await site.service.open(draft(), AGENT, Source.API)).ticket.number
    await site.worker().deliver_due()
    await site.service.act(number, Command(Verb.CLAIM, Actor.member("li")), Source.API)
    await site.service.act(number, Command(Verb.START, Actor.member("li")), Source.API)
    assert await site.worker().deliver_due() == 2  # group card once (two changes), li's DM
    [group] = await site.sandbox.messages("shuidian")
    assert group.revision == 2 and "维修中" in group.html and "李师傅" in group.html
    [direct] = await site.sandbox.messages("dm-li")
    assert "张三 13800138000" in direct.html and "完工" in direct.html


async def test_transfer_updates_the_old_and_new_assignees(site: Site) -> None:
    number = (await site.service.open(draft(), AGENT, Source.API)).ticket.number
    await site.service.act(number, Command(Verb.CLAIM, Actor.member("li")), Source.API)
    await site.worker().deliver_due()
    await site.service.act(
        number, Command(Verb.TRANSFER, Actor.member("chen"), to="wang"), Source.API
    )
    await site.worker().deliver_due()
    [old] = await site.sandbox.messages("dm-li")
    [new] = await site.sandbox.messages("dm-wang")
    assert "138****8000" in old.html and "data-value" not in old.html  # li no longer holds it
    assert "13800138000" in new.html and "data-value" in new.html


async def test_waiting_and_emergency_tickets_reach_supervisors_and_managers(site: Site) -> None:
    await site.service.open(
        draft("门窗", "单元门关不上"), AGENT, Source.API
    )  # 土建组 is assign-mode
    await site.service.open(draft(description="水管爆裂"), AGENT, Source.API)  # an emergency
    await site.worker().deliver_due()
    [dispatch] = await site.sandbox.messages("dispatch")
    assert "派单" in dispatch.html and "单元门关不上" in dispatch.html
    [management] = await site.sandbox.messages("management")
    assert "水管爆裂" in management.html and "data-value" not in management.html
    urgent = (await site.service.open(draft(urgency=Urgency.URGENT), AGENT, Source.API)).ticket
    await site.worker().deliver_due()
    assert len(await site.sandbox.messages("management")) == 1, urgent.number


class Flaky:
    """A platform that fails the way real ones do, then recovers."""

    repost_after = None

    def __init__(self, failures: list[DeliveryError]) -> None:
        self.failures = failures
        self.posted: dict[str, str] = {}

    async def post(self, chat_id: str, card: Card, key: str) -> str:
        if self.failures:
            raise self.failures.pop(0)
        return self.posted.setdefault(key, f"m{len(self.posted) + 1}")

    async def edit(self, message_id: str, card: Card) -> None:
        raise AssertionError("nothing was posted yet")

    async def send(self, chat_id: str, card: Card, key: str) -> None:
        await self.post(chat_id, card, key)


async def test_retryable_failures_are_retried_later_permanent_ones_given_up(site: Site) -> None:
    await site.service.open(draft(), AGENT, Source.API)
    flaky = Flaky([DeliveryError("429", retryable=True, retry_after=5)])
    worker = site.worker({"sandbox": flaky})
    assert await worker.deliver_due() == 1 and flaky.posted == {}
    assert await worker.deliver_due() == 0  # not due for 5 s
    site.clock.advance(seconds=6)
    assert await worker.deliver_due() == 1 and len(flaky.posted) == 1
    assert await site.store.backlog() == 0

    number = (await site.service.open(draft(category="燃气"), AGENT, Source.API)).ticket.number
    gone = Flaky([DeliveryError("bot not in chat", retryable=False)])
    assert await site.worker({"sandbox": gone}).deliver_due() == 1
    site.clock.advance(hours=1)
    assert await site.worker({"sandbox": gone}).deliver_due() == 0
    assert await site.store.backlog() == 0 and gone.posted == {}
    failed = (await site.service.history(number)).events[-1]
    assert (failed.kind, failed.source, failed.actor_name) == ("delivery_failed", "job", "系统")
    assert failed.details == DeliveryFailed("sandbox", "shuidian", "bot not in chat")


async def test_two_workers_never_send_the_same_card(site: Site) -> None:
    for _ in range(20):
        await site.service.open(draft(), AGENT, Source.API)
    sent: list[str] = []

    class Counting(Flaky):
        async def post(self, chat_id: str, card: Card, key: str) -> str:
            sent.append(key)
            await asyncio.sleep(0)
            return await super().post(chat_id, card, key)

    a, b = site.worker({"sandbox": Counting([])}), site.worker({"sandbox": Counting([])})
    while sum(await asyncio.gather(a.deliver_due(), b.deliver_due())):
        pass
    assert len(sent) == 20 and len(set(sent)) == 20
    assert await site.store.backlog() == 0


async def test_a_lease_left_by_a_dead_worker_expires(site: Site) -> None:
    await site.service.open(draft(), AGENT, Source.API)
    leased = await site.store.lease("dead", site.clock.now(), timedelta(seconds=30), 10)
    assert len(leased) == 1
    assert await site.worker().deliver_due() == 0
    site.clock.advance(seconds=31)
    assert await site.worker().deliver_due() == 1
    assert len(await site.sandbox.messages("shuidian")) == 1


async def test_sandbox_posts_once_per_key(site: Site) -> None:
    now = site.clock.now()
    first = await site.sandbox.post("shuidian", "k1", "<p>a</p>", now)
    again = await site.sandbox.post("shuidian", "k1", "<p>a</p>", now)
    assert first == again and len(await site.sandbox.messages("shuidian")) == 1


class Held(Flaky):
    """Posts to `held` wait until released; other chats answer at once."""

    def __init__(self, held: str) -> None:
        super().__init__([])
        self.held = held
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.chats: list[str] = []

    async def post(self, chat_id: str, card: Card, key: str) -> str:
        if chat_id == self.held:
            self.started.set()
            await self.release.wait()
        self.chats.append(chat_id)
        return await super().post(chat_id, card, key)


async def test_a_slow_chat_does_not_hold_back_the_others(site: Site) -> None:
    await site.service.open(draft(category="水电"), AGENT, Source.API)
    await site.service.open(draft(category="门窗"), AGENT, Source.API)
    held = Held("shuidian")
    round_ = asyncio.create_task(site.worker({"sandbox": held}).deliver_due())
    await asyncio.wait_for(held.started.wait(), 5)
    for _ in range(100):
        if len(held.chats) == 2:
            break
        await asyncio.sleep(0.01)
    assert sorted(held.chats) == ["dispatch", "tujian"]  # 门窗 is dispatched by supervisors
    held.release.set()
    assert await round_ == 3
    assert held.chats[-1] == "shuidian"


async def test_stopping_finishes_the_card_in_hand_and_hands_back_the_rest(site: Site) -> None:
    for _ in range(3):
        await site.service.open(draft(), AGENT, Source.API)
    held = Held("shuidian")
    worker = site.worker({"sandbox": held})
    started = time.monotonic()
    async with worker.running():
        await asyncio.wait_for(held.started.wait(), 5)
        held.release.set()
    assert time.monotonic() - started < 2  # stopped at once, not after the grace period
    assert held.chats == ["shuidian"]
    assert await site.store.backlog() == 2
    leased = await site.store.lease("next", site.clock.now(), timedelta(seconds=30), 10)
    assert len(leased) == 2  # not left leased by the stopped worker


async def test_notes_reminders_and_reports_are_sent_once_each_never_collapsed(site: Site) -> None:
    number = (
        await site.service.open(draft("门窗", "单元门关不上"), AGENT, Source.API)
    ).ticket.number
    await site.worker().deliver_due()
    await site.service.send(Note("值班提醒", "今晚由李师傅值班"), "li")
    await site.service.send(Note("值班提醒", "明晚由王师傅值班"), "li")
    await site.service.send(Reminder("超过接单时限 30 分钟，仍无人接单"), Reach.SUPERVISORS, number)
    plot = Plot("按类别", ("水电",), (Series("收到", (8.0,)),))
    report = Report("本周报修", "11月23日—11月29日", (("收到", "12 单"),), plots=(plot,))
    await site.service.send(report, Reach.MANAGEMENT)
    assert await site.worker().deliver_due() == 4
    assert await site.worker().deliver_due() == 0
    notes = await site.sandbox.messages("dm-li")
    assert ["今晚" in n.html for n in notes] == [True, False] and "明晚" in notes[1].html
    card, reminder = await site.sandbox.messages("dispatch")
    assert "超过接单时限" in reminder.html and "超过接单时限" not in card.html
    assert number in reminder.html and "data-value" in reminder.html  # 派单 from the reminder
    [summary] = await site.sandbox.messages("management")
    assert "本周报修" in summary.html and "12 单" in summary.html and "chart" in summary.html


async def test_a_message_given_up_on_is_for_doctor_and_a_reminder_also_for_the_timeline(
    site: Site,
) -> None:
    number = (await site.service.open(draft(), AGENT, Source.API)).ticket.number
    await site.worker().deliver_due()
    await site.service.send(Report("本周报修", "11月23日—11月29日", ()), "li")
    await site.service.send(Reminder("超时未接单"), Reach.TEAM, number)
    gone = Flaky([DeliveryError("bot not in chat", retryable=False)] * 2)
    assert await site.worker({"sandbox": gone}).deliver_due() == 2
    failures = await site.store.failures()
    assert sorted(f.number for f in failures) == sorted(["报表", number])
    events = (await site.service.history(number)).events
    assert [e.kind for e in events].count(EventKind.DELIVERY_FAILED) == 1


async def test_a_message_names_a_real_member_and_a_reminder_its_ticket(site: Site) -> None:
    with pytest.raises(InvalidInput, match="没有这位成员"):
        await site.service.send(Note("提醒", "x"), "nobody")
    with pytest.raises(InvalidInput, match="哪张工单"):
        await site.service.send(Reminder("超时"), Reach.SUPERVISORS)
    assert await site.store.backlog() == 0
