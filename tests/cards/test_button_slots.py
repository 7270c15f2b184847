"""No card offers more buttons than DingTalk's template shows (six), and no renderer drops
one: every ticket card, for every state, audience and reader, of tickets as they really are
(charged and unpaid, a price waiting for consent, under review, hurried, overdue, a visit
due), and every reminder, escalation and visit card made of them."""

import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cards.build import CardContext, ticket_card
from cards.messages import escalation_card, reminder_card, visit_card
from cards.model import ActionValue, Card
from cards.render_dingtalk import card_params, template
from cards.render_feishu import card_content
from tests.cards.test_render_feishu import callback, tagged
from tests.fakes.feishu_cards import validate_card
from tests.tickets.factories import OVERDUE, T0, make_ticket
from tickets.audience import Audience, CardAddress
from tickets.fees import FeeLine
from tickets.messages import Escalation, Reminder, Visit
from tickets.model import Ticket
from tickets.people import Directory
from tickets.states import Review, Status

SLOTS = template()["slots"]["buttons"]
LINE = FeeLine("SD-02", "疏通下水", "次", Decimal(1), 11050, 11050)
SITUATIONS: dict[str, dict[str, object]] = {
    "plain": {},
    "charged": {"completed_at": T0, "fee_lines": (LINE,), "fees_total_fen": 11050},
    "price waiting": {"quoted_fen": 8000, "quote_pending_fen": 18000},
    "under review": {"review": Review.PENDING, "review_reason": "业主自购电器"},
    "hurried and overdue": {**OVERDUE, "hurry_count": 2, "appointment_at": T0 + timedelta(1)},
    "visit due": {"visit_attempt": 1, "fees_total_fen": 11050, "completed_at": T0},
    "possible duplicate": {"possible_duplicate_of": "BX20261128-0001"},
    "duplicate under review": {
        "possible_duplicate_of": "BX20261128-0001",
        "review": Review.PENDING,
        "review_reason": "业主自购电器",
    },
}
READERS: dict[Audience, tuple[str | None, ...]] = {
    Audience.DIRECT: ("li", "wang", "zhao"),  # the assignee, a teammate, another team's
}


@pytest.fixture
def ctx(directory: Directory) -> CardContext:
    return CardContext(directory, ZoneInfo("Asia/Shanghai"))


def tickets() -> Iterator[Ticket]:
    for status in Status:
        for team in ("shuidian", "tujian", "dianti"):
            for changes in SITUATIONS.values():
                yield make_ticket(status, team=team, **changes)


def cards(ctx: CardContext) -> Iterator[tuple[str, Card]]:
    for ticket in tickets():
        name = f"{ticket.status} {ticket.team_id}"
        for audience in Audience:
            for reader in READERS.get(audience, (None,)):
                address = CardAddress("dingtalk", "cid", audience, reader)
                yield f"{name} {audience} {reader}", ticket_card(ticket, audience, ctx, reader)
                reminder = Reminder("超过接单时限 30 分钟，仍无人接单")
                yield f"reminder {name} {audience}", reminder_card(ticket, reminder, ctx, address)
                overdue = Escalation("到场已超时30分钟", 1)
                yield (
                    f"escalation {name} {audience}",
                    escalation_card(ticket, overdue, ctx, address),
                )
                yield f"visit {name} {audience}", visit_card(ticket, Visit(1), ctx, address)


def test_no_card_has_more_buttons_than_dingtalk_shows(ctx: CardContext) -> None:
    crowded = {name: len(card.buttons) for name, card in cards(ctx) if len(card.buttons) > SLOTS}
    assert crowded == {}
    fullest = max(len(card.buttons) for _, card in cards(ctx))
    assert fullest == SLOTS  # the busiest card uses every slot: the check above is not idle


def test_every_button_reaches_the_platforms(ctx: CardContext) -> None:
    """DingTalk fills a slot per button, in order, and Feishu's card carries each one; the
    forms' pickers (收费's method beside 确认完成's agreement) fit the template too."""
    for name, card in cards(ctx):
        params = card_params(card, lambda photo: f"https://baoxiu.example.com/media/{photo}")
        shown = [params[f"b{i}_action"] for i in range(1, SLOTS + 1) if params[f"b{i}_label"]]
        values = [ActionValue.from_dict(json.loads(action)) for action in shown]
        assert values == [b.value for b in card.buttons], name
        feishu = json.loads(card_content(card, {}))
        assert validate_card(feishu) == [], (name, validate_card(feishu))
        clicks = [callback(b) for b in tagged(feishu, "button")]
        assert all(b.value.to_dict() in clicks for b in card.buttons), name
