"""Payment of a job's fees (收费): how the resident paid, as finance's copy of the work order
records it. What is collected is always what the fee lines leave to pay: a different sum would
make the lines and the money disagree, so a wrong fee is corrected by redoing the job's record
(返工), never by typing another amount here.

Money received stays received: a paid job sent back as rework keeps its record (`paid_fen`,
and how, by whom and when the last sum came), and once it is completed again the record is set
against the new total: the balance is collected as a further payment, which adds to
`paid_fen`, and a lower total leaves a sum to refund. The ticket names one method, the last
one's; the timeline keeps each payment with its own amount and method."""

from enum import StrEnum
from typing import TYPE_CHECKING

from tickets.fees import yuan

if TYPE_CHECKING:  # the ticket holds a PayMethod
    from tickets.model import Ticket


class PayMethod(StrEnum):
    CASH = "cash"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    TRANSFER = "transfer"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    PayMethod.CASH: "现金",
    PayMethod.WECHAT: "微信",
    PayMethod.ALIPAY: "支付宝",
    PayMethod.TRANSFER: "转账",
}


def owed(ticket: "Ticket") -> int:
    """What is still to collect, in fen."""
    return max(0, ticket.fees_total_fen - (ticket.paid_fen or 0))


def payment_words(ticket: "Ticket") -> str:
    """已收费 110.50 元（微信）, 免费 or 未收费, as cards and the work order say it; after a
    rework, what was received beside the new total: 已收 110.00 元（微信），还需收 40.00 元,
    or 应退 40.00 元."""
    if ticket.paid_method is None or ticket.paid_fen is None:
        return "免费" if ticket.fees_total_fen == 0 else "未收费"
    received = f"{yuan(ticket.paid_fen)} 元（{ticket.paid_method.label}）"
    if ticket.completed_at is None:  # done again: the new total is not known yet
        return f"已收 {received}"
    if ticket.paid_fen == ticket.fees_total_fen:
        return f"已收费 {received}"
    if ticket.paid_fen < ticket.fees_total_fen:
        return f"已收 {received}，还需收 {yuan(owed(ticket))} 元"
    return f"已收 {received}，应退 {yuan(ticket.paid_fen - ticket.fees_total_fen)} 元"
