from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from tickets.errors import InvalidInput
from tickets.numbering import format_number, local_day
from tickets.people import Directory
from tickets.phone import normalize_phone
from tickets.routing import pick_round_robin, suggest_urgency, team_for
from tickets.states import Urgency


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("卫生间水管爆裂，水漫出来了", Urgency.EMERGENCY),
        ("楼上漏水到我家", Urgency.EMERGENCY),
        ("整栋停电", Urgency.EMERGENCY),
        ("厨房有燃气味", Urgency.EMERGENCY),
        ("3号梯困人！", Urgency.EMERGENCY),
        ("下水道堵塞", Urgency.URGENT),
        ("客厅灯不亮", Urgency.NORMAL),
    ],
)
def test_urgency_suggested_from_description(text: str, urgency: Urgency) -> None:
    assert suggest_urgency(text) is urgency


def test_configured_words_replace_the_defaults() -> None:
    assert suggest_urgency("电梯异响", ["异响"], []) is Urgency.EMERGENCY
    assert suggest_urgency("漏水", ["异响"], []) is Urgency.NORMAL


def test_category_routes_to_its_team(directory: Directory) -> None:
    assert team_for(directory, "燃气").id == "shuidian"
    assert team_for(directory, "电梯").id == "dianti"
    with pytest.raises(InvalidInput) as unknown:
        team_for(directory, "飞机")
    assert unknown.value.field == "category"
    assert "水电" in unknown.value.message and "飞机" in unknown.value.message


def test_round_robin_prefers_the_least_loaded_then_the_longest_idle(
    directory: Directory,
) -> None:
    techs = directory.technicians("dianti")
    earlier = datetime(2026, 11, 27, tzinfo=UTC)
    later = datetime(2026, 11, 28, tzinfo=UTC)
    pick = pick_round_robin(techs, {"liu": 1, "sun": 0}, {}, cap=3)
    assert pick is not None and pick.id == "sun"
    pick = pick_round_robin(techs, {"liu": 1, "sun": 1}, {"liu": later, "sun": earlier}, cap=3)
    assert pick is not None and pick.id == "sun"
    pick = pick_round_robin(techs, {"liu": 1, "sun": 1}, {"sun": later}, cap=3)
    assert pick is not None and pick.id == "liu"
    assert pick_round_robin(techs, {"liu": 3, "sun": 3}, {}, cap=3) is None


def test_ticket_numbers_use_the_local_day() -> None:
    late_evening_utc = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # 00:30 in Shanghai
    day = local_day(late_evening_utc, ZoneInfo("Asia/Shanghai"))
    assert day == date(2026, 11, 28)
    assert format_number(day, 7) == "BX20261128-0007"
    assert format_number(day, 12345) == "BX20261128-12345"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("0755-12345678", "075512345678"),
        ("(010) 8765 4321", "01087654321"),
    ],
)
def test_phone_numbers_are_normalised(raw: str, canonical: str) -> None:
    assert normalize_phone(raw) == canonical


@pytest.mark.parametrize("raw", ["12345", "1380013800", "23800138000", "abc", "", "138001380001"])
def test_malformed_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="手机号"):
        normalize_phone(raw)
