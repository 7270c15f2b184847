"""Out of the catalogue and extra cost found on site, on real databases: a flagged report
waits for the supervisor, a declined one tells the resident why; a price above what the
resident agreed to needs their consent before the job can be completed."""

from decimal import Decimal

import pytest

from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.errors import IllegalTransition, InvalidInput
from tickets.fees import FeeRequest
from tickets.model import RESIDENT, Actor
from tickets.service import TicketService
from tickets.states import Decision, Review, Source, Status
from tickets.words import for_resident

LI, WANG, CHEN = Actor.member("li"), Actor.member("wang"), Actor.member("chen")


async def test_a_report_outside_the_catalogue_waits_and_is_declined_with_a_reason(
    service: TicketService,
) -> None:
    number = (await service.open(draft(), AGENT, Source.API)).ticket.number
    flag = Command(Verb.FLAG, WANG, reason="业主自购热水器，在厂家保修期内")
    flagged = (await service.act(number, flag, Source.API)).ticket
    assert flagged.review is Review.PENDING
    with pytest.raises(IllegalTransition, match="在等班组长审核是否属于服务范围"):
        await service.act(number, Command(Verb.CLAIM, LI), Source.API)
    with pytest.raises(InvalidInput, match="不属于服务范围的原因"):
        await service.act(number, Command(Verb.REVIEW, CHEN, decision=Decision.DECLINE), Source.API)
    said = "热水器在厂家保修期内，请联系厂家售后：400-000-0000"
    decline = Command(Verb.REVIEW, CHEN, decision=Decision.DECLINE, reason=said)
    declined = (await service.act(number, decline, Source.API)).ticket
    assert (declined.status, declined.review, declined.cancel_reason) == (
        Status.CANCELLED,
        Review.DECLINED,
        said,
    )
    shown = [for_resident(e) for e in (await service.public_history(declined.public_token)).events]
    assert any(
        w is not None and w.detail == f"原因：{said}" for w in shown
    )  # the resident reads it
    assert all(w is None or "保修期内，在" not in str(w) for w in shown[:-1])  # not the flag


async def test_an_approved_report_is_worked_as_any_other(service: TicketService) -> None:
    number = (await service.open(draft(), AGENT, Source.API)).ticket.number
    await service.act(number, Command(Verb.FLAG, WANG, reason="像是业主私改管道"), Source.API)
    approve = Command(Verb.REVIEW, CHEN, decision=Decision.APPROVE)
    assert (await service.act(number, approve, Source.API)).ticket.review is Review.APPROVED
    claimed = (await service.act(number, Command(Verb.CLAIM, LI), Source.API)).ticket
    assert claimed.status is Status.ASSIGNED


async def started(service: TicketService) -> str:
    number = (await service.open(draft(), AGENT, Source.API)).ticket.number
    for verb in (Verb.CLAIM, Verb.START):
        await service.act(number, Command(verb, LI), Source.API)
    return number


def complete(*fees: FeeRequest) -> Command:
    return Command(Verb.COMPLETE, LI, findings="下水管堵塞", fees=fees)


async def test_extra_cost_without_consent_is_refused_and_nothing_stored(
    service: TicketService,
) -> None:
    number = await started(service)
    await service.act(number, Command(Verb.QUOTE, LI, amount_fen=8000), Source.API)
    raised = Command(Verb.QUOTE, LI, amount_fen=15000, reason="管道内有异物，需拆管")
    pending = (await service.act(number, raised, Source.API)).ticket
    assert (pending.quoted_fen, pending.quote_pending_fen) == (8000, 15000)
    more = FeeRequest("SD-02", Decimal("1"), 15000)
    before = (await service.history(number)).ticket
    with pytest.raises(InvalidInput, match=r"报价 150\.00 元还没有业主同意"):
        await service.act(number, complete(more), Source.API)
    assert (await service.history(number)).ticket == before  # nothing changed

    token = before.public_token
    agreed = await service.act_as_resident(token, Command(Verb.CONSENT, RESIDENT), Source.WEB)
    assert (agreed.ticket.quoted_fen, agreed.ticket.quote_pending_fen) == (15000, None)
    assert agreed.event is not None and agreed.event.details.agreed == "page"  # type: ignore[union-attr]
    done = (await service.act(number, complete(more), Source.API)).ticket
    assert (done.status, done.fees_total_fen) == (Status.COMPLETED, 15000)


async def test_a_price_above_what_was_agreed_is_refused(service: TicketService) -> None:
    number = await started(service)
    await service.act(number, Command(Verb.QUOTE, LI, amount_fen=8000), Source.API)
    with pytest.raises(InvalidInput, match=r"费用 120\.00 元超过业主同意的 80\.00 元"):
        await service.act(number, complete(FeeRequest("SD-02", Decimal("1"), 12000)), Source.API)
    raised = Command(Verb.QUOTE, LI, amount_fen=12000)
    await service.act(number, raised, Source.API)
    phoned = await service.act(number, Command(Verb.CONSENT, AGENT), Source.API)
    assert phoned.event is not None and phoned.event.details.agreed == "phone"  # type: ignore[union-attr]
    done = await service.act(number, complete(FeeRequest("SD-02", Decimal("1"), 12000)), Source.API)
    assert done.ticket.fees_total_fen == 12000
