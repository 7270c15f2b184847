"""Money in fen and the fee schedule's rules: exact sums, prices within range, clear refusals."""

from decimal import Decimal

import pytest

from tickets.errors import InvalidInput
from tickets.fees import FeeItem, FeeSchedule, fen, quantity, total, yuan

SCHEDULE = FeeSchedule.of(
    [
        FeeItem("A01", "更换水龙头", "个", "水电", price_fen=3000),
        FeeItem("A02", "疏通下水道", "次", "水电", min_fen=5000, max_fen=15000),
        FeeItem("A03", "更换PPR管", "米", None, price_fen=1250),
        FeeItem("B01", "公共区域照明", "次", None, free=True),
        FeeItem("C01", "更换门锁", "把", "门窗", price_fen=8000),
    ]
)


def test_money_is_fen_inside_and_yuan_outside() -> None:
    assert [fen(t) for t in ("12", "12.5", "12.50元", "¥0.01", "0")] == [1200, 1250, 1250, 1, 0]
    assert yuan(128000) == "1,280.00" and yuan(5) == "0.05"
    for bad in ("-1", "1.234", "十元", "NaN", "1e12"):
        with pytest.raises(InvalidInput):
            fen(bad)


def test_lines_add_up_exactly_in_fen() -> None:
    lines = [
        SCHEDULE.line("A03", quantity("1.5"), None, "水电"),  # 18.75
        SCHEDULE.line("A02", quantity("1"), 8050, "水电"),
        SCHEDULE.line("B01", quantity("1"), None, "水电"),
    ]
    assert [line.amount_fen for line in lines] == [1875, 8050, 0]
    assert total(lines) == 9925 and lines[0].quantity == Decimal("1.5")
    assert sum(fen("0.1") for _ in range(3)) == fen("0.3")  # where floats would not


@pytest.mark.parametrize(
    ("code", "amount", "price", "said"),
    [
        ("Z99", "1", None, "收费标准里没有项目「Z99」"),
        ("C01", "1", None, "「更换门锁」是门窗的收费项目"),
        ("A02", "1", 20000, "「疏通下水道」只能收 50.00–150.00 元/次，200.00 元不在范围内"),
        ("A02", "1", None, "请填写实际单价"),
        ("A01", "1", 2500, "「更换水龙头」按标准收 30.00 元/个，不能改价"),
    ],
)
def test_a_line_the_schedule_does_not_allow_is_refused_by_name(
    code: str, amount: str, price: int | None, said: str
) -> None:
    with pytest.raises(InvalidInput, match=said):
        SCHEDULE.line(code, quantity(amount), price, "水电")


def test_quantities_are_positive_with_two_decimals_at_most() -> None:
    assert quantity("2") == Decimal("2") and quantity("0.25") == Decimal("0.25")
    for bad in ("0", "-1", "1.234", "两个", "100000"):
        with pytest.raises(InvalidInput):
            quantity(bad)


def test_the_schedule_names_what_a_category_may_be_charged() -> None:
    assert [i.code for i in SCHEDULE.for_category("水电")] == ["A01", "A02", "A03", "B01"]
    words = [i.price_words for i in SCHEDULE.items.values()]
    assert words[:4] == ["30.00 元/个", "50.00–150.00 元/次", "12.50 元/米", "免费（物业费已含）"]
