"""The on-duty rota (排班): who of a team is on duty at a moment, and who is on call.

A team that keeps a rota names an on-call pair, a technician and a supervisor (备班), and may
add weekly entries: members, weekdays and hours in site time. An entry applies on the
working days of the site's calendar (the SLA's: China's holidays with their make-up days,
调休, and the site's own days off and worked) whose weekday it names. So a public holiday is
off even on a Thursday, a make-up Saturday is worked by the entries that name Saturday (an
entry names every day unless told otherwise), and an ordinary weekend is off. Whatever no
entry covers (nights, days off) is out of hours and belongs to the on-call pair.

The office's spreadsheet adds dated shifts (`Shift`): on each day it names for a team, its
shifts replace that team's weekly entries. A 值班 shift puts its member on duty; a 备班 shift
makes its member the one on call for its hours in place of the configured one in that role.

A span belongs to the day it starts on: one that ends at or before its start runs past
midnight (夜班 17:30-08:30), and one that ends when it starts lasts 24 hours. A team that
keeps no rota has all its members on duty at every moment, as before rotas existed.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tickets.people import Directory
from tickets.worktime import Workday

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""How the config names the days of the week, Monday first as `date.weekday()` counts."""

_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)(?::00)?$")


class Duty(StrEnum):
    ON_DUTY = "on_duty"
    ON_CALL = "on_call"

    @property
    def label(self) -> str:
        return {"on_duty": "值班", "on_call": "备班"}[self.value]


def clock_time(text: str, *, closing: bool = False) -> time:
    """ "8:30", "08:30" or "08:30:00" (as a spreadsheet may write it); "24:00" only to close a
    span, meaning midnight. Raises ValueError: callers word the refusal for their readers."""
    found = _TIME.match(text.strip())
    if found is None:
        raise ValueError(text)
    hour, minute = int(found[1]), int(found[2])
    if hour == 24:
        if minute or not closing:
            raise ValueError(text)
        hour = 0
    return time(hour, minute)


@dataclass(frozen=True)
class Span:
    begin: time
    end: time

    @classmethod
    def parse(cls, text: str) -> "Span":
        """ "08:30-17:30"; raises ValueError."""
        begin, dash, end = text.partition("-")
        if not dash:
            raise ValueError(text)
        return cls(clock_time(begin), clock_time(end, closing=True))

    def covers(self, day: date, moment: datetime, tz: ZoneInfo) -> bool:
        start = datetime.combine(day, self.begin, tz)
        minutes = (self.end.hour - self.begin.hour) * 60 + self.end.minute - self.begin.minute
        length = timedelta(minutes=minutes % (24 * 60) or 24 * 60)
        return start <= moment < start + length

    def __str__(self) -> str:
        return f"{self.begin:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Entry:
    """A weekly rota line: these members are on duty in these spans on these weekdays."""

    members: tuple[str, ...]
    weekdays: frozenset[int]
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class OnCall:
    technician: str
    supervisor: str


@dataclass(frozen=True)
class TeamRota:
    entries: tuple[Entry, ...]
    on_call: OnCall


@dataclass(frozen=True)
class Shift:
    """One line of the office's sheet: a member's shift on a day."""

    team_id: str
    day: date
    member_id: str
    span: Span
    duty: Duty = Duty.ON_DUTY


@dataclass(frozen=True)
class OnDuty:
    """A team at one moment. Every id is a current technician or supervisor of the team."""

    technicians: tuple[str, ...]
    supervisors: tuple[str, ...]
    on_call_technicians: tuple[str, ...]
    on_call_supervisors: tuple[str, ...]
    out_of_hours: bool
    """No shift covers the moment: only the on-call pair is working."""

    @property
    def assignable(self) -> tuple[str, ...]:
        """Whom round-robin chooses among: those on duty, else those on call."""
        return self.technicians or self.on_call_technicians


@dataclass(frozen=True)
class Rotas:
    """Every team's rota, on the site's calendar."""

    teams: Mapping[str, TeamRota]
    tz: ZoneInfo
    is_workday: Workday

    def days(self, at: datetime) -> tuple[date, date]:
        """The first and last day whose shifts can cover `at`: a night shift of the day
        before reaches into this one."""
        today = at.astimezone(self.tz).date()
        return today - timedelta(days=1), today

    def on_duty(
        self, directory: Directory, team_id: str, at: datetime, shifts: Iterable[Shift]
    ) -> OnDuty:
        """Who works for the team at `at`; `shifts` are the dated ones of `days(at)` (any
        others are ignored)."""
        technicians = [m.id for m in directory.technicians(team_id)]
        supervisors = [m.id for m in directory.supervisors(team_id)]
        rota = self.teams.get(team_id)
        if rota is None:
            return OnDuty(tuple(technicians), tuple(supervisors), (), (), out_of_hours=False)
        on_duty, on_call = self._covering(team_id, rota, at, shifts)

        def among(ids: Iterable[str], team: list[str]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(i for i in ids if i in team))

        return OnDuty(
            technicians=among(on_duty, technicians),
            supervisors=among(on_duty, supervisors),
            on_call_technicians=among(on_call, technicians)
            or among([rota.on_call.technician], technicians),
            on_call_supervisors=among(on_call, supervisors)
            or among([rota.on_call.supervisor], supervisors),
            out_of_hours=not among(on_duty, technicians + supervisors),
        )

    def supervisors(
        self, directory: Directory, team_id: str, at: datetime, shifts: Iterable[Shift]
    ) -> tuple[str, ...]:
        """Whom an escalation `to = "on_duty"` reaches: the supervisors on duty in hours, those
        on call out of hours, and the team's supervisors when the rota names none."""
        duty = self.on_duty(directory, team_id, at, shifts)
        named = duty.on_call_supervisors if duty.out_of_hours else duty.supervisors
        return named or tuple(m.id for m in directory.supervisors(team_id))

    def _covering(
        self, team_id: str, rota: TeamRota, at: datetime, shifts: Iterable[Shift]
    ) -> tuple[list[str], list[str]]:
        """Members whose shifts cover `at`: those on duty, those on call."""
        moment = at.astimezone(self.tz)
        sheet = [s for s in shifts if s.team_id == team_id]
        on_duty: list[str] = []
        on_call: list[str] = []
        for day in self.days(at):
            dated = [s for s in sheet if s.day == day]
            for s in dated:
                if s.span.covers(day, moment, self.tz):
                    (on_call if s.duty is Duty.ON_CALL else on_duty).append(s.member_id)
            if dated or not self.is_workday(day):
                continue
            for entry in rota.entries:
                if day.weekday() in entry.weekdays and any(
                    span.covers(day, moment, self.tz) for span in entry.spans
                ):
                    on_duty += entry.members
        return on_duty, on_call
