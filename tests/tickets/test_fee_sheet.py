"""The office's fee sheet: read with its Chinese headers, every bad row named by its number."""

import pytest

from tickets.fee_sheet import fee_rows, read_fees
from tickets.fees import FeeItem
from tickets.sheet import BadSheet, csv_cells

CATEGORIES = ["水电", "门窗", "电梯"]
HEADER = "编码,项目名称,类别,单位,单价,最低价,最高价,是否免费,备注\n"


def read(text: str) -> list[FeeItem]:
    return read_fees(csv_cells(text), CATEGORIES)


def test_a_schedule_is_read_with_its_prices_in_fen() -> None:
    text = (
        HEADER
        + "SD-01,更换水龙头,水电,个,30,,,否,不含材料\n"
        + 'SD-02,疏通下水道,水电,次,,50,"¥1,280.00",,\n'
        + ",,,,,,,,\n"  # Excel's empty rows
        + "SD-03, 更换灯泡 ,水电,个,12.5元,,,,\n"
        + "TY-01,上门检查,通用,,,,,是,\n"
        + "DT-01,电梯困人救援,电梯,次,,,,免费,\n"
    )
    assert read(text) == [
        FeeItem("SD-01", "更换水龙头", "个", "水电", price_fen=3000),
        FeeItem("SD-02", "疏通下水道", "次", "水电", min_fen=5000, max_fen=128000),
        FeeItem("SD-03", "更换灯泡", "个", "水电", price_fen=1250),
        FeeItem("TY-01", "上门检查", "次", None, free=True),
        FeeItem("DT-01", "电梯困人救援", "次", "电梯", free=True),
    ]


def test_headers_may_use_the_names_offices_give_them() -> None:
    text = "项目编码,服务项目,报修类型,计量单位,收费标准\nMC-01,更换门锁,门窗,把,50\n"
    assert read(text) == [FeeItem("MC-01", "更换门锁", "把", "门窗", price_fen=5000)]


def test_every_bad_row_is_named_by_its_row_number() -> None:
    text = (
        HEADER
        + "SD-01,更换水龙头,水电,个,30,,,,\n"  # row 2 is good
        + "SD-01,更换角阀,水电,个,25,,,,\n"
        + "绿化 1,修剪,绿化,次,20,,,,\n"
        + "SD-04,疏通,水电,次,,50,,,\n"
        + "SD-05,疏通,水电,次,,150,50,,\n"
        + "SD-06,检修,水电,次,30,20,40,,\n"
        + "SD-07,照明,水电,次,10,,,是,\n"
        + "SD-08,,水电,次,,,,,\n"
        + "SD-09,换灯,水电,个,12.345,,,也许,\n"
        + "SD-10,换灯,水电,个,-3,,,,\n"
    )
    with pytest.raises(BadSheet) as refused:
        read(text)
    assert refused.value.problems == [
        "第3行：编码「SD-01」与第2行重复",
        "第4行：编码「绿化 1」只能用字母、数字和 - _ .，最长 32 个字符",
        "第4行：没有班组负责类别「绿化」（有：水电、门窗、电梯；空着表示通用）",
        "第5行：最低价和最高价要一起填",
        "第6行：最低价 150 高于最高价 50",
        "第7行：单价和最低价/最高价只能填一种：固定价填单价，按情况定价填最低价和最高价",
        "第8行：免费项目不收费，单价要空着",
        "第9行：缺少项目名称",
        "第9行：缺少单价（或最低价和最高价）；物业费已含的项目在是否免费填“是”",
        "第10行：是否免费「也许」请写“是”或“否”",
        "第10行：单价「12.345」要写成不小于 0、最多两位小数的元数",
        "第11行：单价「-3」要写成不小于 0、最多两位小数的元数",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "文件是空的"),
        ("编码,单价\nA,1\n", "第1行缺少列：项目名称（表头写成：编码,项目名称,类别,单位,单价,"),
        (HEADER + ",,,,,,,,\n", "文件里没有收费项目"),
    ],
)
def test_a_sheet_without_items_is_refused(text: str, problem: str) -> None:
    with pytest.raises(BadSheet) as refused:
        read(text)
    assert refused.value.problems[0].startswith(problem)


def test_an_exported_sheet_reads_back_the_same_schedule() -> None:
    items = [
        FeeItem("SD-01", "更换水龙头", "个", "水电", price_fen=3000),
        FeeItem("SD-02", "疏通下水道", "次", "水电", min_fen=5000, max_fen=15010),
        FeeItem("SD-03", "更换灯泡", "个", None, price_fen=10),
        FeeItem("TY-01", "上门检查", "次", None, free=True),
    ]
    rows = fee_rows(items)
    assert rows[1] == ["SD-01", "更换水龙头", "水电", "个", 30, "", "", "否"]
    assert read_fees([[str(cell) for cell in row] for row in rows], CATEGORIES) == items
