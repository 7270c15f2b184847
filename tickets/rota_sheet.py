"""The office's rota sheet (排班表): what `baoxiu rota import` reads, CSV or Excel.

The office keeps it in Excel, so it is read as Excel saves it: UTF-8 with a byte-order mark
("CSV UTF-8") or GBK (plain "CSV" on a Chinese Windows), dates as 2026-10-01 or 2026/10/1,
times as 8:30 or 08:30:00, trailing empty rows, and extra columns (电话, 备注) left alone.
Columns are found by their header: 日期, 班组 (name or id), 成员 (name or id), 开始, 结束 and,
optionally, 值班类型 (值班, 白班 or 夜班 put the member on duty; 备班 makes them the one on
call; empty means 值班).

Read and refused as every office sheet is (`tickets.sheet`).
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time

from tickets.people import Directory, Member, Team
from tickets.rota import Duty, Rotas, Shift, Span, clock_time
from tickets.sheet import BadSheet, records

COLUMNS = ("日期", "班组", "成员", "开始", "结束")
KIND = "值班类型"
DUTIES = {"值班": Duty.ON_DUTY, "白班": Duty.ON_DUTY, "夜班": Duty.ON_DUTY, "备班": Duty.ON_CALL}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


@dataclass(frozen=True)
class Sheet:
    shifts: tuple[Shift, ...]
    days: Mapping[str, tuple[date, date]]
    """Each team's first and last day in the sheet: the days an import replaces."""


def read_sheet(cells: Iterable[Sequence[str]], directory: Directory, rotas: Rotas) -> Sheet:
    """The shifts of the sheet's rows; raises `BadSheet` with every problem found."""
    rows = records(cells, {c: () for c in (*COLUMNS, KIND)}, COLUMNS)
    problems: list[str] = []
    shifts: list[Shift] = []
    seen: dict[Shift, int] = {}
    for number, values in rows:
        said: list[str] = []
        shift = _row(values, directory, rotas, said)
        if shift is not None and shift in seen:
            said.append(f"与第{seen[shift]}行重复")
        problems += [f"第{number}行：{problem}" for problem in said]
        if shift is not None and not said:
            seen[shift] = number
            shifts.append(shift)
    if problems:
        raise BadSheet(problems)
    if not shifts:
        raise BadSheet(["文件里没有排班"])
    days: dict[str, tuple[date, date]] = {}
    for s in shifts:
        first, last = days.get(s.team_id, (s.day, s.day))
        days[s.team_id] = (min(first, s.day), max(last, s.day))
    return Sheet(tuple(shifts), days)


def _row(
    values: Mapping[str, str], directory: Directory, rotas: Rotas, said: list[str]
) -> Shift | None:
    """The row's shift, or None with what is wrong with it added to `said`."""
    day = _day(values.get("日期", ""), said)
    team = _team(values.get("班组", ""), directory, rotas, said)
    member = _member(values.get("成员", ""), team, directory, said)
    begin = _time(values.get("开始", ""), "开始时间", said)
    end = _time(values.get("结束", ""), "结束时间", said, closing=True)
    kind = values.get(KIND, "") or "值班"
    duty = DUTIES.get(kind)
    if duty is None:
        choices = "、".join(DUTIES)
        said.append(f"值班类型「{kind}」不认识，可写：{choices}（空着算值班）")
    if day and team and member and begin is not None and end is not None and duty:
        return Shift(team.id, day, member.id, Span(begin, end), duty)
    return None


def _day(cell: str, said: list[str]) -> date | None:
    if not cell:
        said.append("缺少日期")
        return None
    found = _DATE.match(cell)
    try:
        if found is None:
            raise ValueError(cell)
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        said.append(f"日期「{cell}」看不懂，请写成 2026-10-01")
        return None


def _team(cell: str, directory: Directory, rotas: Rotas, said: list[str]) -> Team | None:
    if not cell:
        said.append("缺少班组")
        return None
    team = directory.teams.get(cell) or next(
        (t for t in directory.teams.values() if t.name == cell), None
    )
    if team is None:
        known = "、".join(t.name for t in directory.teams.values())
        said.append(f"没有班组「{cell}」（有：{known}）")
    elif team.id not in rotas.teams:
        said.append(f"{team.name}没有排班：先在配置里给它设 [teams.on_call]，再导入它的排班")
    return team


def _member(cell: str, team: Team | None, directory: Directory, said: list[str]) -> Member | None:
    if not cell:
        said.append("缺少成员")
        return None
    named = [m for m in directory.members.values() if cell in (m.id, m.name)]
    if team is not None:
        named = [m for m in named if _works_in(m, team)] or named
    if not named:
        said.append(f"没有成员「{cell}」")
        return None
    if len(named) > 1:
        said.append(f"不止一位成员叫「{cell}」，请写成员 id")
        return None
    member = named[0]
    if team is not None and not _works_in(member, team):
        said.append(f"{member.name}不是{team.name}的维修师傅或班组长")
        return None
    return member


def _works_in(member: Member, team: Team) -> bool:
    return member.is_technician_of(team.id) or member.is_supervisor_of(team.id)


def _time(cell: str, label: str, said: list[str], *, closing: bool = False) -> time | None:
    if not cell:
        said.append(f"缺少{label}")
        return None
    try:
        return clock_time(cell, closing=closing)
    except ValueError:
        said.append(f"{label}「{cell}」看不懂，请写成 08:30")
        return None
