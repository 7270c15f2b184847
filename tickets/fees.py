"""Money and the fee schedule (维修服务项目表及收费标准): what a job may be charged, exactly.

Money is integer fen everywhere inside baoxiu and decimal yuan only where people read or
type it (`yuan`, `fen`), so fee lines add up to the fen. An item has a fixed price or a range
the technician prices within; an item covered by the management fee (`free`) is charged
nothing but still recorded, for the work order and the statistics. A fee line copies the
item's name, unit and price as they were when the job was completed: editing the schedule
later changes no finished job's lines.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from tickets.errors import InvalidInput

MAX_FEN = 10_000_000_00
"""The largest amount anything may come to: ten million yuan, far past any repair."""


def fen(text: str | Decimal, *, what: str = "金额") -> int:
    """Typed yuan (`"12.5"`, `"12.50元"`, `"¥12"`) as fen; at most two decimals, never negative."""
    cleaned = str(text).strip().removeprefix("¥").removeprefix("￥").removesuffix("元").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput(f"{what}「{text}」不是金额，写成 12 或 12.50", field="price") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(f"{what}「{text}」要写成不小于 0、最多两位小数的元数", field="price")
    value = int(amount * 100)
    if value > MAX_FEN:
        raise InvalidInput(f"{what}「{text}」太大了", field="price")
    return value


def yuan(amount: int) -> str:
    """Fen as people read money: 12.50, 1,280.00."""
    return f"{Decimal(amount) / 100:,.2f}"


def quantity(text: str | Decimal, *, what: str = "数量") -> Decimal:
    """A positive quantity with at most two decimals (1.5 米 of pipe)."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise InvalidInput(f"{what}「{text}」不是数字", field="quantity") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidInput(f"{what}「{text}」要大于 0，最多两位小数", field="quantity")
    if value > 10_000:
        raise InvalidInput(f"{what}「{text}」太大了", field="quantity")
    return value.normalize() if value == value.to_integral() else value


@dataclass(frozen=True)
class FeeItem:
    code: str
    name: str
    unit: str
    category: str | None = None
    """The category it applies to; None for any."""
    price_fen: int | None = None
    """A fixed price; None when the technician prices within `min_fen`…`max_fen`."""
    min_fen: int | None = None
    max_fen: int | None = None
    free: bool = False
    """Covered by the management fee: recorded, charged nothing."""

    @property
    def price_words(self) -> str:
        """The price as the published schedule says it."""
        if self.free:
            return "免费（物业费已含）"
        if self.price_fen is not None:
            return f"{yuan(self.price_fen)} 元/{self.unit}"
        return f"{yuan(self.min_fen or 0)}–{yuan(self.max_fen or 0)} 元/{self.unit}"


@dataclass(frozen=True)
class FeeRequest:
    """A fee line as the technician asks for it: the item, how much, and a price when the
    item is priced within a range."""

    code: str
    quantity: Decimal
    price_fen: int | None = None


@dataclass(frozen=True)
class FeeLine:
    """One line of a job's charges, as it was when the job was completed."""

    code: str
    name: str
    unit: str
    quantity: Decimal
    price_fen: int
    amount_fen: int
    free: bool = False


class SuppliedBy(StrEnum):
    RESIDENT = "resident"
    PROPERTY = "property"

    @property
    def label(self) -> str:
        return {"resident": "业主自备", "property": "物业提供"}[self.value]


@dataclass(frozen=True)
class Material:
    name: str
    quantity: Decimal
    unit: str
    supplied_by: SuppliedBy


@dataclass(frozen=True)
class FeeSchedule:
    items: Mapping[str, FeeItem]

    @classmethod
    def of(cls, items: Iterable[FeeItem]) -> "FeeSchedule":
        return cls({item.code: item for item in items})

    def for_category(self, category: str) -> list[FeeItem]:
        """What a job of `category` may be charged, in the schedule's order."""
        return [i for i in self.items.values() if i.category in (None, category)]

    def line(self, code: str, amount: Decimal, price_fen: int | None, category: str) -> FeeLine:
        """A fee line for `amount` of item `code` on a job of `category`, priced by the
        schedule, or within the item's range by the technician."""
        item = self.items.get(code)
        if item is None:
            raise InvalidInput(f"收费标准里没有项目「{code}」", field="fees")
        if item.category not in (None, category):
            raise InvalidInput(f"「{item.name}」是{item.category}的收费项目", field="fees")
        price = self._price(item, price_fen)
        amount_fen = int((amount * price).quantize(Decimal(1), ROUND_HALF_UP))
        return FeeLine(item.code, item.name, item.unit, amount, price, amount_fen, item.free)

    @staticmethod
    def _price(item: FeeItem, asked: int | None) -> int:
        if item.free:
            return 0
        if item.price_fen is not None:
            if asked is not None and asked != item.price_fen:
                said = f"「{item.name}」按标准收 {yuan(item.price_fen)} 元/{item.unit}"
                raise InvalidInput(f"{said}，不能改价", field="fees")
            return item.price_fen
        low, high = item.min_fen or 0, item.max_fen or 0
        if asked is None:
            said = f"「{item.name}」的价格在 {yuan(low)}–{yuan(high)} 元之间"
            raise InvalidInput(f"{said}，请填写实际单价", field="fees")
        if not low <= asked <= high:
            said = f"「{item.name}」只能收 {yuan(low)}–{yuan(high)} 元/{item.unit}"
            raise InvalidInput(f"{said}，{yuan(asked)} 元不在范围内", field="fees")
        return asked


def total(lines: Iterable[FeeLine]) -> int:
    """What the resident pays, in fen: free lines count nothing."""
    return sum(line.amount_fen for line in lines if not line.free)
