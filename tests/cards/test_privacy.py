"""Every card for every (audience, viewer) pair: the resident's full phone and name appear only
on the private card of the member who holds the ticket (PIPL), on every platform's rendering."""

from zoneinfo import ZoneInfo

import pytest

from cards.build import CardContext, ticket_card
from cards.model import Card
from cards.render_dingtalk import card_params, markdown
from cards.render_feishu import card_content
from cards.render_html import render_card
from integration.web.photos import PhotoStore
from tests.tickets.factories import make_ticket
from tickets.audience import Audience
from tickets.people import Directory
from tickets.states import Status

PHONE, NAME = "13800138000", "张三"
VIEWERS = [None, "li", "wang", "chen", "somebody-unknown"]
"""No one, the assignee (of held tickets), a teammate, the supervisor, a non-member."""


def rendered(card: Card) -> str:
    return "\n".join(
        [
            render_card(card, PhotoStore.url),
            card_content(card, {}),
            str(card_params(card, PhotoStore.url)),
            "\n".join(markdown(card, PhotoStore.url)),
        ]
    )


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_full_contact_only_on_the_holders_private_card(
    directory: Directory, status: Status, audience: Audience, viewer: str | None
) -> None:
    ticket = make_ticket(status)  # held by li from `assigned` on; nobody's while new
    ctx = CardContext(directory, ZoneInfo("Asia/Shanghai"))
    text = rendered(ticket_card(ticket, audience, ctx, viewer))
    allowed = audience is Audience.DIRECT and viewer is not None and viewer == ticket.assignee_id
    assert (PHONE in text) is allowed, (status, audience, viewer)
    assert (NAME in text) is allowed, (status, audience, viewer)
