"""Exports (导出): the tickets of a period as a CSV or Excel file, for `baoxiu export` and
`GET /api/v1/tickets/export` alike. What a row holds is `tickets.ticket_export`'s; this module
reads the period and writes the file.

Memory stays flat whatever the period: tickets are read in keyset-paginated batches, oldest
first, each batch in its own short read-only transaction, and written out before the next is
read. CSV goes out batch by batch as bytes; a workbook is written by openpyxl's write-only mode
(rows go to temporary files, not memory) to a file, which is then sent or renamed into place.

- CSV: UTF-8 with its byte-order mark (Excel would take it for GBK otherwise), the ticket
  sheet only; the fee lines need the workbook's second sheet.
- XLSX: sheet 「工单」 (headers frozen, times as times, yuan as numbers) and sheet 「收费明细」,
  one row per fee line, for finance.

Text residents typed is made harmless to spreadsheets (OWASP's CSV injection advice): a cell
starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel
shows it as text instead of running it as a formula (`=HYPERLINK(…)`, `@SUM(…)`); control
characters an older intake let in are spelled out (`<U+001B>`), as the terminal shows them.
"""

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from integration.web.controls import visible
from tickets.errors import InvalidInput
from tickets.ports import TicketQuery
from tickets.service import TicketService
from tickets.stats import Period
from tickets.ticket_export import (
    FEE_LINE_HEADERS,
    TICKET_HEADERS,
    Cell,
    ExportedTicket,
    fee_line_cells,
    ticket_cells,
)

Kind = Literal["csv", "xlsx"]
KINDS: tuple[Kind, ...] = ("csv", "xlsx")
MEDIA_TYPES: dict[Kind, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BATCH = 500
"""Tickets read, and written, at a time."""
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WIDTHS = {"单号": 18, "位置": 20, "问题描述": 40, "项目名称": 20}
"""Column widths (in characters) other than the header's own; times take TIME_WIDTH."""
TIME_WIDTH = 17


def period(first: str | None, last: str | None, tz: ZoneInfo) -> Period:
    """The period typed as two dates (2026-11-01, 2026-11-30), both local days included;
    InvalidInput naming the date that is wrong."""
    start = _day(first, "from", "开始日期")
    end = _day(last, "to", "结束日期")
    if end < start:
        raise InvalidInput(f"结束日期 to（{end}）早于开始日期 from（{start}）", field="to")
    return Period.local_days(start, end, tz)


def file_name(period: Period, tz: ZoneInfo) -> str:
    """For a file: tickets-2026-11-01-2026-11-30."""
    days = period.days(tz)
    return f"tickets-{days[0]}-{days[-1]}"


def _day(text: str | None, field: str, label: str) -> date:
    if not text:
        raise InvalidInput(f"请写{label} {field}，如 2026-11-01", field=field)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or len(text) != len("2026-11-01"):
        said = f"{label} {field}「{visible(text[:40])}」不是日期，请写成 2026-11-01"
        raise InvalidInput(said, field=field)
    if not EARLIEST <= day <= LATEST:
        raise InvalidInput(f"{label} {field} 要在 {EARLIEST} 到 {LATEST} 之间", field=field)
    return day


def kind(text: str | None) -> Kind:
    """The file format asked for: csv or xlsx."""
    for known in KINDS:
        if text == known:
            return known
    said = f"格式 format 只能是 csv 或 xlsx，不是「{visible((text or '')[:40])}」"
    raise InvalidInput(said, field="format")


def neutralised(text: str) -> str:
    """`text` as a spreadsheet shows it and never runs it: see the module's docstring."""
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return visible(text)


class TicketExport:
    """One export: the tickets reported in `period` (site time), their SLA outcome as at the
    moment it began."""

    def __init__(self, service: TicketService, period: Period) -> None:
        self._service = service
        self.period = period
        self._now = service.clock.now()
        self._query = TicketQuery(created_from=period.start, created_to=period.end, limit=BATCH)

    async def count(self) -> int:
        """How many tickets the export holds: for a progress bar."""
        return await self._service.count(self._query)

    async def batches(self) -> AsyncIterator[Sequence[ExportedTicket]]:
        query = self._query
        while True:
            page = await self._service.exported(query)
            if page.items:
                yield page.items
            if page.next_after_id is None:
                return
            query = replace(query, after_id=page.next_after_id)

    def _rows(self, tickets: Iterable[ExportedTicket]) -> list[list[Cell]]:
        service = self._service
        return [ticket_cells(t, service.directory, service.tz, self._now) for t in tickets]

    async def csv(self, done: Callable[[int], None] = lambda n: None) -> AsyncIterator[bytes]:
        """The CSV file in pieces: its header, then one piece per batch. `done` hears how
        many tickets each piece held."""
        yield _csv_text([list(TICKET_HEADERS)]).encode("utf-8-sig")
        async for tickets in self.batches():
            yield _csv_text(self._rows(tickets)).encode("utf-8")
            done(len(tickets))

    async def xlsx(self, path: Path, done: Callable[[int], None] = lambda n: None) -> None:
        """Write the workbook to `path`, which the caller removes if this fails. openpyxl's
        work happens on a worker thread, so an export served by the API leaves other
        requests alone."""
        book = _Workbook()
        try:
            async for tickets in self.batches():
                rows = self._rows(tickets)
                lines = [line for t in tickets for line in fee_line_cells(t)]
                await asyncio.to_thread(book.append, rows, lines)
                done(len(tickets))
        except BaseException:
            book.save(path)  # the only way openpyxl removes its sheets' temporary files
            raise
        await asyncio.to_thread(book.save, path)


def _csv_text(rows: Iterable[Sequence[Cell]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([_csv_cell(c) for c in row] for row in rows)
    return out.getvalue()


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.isoformat(" ", "minutes")  # 2026-11-01 08:30
    if isinstance(cell, str):
        return neutralised(cell)
    return str(cell)


class _Workbook:
    """A write-only workbook of the two sheets, filled batch by batch."""

    def __init__(self) -> None:
        self._book = Workbook(write_only=True)
        self._tickets = self._sheet("工单", TICKET_HEADERS)
        self._lines = self._sheet("收费明细", FEE_LINE_HEADERS)

    def _sheet(self, title: str, headers: Sequence[str]) -> WriteOnlyWorksheet:
        sheet: WriteOnlyWorksheet = self._book.create_sheet(title)
        sheet.freeze_panes = "A2"
        for i, header in enumerate(headers, start=1):
            width = TIME_WIDTH if header.endswith("时间") else WIDTHS.get(header)
            letter = get_column_letter(i)
            dimension = sheet.column_dimensions[letter]  # type: ignore[attr-defined]  # not in the stubs
            dimension.width = width or max(8, 2 * len(header) + 2)
        bold = Font(bold=True)
        sheet.append([self._cell(sheet, header, bold) for header in headers])
        return sheet

    @staticmethod
    def _cell(sheet: WriteOnlyWorksheet, value: Cell, font: Font | None = None) -> object:
        if isinstance(value, str):
            value = neutralised(value)
        if font is None and not isinstance(value, datetime | Decimal):
            return value
        cell = WriteOnlyCell(sheet)
        cell.value = value
        if font is not None:
            cell.font = font
        if isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, Decimal):
            cell.number_format = "0.00"
        return cell

    def append(self, tickets: Iterable[Sequence[Cell]], lines: Iterable[Sequence[Cell]]) -> None:
        for sheet, rows in ((self._tickets, tickets), (self._lines, lines)):
            for row in rows:
                sheet.append([self._cell(sheet, value) for value in row])

    def save(self, path: Path) -> None:
        self._book.save(path)
