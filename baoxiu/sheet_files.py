"""Office sheets on disk: the CSV or Excel workbook the office hands over, and the one we hand
back. What the rows mean is the core's (`tickets.sheet` and the sheets built on it); this
module only turns a file into rows of text and rows into a file.

An Excel cell holds a number as a binary float, but what the office typed had at most a few
decimals: the shortest text that reads back as the same float (`repr`) is that, so 12.5 comes
back as "12.5", never 12.4999…. Numbers are written as decimals, which Excel shows as typed.
"""

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from tickets.sheet import BadSheet, csv_cells, decode

Format = Literal["csv", "xlsx"]
Cell = str | Decimal
EXCEL = (".xlsx", ".xlsm")


def read_cells(path: Path) -> list[list[str]]:
    """The rows of a CSV file or of an Excel workbook's first sheet."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise BadSheet(["不支持旧版 Excel（.xls）：请在 Excel 里另存为 .xlsx 或 CSV"])
    if suffix in EXCEL:
        return _workbook(path.read_bytes())
    return csv_cells(decode(path.read_bytes()))


def write_cells(rows: Sequence[Sequence[Cell]], kind: Format) -> bytes:
    """The rows as a file Excel opens as they are: CSV in UTF-8 with its byte-order mark (so
    Excel does not take it for GBK), or a workbook."""
    if kind == "csv":
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerows(rows)
        return text.getvalue().encode("utf-8-sig")
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    for row in rows:
        sheet.append(list(row))
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _workbook(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise BadSheet(["不是能打开的 Excel 文件（.xlsx）；也可以另存为 CSV 再导入"]) from None
    try:
        sheet = book.worksheets[0]
        return [[_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()
