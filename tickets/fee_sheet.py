"""The fee schedule as the office keeps it (收费标准表): the sheet `baoxiu fees import` reads
and `baoxiu fees export` writes.

One row per item, columns found by their header (the first name is what export writes):
编码 (项目编码, 编号), 项目名称 (名称, 服务项目), 类别 (报修类型, 分类; empty, 通用 or 全部
for any category), 单位 (计量单位; empty means 次), 单价 (价格, 收费标准) for a fixed price, or
最低价 and 最高价 for a range, and 是否免费 (免费: 是, 否 or empty) for items the management fee
covers, which carry no price. Prices are yuan as people type them (30, 12.5, ¥1,280.00).
Export writes exactly these columns, so an exported sheet imports back to the same schedule.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from tickets.errors import InvalidInput
from tickets.fees import FeeItem, fen
from tickets.sheet import BadSheet, records

COLUMNS: Mapping[str, tuple[str, ...]] = {
    "编码": ("项目编码", "编号", "代码"),
    "项目名称": ("名称", "项目", "服务项目"),
    "类别": ("报修类型", "分类", "类型"),
    "单位": ("计量单位",),
    "单价": ("价格", "收费标准", "收费"),
    "最低价": ("最低价格", "最低"),
    "最高价": ("最高价格", "最高"),
    "是否免费": ("免费",),
}
REQUIRED = ("编码", "项目名称")
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
"""What a technician types to name an item: letters, digits, `-`, `_` and `.`."""
MAX_TEXT = 64
ANY = ("", "通用", "全部", "不限")
YES = ("是", "免费", "y", "yes", "true", "1", "√")
NO = ("否", "收费", "n", "no", "false", "0", "")


def read_fees(cells: Iterable[Sequence[str]], categories: Iterable[str]) -> list[FeeItem]:
    """The items of the sheet, in its order; raises `BadSheet` with every problem found."""
    served = list(categories)
    problems: list[str] = []
    items: list[FeeItem] = []
    seen: dict[str, int] = {}
    for number, values in records(cells, COLUMNS, REQUIRED):
        said: list[str] = []
        item = _item(values, served, said)
        code = values["编码"]
        if code and code in seen:
            said.append(f"编码「{code}」与第{seen[code]}行重复")
        seen.setdefault(code, number)
        problems += [f"第{number}行：{problem}" for problem in said]
        if item is not None and not said:
            items.append(item)
    if problems:
        raise BadSheet(problems)
    if not items:
        raise BadSheet(["文件里没有收费项目"])
    return items


def fee_rows(items: Iterable[FeeItem]) -> list[list[str | Decimal]]:
    """The sheet of `items`, header first; prices as yuan numbers (30.00)."""
    rows: list[list[str | Decimal]] = [list(COLUMNS)]
    for i in items:
        prices = [_typed(i.price_fen), _typed(i.min_fen), _typed(i.max_fen)]
        rows.append([i.code, i.name, i.category or "", i.unit, *prices, "是" if i.free else "否"])
    return rows


def _typed(amount: int | None) -> str | Decimal:
    return "" if amount is None else Decimal(amount).scaleb(-2)


def _item(values: Mapping[str, str], served: list[str], said: list[str]) -> FeeItem | None:
    """The row's item, or None with what is wrong with it added to `said`."""
    code = values["编码"]
    if not code:
        said.append("缺少编码")
    elif not CODE.fullmatch(code):
        said.append(f"编码「{code}」只能用字母、数字和 - _ .，最长 32 个字符")
    name = _text(values["项目名称"], "项目名称", said)
    unit = _text(values["单位"] or "次", "单位", said)
    category: str | None = values["类别"]
    if category in ANY:
        category = None
    elif category not in served:
        said.append(f"没有班组负责类别「{category}」（有：{'、'.join(served)}；空着表示通用）")
    free = _free(values["是否免费"], said)
    prices = {c: _money(values[c], c, said) for c in ("单价", "最低价", "最高价")}
    price, low, high = prices["单价"], prices["最低价"], prices["最高价"]
    given = [c for c in ("单价", "最低价", "最高价") if values[c]]
    if free and given:
        said.append(f"免费项目不收费，{'、'.join(given)}要空着")
    elif free is False and not given:
        said.append("缺少单价（或最低价和最高价）；物业费已含的项目在是否免费填“是”")
    elif values["单价"] and (values["最低价"] or values["最高价"]):
        said.append("单价和最低价/最高价只能填一种：固定价填单价，按情况定价填最低价和最高价")
    elif not values["单价"] and bool(values["最低价"]) != bool(values["最高价"]):
        said.append("最低价和最高价要一起填")
    elif low is not None and high is not None and low > high:
        said.append(f"最低价 {values['最低价']} 高于最高价 {values['最高价']}")
    if said or free is None or name is None or unit is None:
        return None
    return FeeItem(code, name, unit, category, price, low, high, free)


def _text(cell: str, label: str, said: list[str]) -> str | None:
    if not cell:
        said.append(f"缺少{label}")
        return None
    if len(cell) > MAX_TEXT:
        said.append(f"{label}太长了，最多 {MAX_TEXT} 个字")
        return None
    return cell


def _free(cell: str, said: list[str]) -> bool | None:
    word = cell.lower()
    if word in YES:
        return True
    if word in NO:
        return False
    said.append(f"是否免费「{cell}」请写“是”或“否”")
    return None


def _money(cell: str, label: str, said: list[str]) -> int | None:
    if not cell:
        return None
    try:
        return fen(cell.replace(",", ""), what=label)
    except InvalidInput as error:
        said.append(str(error))
        return None
