"""Times as people type them on a card, read in the site's zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tickets.errors import InvalidInput
from tickets.when import read_when

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 17:00 on 1 December in Shanghai


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("typed", "moment"),
    [
        ("12-03 14:00", at(2026, 12, 3, 14)),
        ("12-3 9:05", at(2026, 12, 3, 9, 5)),
        ("12/03  14：30", at(2026, 12, 3, 14, 30)),
        ("2026-12-03 14:00", at(2026, 12, 3, 14)),
        ("12月3日14:00", at(2026, 12, 3, 14)),
        ("12月3号 14点", at(2026, 12, 3, 14)),
        ("12月3日 9点半", at(2026, 12, 3, 9, 30)),
        ("01-05 10:00", at(2027, 1, 5, 10)),  # a day gone this year is next year's
        ("明天 14:00", at(2026, 12, 2, 14)),
        ("后天下午3点", at(2026, 12, 3, 15)),
        ("今天 18:30", at(2026, 12, 1, 18, 30)),
    ],
)
def test_what_people_type_is_read_in_the_sites_zone(typed: str, moment: datetime) -> None:
    read = read_when(typed, SHANGHAI, NOW)
    assert read == moment and read.utcoffset() == moment.utcoffset()


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("下周一", "看不懂「下周一」这个时间"),
        ("14:00", "看不懂"),
        ("", "看不懂"),
        ("02-30 10:00", "不是一个真实的日期"),
        ("12-03 25:00", "不是一个真实的日期"),
    ],
)
def test_what_names_no_time_is_refused_with_examples(typed: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words) as refused:
        read_when(typed, SHANGHAI, NOW)
    assert refused.value.field == "at" and "12-03 14:00" in refused.value.message
