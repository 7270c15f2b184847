"""Who is on duty: the weekly rota on working days, the on-call pair on nights, weekends and
public holidays, the office's dated shifts on the days they name."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tests.clock import FakeClock
from tickets.people import Directory, Member, Role, Team
from tickets.rota import Duty, Entry, OnCall, Rotas, Shift, Span, TeamRota
from tickets.worktime import china

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERY_DAY = frozenset(range(7))

DIRECTORY = Directory(
    teams=[Team("shuidian", "水电组", ("水电",)), Team("tujian", "土建组", ("门窗",))],
    members=[
        Member("li", "李师傅", frozenset({Role.TECHNICIAN}), frozenset({"shuidian"})),
        Member("wang", "王师傅", frozenset({Role.TECHNICIAN}), frozenset({"shuidian"})),
        Member("he", "何师傅", frozenset({Role.TECHNICIAN}), frozenset({"shuidian"})),
        Member("chen", "陈班长", frozenset({Role.SUPERVISOR}), frozenset({"shuidian", "tujian"})),
        Member("gao", "高班长", frozenset({Role.SUPERVISOR}), frozenset({"shuidian"})),
        Member("zhang", "张师傅", frozenset({Role.TECHNICIAN}), frozenset({"tujian"})),
    ],
)
DAYTIME = Span(time(8, 30), time(17, 30))
ROTA = TeamRota(
    entries=(
        Entry(("li", "chen"), EVERY_DAY, (DAYTIME,)),
        Entry(("wang",), frozenset({0, 2, 4}), (Span(time(8, 30), time(12)),)),
        Entry(("he",), EVERY_DAY, (Span(time(17, 30), time(8, 30)),)),  # the night shift
    ),
    on_call=OnCall(technician="wang", supervisor="gao"),
)
ROTAS = Rotas({"shuidian": ROTA}, SHANGHAI, china())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def shift(day: str, member: str, span: str, duty: Duty = Duty.ON_DUTY) -> Shift:
    return Shift("shuidian", date.fromisoformat(day), member, Span.parse(span), duty)


@pytest.mark.parametrize(
    ("moment", "technicians", "supervisors", "out_of_hours"),
    [
        ("2026-09-30 09:00", ("li", "wang"), ("chen",), False),  # a Wednesday morning
        ("2026-09-30 14:00", ("li",), ("chen",), False),  # wang works mornings
        ("2026-09-29 14:00", ("li",), ("chen",), False),  # and not on Tuesdays
        ("2026-09-30 20:00", ("he",), (), False),  # the night shift
        ("2026-10-01 03:00", ("he",), (), False),  # which runs past midnight
        ("2026-10-01 09:00", (), (), True),  # National Day is off, though a Thursday
        ("2026-10-01 20:00", (), (), True),  # and no night shift starts on it
        ("2026-10-03 10:00", (), (), True),  # a weekend in the holiday
        ("2026-11-28 10:00", (), (), True),  # any weekend, though the entry names every day
        ("2026-10-10 09:00", ("li",), ("chen",), False),  # the make-up Saturday is worked
        ("2026-10-09 09:00", ("li", "wang"), ("chen",), False),  # a Friday
        ("2026-10-10 10:00", ("li",), ("chen",), False),  # wang's entry names no Saturday
    ],
)
def test_the_weekly_rota_covers_working_days_and_on_call_the_rest(
    moment: str, technicians: tuple[str, ...], supervisors: tuple[str, ...], out_of_hours: bool
) -> None:
    duty = ROTAS.on_duty(DIRECTORY, "shuidian", at(moment), ())
    assert (duty.technicians, duty.supervisors, duty.out_of_hours) == (
        technicians,
        supervisors,
        out_of_hours,
    )
    assert (duty.on_call_technicians, duty.on_call_supervisors) == (("wang",), ("gao",))
    assert duty.assignable == (technicians or ("wang",))


def test_a_team_without_a_rota_has_everyone_on_duty() -> None:
    duty = ROTAS.on_duty(DIRECTORY, "tujian", at("2026-10-01 03:00"), ())
    assert (duty.technicians, duty.supervisors) == (("zhang",), ("chen",))
    assert not duty.out_of_hours and duty.on_call_technicians == ()


def test_the_fake_clock_moves_through_national_day() -> None:
    clock = FakeClock(at("2026-09-30 16:00"))
    seen = []
    for _ in range(4):
        duty = ROTAS.on_duty(DIRECTORY, "shuidian", clock.now(), ())
        seen.append((duty.assignable, duty.out_of_hours))
        clock.advance(hours=8)
    assert seen == [
        (("li",), False),  # Wednesday 16:00
        (("he",), False),  # 00:00 on the 1st: Wednesday's night shift
        (("he",), False),  # 08:00: still it, until 08:30
        (("wang",), True),  # 16:00 on National Day: the on-call technician
    ]


def test_dated_shifts_replace_the_week_on_their_days() -> None:
    sheet = [
        shift("2026-10-01", "li", "09:00-17:00"),
        shift("2026-10-01", "chen", "09:00-17:00"),
        shift("2026-10-01", "he", "17:00-09:00", Duty.ON_CALL),
        shift("2026-09-30", "wang", "08:00-08:00"),  # 24 hours, the Wednesday before
    ]
    holiday = ROTAS.on_duty(DIRECTORY, "shuidian", at("2026-10-01 10:00"), sheet)
    assert (holiday.technicians, holiday.supervisors, holiday.out_of_hours) == (
        ("li",),
        ("chen",),
        False,
    )
    eve = ROTAS.on_duty(DIRECTORY, "shuidian", at("2026-09-30 20:00"), sheet)
    assert eve.technicians == ("wang",)  # the sheet's day replaces the weekly night shift
    morning = ROTAS.on_duty(DIRECTORY, "shuidian", at("2026-10-01 07:00"), sheet)
    assert morning.technicians == ("wang",)  # the 24 hours end at 08:00
    night = ROTAS.on_duty(DIRECTORY, "shuidian", at("2026-10-01 22:00"), sheet)
    assert night.out_of_hours and night.on_call_technicians == ("he",)
    assert night.on_call_supervisors == ("gao",)  # the sheet named no supervisor on call
    other_team = [Shift("tujian", date(2026, 10, 1), "li", DAYTIME)]
    assert ROTAS.on_duty(DIRECTORY, "shuidian", at("2026-10-01 10:00"), other_team).out_of_hours


def test_members_who_left_the_team_are_not_on_duty() -> None:
    moved = Directory(
        DIRECTORY.teams.values(),
        [m for m in DIRECTORY.members.values() if m.id != "li"],
    )
    duty = ROTAS.on_duty(moved, "shuidian", at("2026-09-30 14:00"), ())
    assert (duty.technicians, duty.assignable) == ((), ("wang",))
    assert not duty.out_of_hours  # 陈班长 is still there


@pytest.mark.parametrize(
    ("team", "moment", "sheet", "supervisors"),
    [
        ("shuidian", "2026-09-30 10:00", (), ("chen",)),  # in hours: the one on duty
        ("shuidian", "2026-10-01 10:00", (), ("gao",)),  # out of hours: the one on call
        ("shuidian", "2026-09-30 20:00", (), ("chen", "gao")),  # the rota names none: all
        ("tujian", "2026-10-01 10:00", (), ("chen",)),  # no rota: the team's supervisors
        (
            "shuidian",
            "2026-10-02 10:00",
            (shift("2026-10-02", "chen", "08:00-20:00", Duty.ON_CALL),),
            ("chen",),
        ),
    ],
)
def test_on_duty_supervisors_for_escalation(
    team: str, moment: str, sheet: tuple[Shift, ...], supervisors: tuple[str, ...]
) -> None:
    assert ROTAS.supervisors(DIRECTORY, team, at(moment), sheet) == supervisors


def test_the_days_whose_shifts_can_cover_a_moment() -> None:
    assert ROTAS.days(at("2026-10-01 00:30")) == (date(2026, 9, 30), date(2026, 10, 1))


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("08:30-17:30", Span(time(8, 30), time(17, 30))),
        ("8:30-24:00", Span(time(8, 30), time(0))),
        ("17:30-08:30", Span(time(17, 30), time(8, 30))),
    ],
)
def test_spans_are_read_as_written(text: str, span: Span) -> None:
    assert Span.parse(text) == span


@pytest.mark.parametrize("text", ["08:30", "8-17", "25:00-26:00", "08:30-17:60", "24:00-08:00"])
def test_spans_refuse_what_is_not_a_time(text: str) -> None:
    with pytest.raises(ValueError):
        Span.parse(text)
