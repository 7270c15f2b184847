"""The tickets of a period as finance and performance reviews (考核) read them: one row per
ticket, and one row per fee line.

Exports leave the system: whoever gets the file is out of reach of the audit trail. So a row
never carries the resident's name or phone (a look at those is recorded on the ticket, and an
export would be a look at thousands); the location and the description stay, as a work order
printed for the wall shows them. What is typed by residents is written as they typed it; the
file formats (`integration/export.py`) make it harmless to spreadsheets.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tickets.fees import FeeLine
from tickets.payment import PayMethod
from tickets.people import Directory
from tickets.sla_outcome import sla_outcome
from tickets.states import Status, Urgency

CENT = Decimal("0.01")
Cell = str | int | Decimal | datetime | None
"""Text, a count, yuan, or a local time without its zone (as a spreadsheet holds one)."""

TICKET_HEADERS = (
    "单号",
    "状态",
    "紧急程度",
    "报修类型",
    "位置",
    "问题描述",
    "班组",
    "接单人",
    "报修时间",
    "接单时间",
    "开始维修时间",
    "完工时间",
    "验收时间",
    "结单时间",
    "时效",
    "费用合计（元）",
    "已收（元）",
    "收款方式",
    "总体满意度",
    "响应速度",
    "服务态度",
    "返工次数",
)
FEE_LINE_HEADERS = (
    "单号",
    "项目编码",
    "项目名称",
    "单位",
    "数量",
    "单价（元）",
    "金额（元）",
    "是否免费",
)


@dataclass(frozen=True)
class ExportedTicket:
    """What an export reads of a ticket, and nothing more: storage reads these columns only,
    so the resident's name and phone never even leave the database."""

    id: int
    number: str
    status: Status
    urgency: Urgency
    category: str
    location: str
    description: str
    team_id: str
    assignee_id: str | None
    created_at: datetime
    accepted_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    confirmed_at: datetime | None
    closed_at: datetime | None
    accept_due: datetime | None
    arrive_due: datetime | None
    complete_due: datetime | None
    clock_stopped_at: datetime | None
    fee_lines: tuple[FeeLine, ...]
    fees_total_fen: int
    paid_fen: int | None
    paid_method: PayMethod | None
    rating_overall: int | None
    rating_speed: int | None
    rating_attitude: int | None
    rework_count: int


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else (Decimal(fen) / 100).quantize(CENT)


def ticket_cells(
    ticket: ExportedTicket, directory: Directory, tz: ZoneInfo, now: datetime
) -> list[Cell]:
    """The ticket's row under TICKET_HEADERS; its SLA outcome as at `now`."""

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(tz).replace(tzinfo=None) if moment else None

    team = directory.teams.get(ticket.team_id)
    return [
        ticket.number,
        ticket.status.label,
        ticket.urgency.label,
        ticket.category,
        ticket.location,
        ticket.description,
        team.name if team else ticket.team_id,
        directory.name_of(ticket.assignee_id),
        local(ticket.created_at),
        local(ticket.accepted_at),
        local(ticket.started_at),
        local(ticket.completed_at),
        local(ticket.confirmed_at),
        local(ticket.closed_at),
        sla_outcome(ticket, now).label,
        _yuan(ticket.fees_total_fen),
        _yuan(ticket.paid_fen),
        ticket.paid_method.label if ticket.paid_method else None,
        ticket.rating_overall,
        ticket.rating_speed,
        ticket.rating_attitude,
        ticket.rework_count,
    ]


def fee_line_cells(ticket: ExportedTicket) -> Sequence[list[Cell]]:
    """The ticket's fee lines under FEE_LINE_HEADERS, as they were when the job was done."""
    return [
        [
            ticket.number,
            line.code,
            line.name,
            line.unit,
            line.quantity,
            _yuan(line.price_fen),
            _yuan(line.amount_fen),
            "是" if line.free else "否",
        ]
        for line in ticket.fee_lines
    ]
