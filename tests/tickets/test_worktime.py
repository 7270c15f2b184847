"""Working time as a property company counts it: working hours, on China's working days with
their make-up days (调休), and the site's own days off and on."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tickets.deadlines import Counting, Policy, Step, Target, TargetChange
from tickets.states import Urgency
from tickets.worktime import NoWorkingTime, WorkCalendar, china, covers, weekdays

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))  # 450 minutes a day
CN = WorkCalendar(HOURS, SHANGHAI, china())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        ("2026-09-29 09:00", 60, "2026-09-29 10:00"),  # within the morning
        ("2026-09-29 11:30", 60, "2026-09-29 14:00"),  # over lunch
        ("2026-09-29 12:30", 30, "2026-09-29 14:00"),  # reported at lunch: from 13:30
        ("2026-09-29 17:00", 60, "2026-09-30 09:00"),  # over the night
        ("2026-09-29 17:30", 0, "2026-09-30 08:30"),  # at closing: the next opening
        # before National Day: 10-01..07 off, Saturday 10-10 worked (调休), Sunday 10-11 off
        ("2026-09-30 17:50", 1440, "2026-10-12 10:00"),
        ("2026-10-09 17:00", 60, "2026-10-10 09:00"),  # a make-up Saturday is worked
        ("2026-10-10 17:00", 60, "2026-10-12 09:00"),  # its Sunday is not
    ],
)
def test_minutes_of_working_time(start: str, minutes: int, due: str) -> None:
    assert CN.add(at(start), minutes) == at(due)


def test_the_sites_own_days_come_first() -> None:
    eve = date(2026, 12, 24)
    site = WorkCalendar(HOURS, SHANGHAI, china([eve], [date(2026, 12, 27)]))
    assert site.add(at("2026-12-23 17:00"), 60) == at("2026-12-25 09:00")  # the 24th off
    assert site.add(at("2026-12-26 09:00"), 60) == at("2026-12-27 09:30")  # a Sunday worked


def test_weekdays_know_no_holidays() -> None:
    plain = WorkCalendar(HOURS, SHANGHAI, weekdays())
    assert plain.add(at("2026-09-30 17:50"), 60) == at("2026-10-01 09:30")


def test_working_time_between_two_moments() -> None:
    assert CN.between(at("2026-09-29 11:00"), at("2026-09-29 14:30")) == timedelta(hours=2)
    assert CN.between(at("2026-09-30 17:00"), at("2026-10-08 09:00")) == timedelta(minutes=60)
    assert CN.between(at("2026-09-29 14:00"), at("2026-09-29 10:00")) == timedelta()


def test_a_calendar_without_working_days_is_a_mistake_said_as_such() -> None:
    never = WorkCalendar(HOURS, SHANGHAI, lambda day: False)
    with pytest.raises(NoWorkingTime, match="no working time within 400 days"):
        never.add(at("2026-09-29 09:00"), 1)


def test_the_years_china_publishes_are_known() -> None:
    assert covers(2026) and not covers(2200)


POLICY = Policy(
    targets={
        Urgency.EMERGENCY: Target(
            {Step.ACCEPT: 15, Step.ARRIVE: 30, Step.COMPLETE: 240}, Counting.ALWAYS
        ),
        Urgency.URGENT: Target(
            {Step.ACCEPT: 60, Step.ARRIVE: 240, Step.COMPLETE: 1440}, Counting.WORKING
        ),
        Urgency.NORMAL: Target(
            {Step.ACCEPT: 1440, Step.ARRIVE: 2880, Step.COMPLETE: 4320}, Counting.WORKING
        ),
    },
    categories={"电梯": TargetChange({Step.ACCEPT: 10}, Counting.ALWAYS)},
    calendar=CN,
)


def test_an_emergency_counts_round_the_clock() -> None:
    plan = POLICY.plan(Urgency.EMERGENCY, at("2026-10-01 03:00"))
    assert plan == {
        Step.ACCEPT: at("2026-10-01 03:15"),
        Step.ARRIVE: at("2026-10-01 03:30"),
        Step.COMPLETE: at("2026-10-01 07:00"),
    }


def test_a_category_promises_its_own() -> None:
    plan = POLICY.plan(Urgency.NORMAL, at("2026-10-01 03:00"), "电梯")
    assert plan[Step.ACCEPT] == at("2026-10-01 03:10")  # its own minutes, round the clock
    assert plan[Step.ARRIVE] == at("2026-10-01 03:00") + timedelta(minutes=2880)  # its clock
