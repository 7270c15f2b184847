"""Writing an imported fee schedule into the config file, the schedule's one source.

Only `[[fees.items]]` changes: tomlkit keeps every other line, comment and blank line as the
administrator wrote them. The new file is checked as `baoxiu serve` would load it before it
replaces the old one (atomically, beside it), so a schedule that the rest of the config
refuses never lands, and a crash mid-write leaves the old file whole.
"""

import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import tomlkit
from tomlkit.items import AoT, Table

from baoxiu.config import PlatformFields, load
from tickets.fees import FeeItem


def write_schedule(
    path: Path, items: Sequence[FeeItem], platforms: Sequence[PlatformFields]
) -> int:
    """Replace the file's items with `items`; how many it held before."""
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    fees = document.get("fees")
    if fees is None:
        fees = tomlkit.table(is_super_table=True)
        document.append("fees", fees)
    before = len(fees.get("items", []))
    tables = [_table(item) for item in items]
    if tables and list(document)[-1] != "fees":
        tables[-1].add(tomlkit.nl())  # a blank line before the table that follows
    fees["items"] = AoT(tables)
    draft = path.with_name(f".{path.name}.importing")
    try:
        draft.write_text(tomlkit.dumps(document), encoding="utf-8")
        load(draft, platforms)
        os.replace(draft, path)
    finally:
        draft.unlink(missing_ok=True)
    return before


def _table(item: FeeItem) -> Table:
    table = tomlkit.table()
    table.add("code", item.code)
    table.add("name", item.name)
    if item.category is not None:
        table.add("category", item.category)
    table.add("unit", item.unit)
    for key, amount in (
        ("price", item.price_fen),
        ("min_price", item.min_fen),
        ("max_price", item.max_fen),
    ):
        if amount is not None:
            table.add(key, _yuan(amount))
    if item.free:
        table.add("free", True)
    return table


def _yuan(amount: int) -> int | float:
    """Fen as a TOML number of yuan: 30, or 12.5 (a float whose shortest spelling, the one
    TOML writes and the config reads back into a Decimal, is exactly the typed amount)."""
    value = Decimal(amount).scaleb(-2)
    return int(value) if value == value.to_integral() else float(value)
