import pytest

from tickets.places import Place, neighbours, place, place_key


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("3栋2单元501", "3栋2单元501"),
        ("3号楼2单元501室", "3栋2单元501"),
        ("3幢2单元501", "3栋2单元501"),
        ("3座2单元501号", "3栋2单元501"),
        ("3#2单元501", "3栋2单元501"),
        ("3号2单元501", "3栋2单元501"),
        ("三栋二单元501", "3栋2单元501"),
        ("三号楼二单元五零一", "3栋2单元501"),
        ("第三栋2单元501室", "3栋2单元501"),
        ("３栋２单元５０１", "3栋2单元501"),
        (" 3 栋 2 单元 501 ", "3栋2单元501"),
        ("3-2-501", "3栋2单元501"),
        ("3栋2-501", "3栋2单元501"),
        ("3栋2单元501厨房", "3栋2单元501"),
        ("3栋2单元0501", "3栋2单元501"),
        ("十二栋一单元1202", "12栋1单元1202"),
        ("二十一号楼三单元302", "21栋3单元302"),
        ("A座1203", "A栋1203"),
        ("b座12楼", "B栋12层"),
        ("3-501", "3栋501"),
        ("3栋2单元5楼", "3栋2单元5层"),
        ("3栋2单元5层楼道", "3栋2单元5层楼道"),
        ("1栋大堂", "1栋大堂"),
        ("1号楼 大堂", "1栋大堂"),
        ("一栋电梯", "1栋电梯"),
        ("阳光花园二期3号楼2单元501", "阳光花园二期3栋2单元501"),
        ("地下车库 B2-105车位", "地下车库B2-105车位"),
        ("南门岗亭", "南门岗亭"),
        ("", ""),
    ],
)
def test_every_spelling_of_a_place_has_one_key(typed: str, key: str) -> None:
    assert place_key(typed) == key


def test_a_flat_is_in_its_building_unit_and_floor() -> None:
    assert place("3号楼2单元1502室") == Place("3栋2单元1502", "3栋", 2, 15)
    assert place("1栋大堂") == Place("1栋大堂", "1栋")
    assert place("南门岗亭") == Place("南门岗亭")


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("3栋2单元501", "3号楼2单元501室", True),  # the same flat
        ("3栋2单元501", "3号楼2单元401", True),  # the flat below
        ("3栋2单元501", "3栋2单元601室", True),  # the flat above
        ("3栋2单元501", "3栋2单元502", True),  # next door
        ("3栋2单元501", "3栋2单元301", False),  # two floors down
        ("3栋2单元501", "3栋1单元501", False),  # another unit's stack
        ("3栋2单元501", "4栋2单元501", False),  # another building
        ("3栋2单元501", "3栋601", True),  # the unit not said
        ("3栋2单元501", "3栋大堂", True),  # the building's lobby
        ("1栋电梯", "1栋大堂", True),
        ("3栋2单元501", "3栋2单元", True),  # the unit's stairwell
        ("南门岗亭", "南门岗亭", True),
        ("南门岗亭", "北门岗亭", False),
        ("3栋2单元501", "南门岗亭", False),
    ],
)
def test_neighbours_share_a_building_unit_and_adjacent_floors(a: str, b: str, near: bool) -> None:
    assert neighbours(place(a), place(b)) is near
    assert neighbours(place(b), place(a)) is near
