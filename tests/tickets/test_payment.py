"""Money received stays received: a paid job sent back as rework and completed again with
other fees keeps its payment, and says what is still to collect or to refund."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.tickets.factories import T0, ctx, make_ticket
from tickets.actions import Command, Verb
from tickets.errors import InvalidInput
from tickets.events import EventKind, Paid
from tickets.fees import FeeItem, FeeRequest, FeeSchedule
from tickets.machine import Context, decide
from tickets.model import Actor, Event, Ticket
from tickets.payment import PayMethod, owed, payment_words
from tickets.people import Directory
from tickets.states import Status
from tickets.words import describe

V = Verb
LI, LIN = Actor.member("li"), Actor.member("lin")
SCHEDULE = FeeSchedule.of([FeeItem("A02", "疏通下水道", "次", "水电", min_fen=5000, max_fen=20000)])


class Job:
    """One ticket through the core, its timeline kept, each step an hour after the last."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.ticket = make_ticket(Status.IN_PROGRESS)
        self.events: list[Event] = []

    def act(self, command: Command) -> Ticket:
        at = T0 + timedelta(hours=len(self.events) + 1)
        context: Context = replace(ctx(self.directory), now=at, fees=SCHEDULE)
        step = decide(self.ticket, command, context)
        self.ticket, self.events = step.ticket, [*self.events, step.event]
        return self.ticket

    def complete(self, yuan: int) -> Ticket:
        fee = FeeRequest("A02", Decimal(1), yuan * 100)
        return self.act(Command(V.COMPLETE, LI, findings="存水弯堵塞", fees=(fee,)))

    def rework(self) -> Ticket:
        self.act(Command(V.REOPEN, LIN, reason="业主说还是堵"))
        self.act(Command(V.START, LI))
        return self.ticket

    def pay(self, method: PayMethod, reason: str | None = None) -> Ticket:
        return self.act(Command(V.PAY, LIN, method=method, reason=reason))


@pytest.fixture
def job(directory: Directory) -> Job:
    return Job(directory)


def test_a_paid_rework_keeps_the_payment_and_collects_only_the_balance(job: Job) -> None:
    job.complete(110)
    paid = job.pay(PayMethod.WECHAT)
    record = (paid.paid_fen, paid.paid_method, paid.paid_by, paid.paid_at)
    assert record[0] == 11000 and payment_words(paid) == "已收费 110.00 元（微信）"

    redoing = job.rework()
    assert (redoing.paid_fen, redoing.paid_method, redoing.paid_by, redoing.paid_at) == record
    assert payment_words(redoing) == "已收 110.00 元（微信）"  # the new total is not known yet
    assert owed(redoing) == 0

    again = job.complete(150)
    assert (again.paid_fen, again.paid_method, again.paid_by, again.paid_at) == record
    assert payment_words(again) == "已收 110.00 元（微信），还需收 40.00 元"
    assert owed(again) == 4000

    settled = job.pay(PayMethod.WECHAT)
    assert (settled.paid_fen, settled.paid_by) == (15000, "林客服")
    assert payment_words(settled) == "已收费 150.00 元（微信）" and owed(settled) == 0
    payments = [e for e in job.events if e.kind is EventKind.PAID]
    assert [e.details for e in payments] == [Paid("wechat", 11000), Paid("wechat", 4000)]
    assert [describe(e).title for e in payments] == [
        "林客服记录收费 110.00 元（微信）",
        "林客服记录收费 40.00 元（微信）",
    ]


def test_a_lower_total_after_a_rework_says_what_to_refund(job: Job) -> None:
    job.complete(150)
    job.pay(PayMethod.WECHAT)
    job.rework()
    lower = job.complete(110)
    assert (lower.paid_fen, lower.paid_method) == (15000, PayMethod.WECHAT)
    assert payment_words(lower) == "已收 150.00 元（微信），应退 40.00 元"
    assert owed(lower) == 0
    with pytest.raises(InvalidInput) as refused:
        job.pay(PayMethod.CASH)
    assert "林客服已记录收费 150.00 元（微信）；如需更正" in refused.value.message
    corrected = job.pay(PayMethod.CASH, reason="其实是现金")
    assert (corrected.paid_fen, corrected.paid_method) == (15000, PayMethod.CASH)
    assert payment_words(corrected) == "已收 150.00 元（现金），应退 40.00 元"
    assert job.events[-1].details == Paid("cash", 15000, "其实是现金")


def test_the_same_total_again_is_still_paid(job: Job) -> None:
    job.complete(110)
    job.pay(PayMethod.ALIPAY)
    job.rework()
    same = job.complete(110)
    assert payment_words(same) == "已收费 110.00 元（支付宝）" and owed(same) == 0
