"""Payment of a job's fees (收费): how the resident paid, as finance's copy of the work order
records it. The amount is always the job's total from its fee lines: a different sum would
make the lines and the money disagree, so a wrong fee is corrected by redoing the job's
record (返工), never by typing another amount here."""

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
    return 0 if ticket.paid_method is not None else ticket.fees_total_fen


def payment_words(ticket: "Ticket") -> str:
    """已收费 110.50 元（微信）, 免费 or 未收费, as cards and the work order say it."""
    if ticket.paid_method is not None and ticket.paid_fen is not None:
        return f"已收费 {yuan(ticket.paid_fen)} 元（{ticket.paid_method.label}）"
    return "免费" if ticket.fees_total_fen == 0 else "未收费"
