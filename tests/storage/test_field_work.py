"""Completing a job on real databases: the technician's record, priced by the schedule to
the fen, kept as it was; what the schedule does not allow is refused and nothing stored."""

from decimal import Decimal

import pytest

from cards.build import CardContext, ticket_card
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.audience import Audience
from tickets.errors import InvalidInput
from tickets.events import Completed
from tickets.fees import FeeRequest, Material, SuppliedBy
from tickets.model import Actor
from tickets.service import TicketService
from tickets.states import Source, Status

LI = Actor.member("li")
PIPE = Material("PPR三通", Decimal("2"), "个", SuppliedBy.RESIDENT)


async def started(service: TicketService) -> str:
    number = (await service.open(draft(), AGENT, Source.API)).ticket.number
    for verb in (Verb.CLAIM, Verb.START):
        await service.act(number, Command(verb, LI), Source.API)
    return number


def completing(*fees: FeeRequest, findings: str | None = "三通开裂漏水") -> Command:
    return Command(
        Verb.COMPLETE,
        LI,
        findings=findings,
        note="更换三通，疏通下水",
        fees=fees,
        materials=(PIPE,),
        photos=("after-1.jpg",),
    )


async def test_a_job_is_completed_with_its_fee_lines_and_materials(
    service: TicketService,
) -> None:
    number = await started(service)
    fees = (FeeRequest("SD-01", Decimal("1")), FeeRequest("SD-02", Decimal("1"), 8050))
    await service.act(number, completing(*fees), Source.API)
    ticket = (await service.history(number)).ticket  # read back from the database
    assert ticket.status is Status.COMPLETED and ticket.findings == "三通开裂漏水"
    assert [(f.code, f.name, f.quantity, f.price_fen, f.amount_fen) for f in ticket.fee_lines] == [
        ("SD-01", "更换水龙头", Decimal("1"), 3000, 3000),
        ("SD-02", "疏通下水道", Decimal("1"), 8050, 8050),
    ]
    assert ticket.fees_total_fen == 11050
    assert ticket.materials == (PIPE,) and ticket.photos_after == ("after-1.jpg",)
    card = ticket_card(ticket, Audience.TEAM, CardContext(service.directory, service.tz))
    shown = {f.label: f.value for f in card.fields}
    assert shown["检查结果"] == "三通开裂漏水" and shown["维修结果"] == "更换三通，疏通下水"
    assert shown["费用"] == "更换水龙头 1个 30.00 元；疏通下水道 1次 80.50 元；合计 110.50 元"
    assert shown["材料"] == "PPR三通 2个（业主自备）"
    event = (await service.history(number)).events[-1]
    assert isinstance(event.details, Completed) and event.details.fees_total_fen == 11050


@pytest.mark.parametrize(
    ("fees", "findings", "said"),
    [
        ((FeeRequest("SD-02", Decimal("1"), 20000),), "堵塞", "只能收 50.00–150.00 元/次"),
        ((FeeRequest("XX-99", Decimal("1")),), "堵塞", "收费标准里没有项目「XX-99」"),
        ((FeeRequest("MC-01", Decimal("1")),), "堵塞", "「更换门锁」是门窗的收费项目"),
        ((FeeRequest("SD-02", Decimal("1")),), "堵塞", "请填写实际单价"),
        ((), None, "请填写检查结果"),
    ],
)
async def test_what_the_schedule_does_not_allow_is_refused_and_nothing_stored(
    service: TicketService, fees: tuple[FeeRequest, ...], findings: str | None, said: str
) -> None:
    number = await started(service)
    before = (await service.history(number)).ticket
    with pytest.raises(InvalidInput, match=said):
        await service.act(number, completing(*fees, findings=findings), Source.API)
    after = await service.history(number)
    assert after.ticket == before and after.events[-1].kind == "start"


async def test_a_rework_is_recorded_again(service: TicketService) -> None:
    number = await started(service)
    await service.act(number, completing(FeeRequest("SD-01", Decimal("2"))), Source.API)
    reopen = Command(Verb.REOPEN, AGENT, reason="仍然漏水")
    redone = (await service.act(number, reopen, Source.API)).ticket
    assert (redone.findings, redone.fee_lines, redone.fees_total_fen) == (None, (), 0)
