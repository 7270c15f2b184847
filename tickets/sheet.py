"""Office sheets (排班表, 收费标准): the tables the office keeps in Excel and hands to baoxiu.

They are read as Excel saves them: CSV in UTF-8 with a byte-order mark ("CSV UTF-8") or GBK
(plain "CSV" on a Chinese Windows), trailing empty rows, extra columns (电话, 备注) left alone,
and columns found by their header, each under the names offices give it. A sheet is taken
whole or not at all: every bad row is named by the row number Excel shows (the header is
row 1), so the office fixes them all in one pass.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from tickets.errors import InvalidInput


class BadSheet(InvalidInput):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems), field="file")
        self.problems = problems


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def records(
    cells: Iterable[Sequence[str]], columns: Mapping[str, Sequence[str]], required: Sequence[str]
) -> list[tuple[int, dict[str, str]]]:
    """Each non-empty row under its Excel row number, as {column: cell} for the `columns`
    found (each known by its own name or any of its other names); raises `BadSheet` when
    the header lacks a `required` column."""
    rows = iter(cells)
    header = [cell.strip() for cell in next(rows, [])]
    if not any(header):
        raise BadSheet(["文件是空的"])
    names = {alias: column for column, aliases in columns.items() for alias in (column, *aliases)}
    found = {i: names[cell] for i, cell in enumerate(header) if cell in names}
    missing = [c for c in required if c not in found.values()]
    if missing:
        wanted = ",".join(columns)
        raise BadSheet([f"第1行缺少列：{'、'.join(missing)}（表头写成：{wanted}）"])
    numbered = []
    for number, row in enumerate(rows, start=2):
        values = {column: "" for column in columns}
        for i, cell in enumerate(row):
            if i in found:
                values[found[i]] = cell.strip()
        if any(values.values()):
            numbered.append((number, values))
    return numbered
