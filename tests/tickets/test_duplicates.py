from dataclasses import replace
from datetime import timedelta

import pytest

from tests.tickets.factories import T0, make_ticket
from tickets.duplicates import DuplicateRule, duplicate_of, similarity
from tickets.model import Ticket
from tickets.states import Status

RULE = DuplicateRule()
BURST = [
    ("3栋2单元501", "水电", "卫生间水管爆了，水流得到处都是"),
    ("3号楼2单元401", "水电", "楼上漏水，天花板一直在滴水"),
    ("3栋2单元601室", "水电", "家里进水了，好像是楼上水管爆裂"),
    ("三栋二单元502", "水电", "隔壁水管破裂，漏水到我家墙上"),
    ("3栋2单元 楼道", "公共区域", "楼道里全是水，像是水管爆裂了"),
]


def report(n: int, location: str, category: str, description: str, minutes: int) -> Ticket:
    return make_ticket(
        number=f"BX20261128-{n:04d}",
        location=location,
        category=category,
        description=description,
        created_at=T0 + timedelta(minutes=minutes),
    )


def flagged(reports: list[Ticket]) -> list[str | None]:
    """Each report checked as it opens, against the ones before it, as the service does."""
    opened: list[Ticket] = []
    for new in reports:
        found = duplicate_of(new, opened, RULE)
        opened.append(replace(new, possible_duplicate_of=found))
    return [t.possible_duplicate_of for t in opened]


def test_neighbours_reporting_one_burst_pipe_within_an_hour_repeat_the_first() -> None:
    reports = [report(i + 1, *fields, minutes=i * 12) for i, fields in enumerate(BURST)]
    first = reports[0].number
    assert flagged(reports) == [None, first, first, first, first]


def test_two_unrelated_faults_in_one_building_are_not_duplicates() -> None:
    lift = report(1, "3栋电梯", "电梯", "电梯不动了，按钮没反应", 0)
    tap = report(2, "3栋2单元501", "水电", "厨房水龙头一直滴水关不紧", 20)
    assert flagged([lift, tap]) == [None, None]


def test_far_apart_or_too_late_or_ended_is_no_duplicate() -> None:
    first = report(1, "3栋2单元501", "水电", "水管爆了", 0)
    two_floors = report(2, "3栋2单元301", "水电", "水管爆了", 10)
    assert duplicate_of(two_floors, [first], RULE) is None
    next_day = report(3, "3栋2单元401", "水电", "水管爆了", 25 * 60)
    assert duplicate_of(next_day, [first], RULE) is None
    assert duplicate_of(next_day, [first], DuplicateRule(timedelta(hours=48))) == first.number
    for ended in (Status.CLOSED, Status.CANCELLED):
        gone = make_ticket(ended, **{k: getattr(first, k) for k in ("number", "created_at")})
        assert duplicate_of(report(4, "3栋2单元501", "水电", "水管爆了", 30), [gone], RULE) is None


def test_a_match_that_repeats_another_points_to_the_first() -> None:
    first = report(1, "3栋2单元501", "水电", "水管爆了", 0)
    second = make_ticket(
        number="BX20261128-0002",
        location="3栋2单元401",
        description="楼上漏水",
        created_at=T0 + timedelta(minutes=5),
        possible_duplicate_of=first.number,
    )
    third = report(3, "3栋2单元301", "水电", "楼上漏水", 10)  # next to 401, not to 501
    assert duplicate_of(third, [first, second], RULE) == first.number


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("水管爆裂漏水", "水管破裂，漏水严重", True),
        ("楼道里全是水，像是水管爆裂了", "家里进水了，好像是楼上水管爆裂", True),
        ("电梯不动了，按钮没反应", "厨房水龙头一直滴水关不紧", False),
        ("楼道灯不亮", "马桶堵了", False),
        ("", "水管爆了", False),
    ],
)
def test_descriptions_are_compared_as_words(a: str, b: str, alike: bool) -> None:
    assert (similarity(a, b) >= RULE.similarity) is alike
