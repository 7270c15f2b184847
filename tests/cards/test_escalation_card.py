"""An overdue job's cards: how late it is, in red, and what the desk can do about it."""

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from cards.build import CardContext, ticket_card
from cards.messages import escalation_card
from cards.model import Card, Tone
from tests.clock import FakeClock
from tests.tickets.factories import OVERDUE, T0, make_ticket
from tickets.actions import Verb
from tickets.audience import Audience, CardAddress
from tickets.messages import Escalation
from tickets.people import Directory
from tickets.states import Status

V = Verb
ALARM = Escalation("接单已超时30分钟，仍无人接单", 2)


@pytest.fixture
def ctx(directory: Directory) -> CardContext:
    return CardContext(directory, ZoneInfo("Asia/Shanghai"), FakeClock(T0 + timedelta(hours=2)))


def to(audience: Audience, member: str | None = None) -> CardAddress:
    return CardAddress("sandbox", "chat", audience, member)


def red(card: Card) -> list[str]:
    return [n.text for n in card.notes if n.tone is Tone.RED]


def test_a_card_says_in_red_how_late_the_job_is(ctx: CardContext) -> None:
    late = make_ticket(Status.ASSIGNED, **OVERDUE)
    assert red(ticket_card(late, Audience.TEAM, ctx)) == ["到场已超时 2小时"]
    in_time = replace(late, arrive_due=T0 + timedelta(hours=3))
    assert red(ticket_card(in_time, Audience.TEAM, ctx)) == []
    stopped = make_ticket(Status.PAUSED, **OVERDUE, clock_stopped_at=T0)
    assert red(ticket_card(stopped, Audience.TEAM, ctx)) == []  # waiting for parts: no clock
    done = make_ticket(Status.COMPLETED, **OVERDUE)
    assert red(ticket_card(done, Audience.TEAM, ctx)) == []


def test_the_desk_gets_four_ways_to_act_on_an_escalation(ctx: CardContext) -> None:
    held = make_ticket(Status.ASSIGNED, **OVERDUE)
    card = escalation_card(held, ALARM, ctx, to(Audience.SUPERVISORS))
    assert [(b.label, b.value.verb) for b in card.buttons] == [
        ("改派", V.TRANSFER),
        ("联系师傅", V.CALL_TECHNICIAN),
        ("延期", V.EXTEND),
        ("我来处理", V.TAKE_OVER),
    ]
    assert red(card) == [ALARM.text]  # the heading says how late, once
    assert card.header.tone is Tone.RED
    extend = card.buttons[2]
    assert [(i.name, i.kind, i.required) for i in extend.inputs] == [
        ("minutes", "select", True),
        ("reason", "text", True),
    ]
    assert [o.label for o in extend.inputs[0].options] == [
        "30分钟",
        "1小时",
        "2小时",
        "4小时",
        "1天",
    ]
    move = card.buttons[0].inputs[0]
    assert move.name == "to" and "李师傅" not in [o.label for o in move.options]


def test_an_unclaimed_job_is_dispatched_and_has_no_technician_to_call(ctx: CardContext) -> None:
    card = escalation_card(make_ticket(**OVERDUE), ALARM, ctx, to(Audience.MANAGEMENT))
    assert [b.label for b in card.buttons] == ["改派", "延期", "我来处理"]
    assert card.buttons[0].value.verb is V.DISPATCH


def test_the_crew_is_nudged_with_the_jobs_own_buttons(ctx: CardContext) -> None:
    team = escalation_card(make_ticket(**OVERDUE), ALARM, ctx, to(Audience.TEAM))
    assert [b.value.verb for b in team.buttons] == [V.CLAIM, V.FLAG, V.REVEAL]
    held = make_ticket(Status.ASSIGNED, **OVERDUE)
    mine = escalation_card(held, ALARM, ctx, to(Audience.DIRECT, "li"))
    assert V.START in [b.value.verb for b in mine.buttons]
    assert V.TAKE_OVER not in [b.value.verb for b in mine.buttons]


def test_who_took_the_job_over_is_on_its_card(ctx: CardContext) -> None:
    taken = make_ticket(Status.ASSIGNED, handled_by="chen")
    assert "陈班长跟进中" in [n.text for n in ticket_card(taken, Audience.TEAM, ctx).notes]
