"""The work order (《工作服务单》): one finished job as the paper form's three parts.

The paper form has three copies, for engineering (the job: who, when, what was found and
done, the materials), finance (the fee lines, the total, whether and how it was paid) and the
customer (the rating, the comment, the signature). Here they are three parts of one record,
built once and drawn twice, as a printable page and as a PDF, so both always agree.

The work order is printed, filed and handed to finance, and leaves the audited system with
the paper: like a group card it masks the resident's name and phone (PIPL: finance and the
archive need neither, and whoever must call the resident reveals the number on the ticket,
where the reveal is recorded). The location stays in full: it is what the job was.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from cards.mask import mask_name, mask_phone
from tickets.fees import yuan
from tickets.model import Ticket
from tickets.payment import payment_words
from tickets.people import Directory

TITLE = "工作服务单"


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class FeeRow:
    name: str
    quantity: str
    """With its unit: 1 次, 1.5 米."""
    price: str
    """Yuan per unit, or 免费 for an item the management fee covers."""
    amount: str


@dataclass(frozen=True)
class Rating:
    label: str
    score: int

    @property
    def stars(self) -> str:
        return "★" * self.score + "☆" * (5 - self.score)


@dataclass(frozen=True)
class WorkOrder:
    site_name: str
    number: str
    ticket: tuple[Row, ...]
    """The report: what, where, who, when."""
    engineering: tuple[Row, ...]
    materials: tuple[Row, ...]
    fees: tuple[FeeRow, ...]
    total: str
    payment: str
    paid: str | None
    """Who recorded the payment, and when."""
    ratings: tuple[Rating, ...]
    """Empty until the resident rates the job."""
    comment: str | None
    signature: str | None
    """The stored image of the resident's signature, if they signed."""
    confirmed: str
    """Who confirmed the repair and when, or that nobody has."""


def work_order(ticket: Ticket, directory: Directory, tz: ZoneInfo, site_name: str) -> WorkOrder:
    def when(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "—"

    team = directory.teams.get(ticket.team_id)
    return WorkOrder(
        site_name=site_name,
        number=ticket.number,
        ticket=(
            Row("工单编号", ticket.number),
            Row("报修类型", f"{ticket.category}（{ticket.urgency.label}）"),
            Row("报修位置", ticket.location),
            Row("报修人", f"{mask_name(ticket.reporter.name)} {mask_phone(ticket.reporter.phone)}"),
            Row("问题描述", ticket.description),
            Row("报修时间", f"{when(ticket.created_at)}（{ticket.channel.label}）"),
        ),
        engineering=(
            Row("维修班组", team.name if team else ticket.team_id),
            Row("维修师傅", directory.name_of(ticket.assignee_id) or "—"),
            Row("接单时间", when(ticket.accepted_at)),
            Row("开始维修", when(ticket.started_at)),
            Row("完工时间", when(ticket.completed_at)),
            Row("检查结果", ticket.findings or "—"),
            Row("维修结果", ticket.completion_note or "—"),
            *([Row("返工次数", f"{ticket.rework_count} 次")] if ticket.rework_count else []),
        ),
        materials=tuple(
            Row(m.name, f"{m.quantity}{m.unit}（{m.supplied_by.label}）") for m in ticket.materials
        ),
        fees=tuple(
            FeeRow(
                name=line.name,
                quantity=f"{line.quantity}{line.unit}",
                price="免费" if line.free else f"{yuan(line.price_fen)}元/{line.unit}",
                amount="免费" if line.free else yuan(line.amount_fen),
            )
            for line in ticket.fee_lines
        ),
        total=f"{yuan(ticket.fees_total_fen)} 元",
        payment=payment_words(ticket),
        paid=f"{ticket.paid_by} 记录于 {when(ticket.paid_at)}" if ticket.paid_at else None,
        ratings=tuple(
            Rating(label, score)
            for label, score in (
                ("总体满意度", ticket.rating_overall),
                ("响应速度", ticket.rating_speed),
                ("服务态度", ticket.rating_attitude),
            )
            if score is not None
        ),
        comment=ticket.rating_comment,
        signature=ticket.signature,
        confirmed=f"{ticket.confirmed_by} {when(ticket.confirmed_at)}"
        if ticket.confirmed_at and ticket.confirmed_by
        else "业主未确认",
    )
