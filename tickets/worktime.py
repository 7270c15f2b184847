"""Working time: what an SLA counts when its clock runs only during working hours.

A promise like 「24 小时内接单」 made by a property company counts the hours its crews work:
the site's working hours (08:30–12:00 and 13:30–17:30 by default) on its working days. China's
working days are not Monday to Friday: public holidays are taken off and some weekends are
worked instead (调休), by a calendar the State Council publishes each year. That calendar
comes from `chinesecalendar`, and a site adds its own days off and days worked on top.

Pure arithmetic on aware datetimes in the site's zone; the days come in as a predicate, so
tests and other countries' calendars plug in the same way.
"""

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

MAX_DAYS = 400
"""Days looked through for working time: a calendar with none in a year is a mistake."""


class NoWorkingTime(ValueError):
    """The calendar has no working time within `MAX_DAYS` of the start."""


Workday = Callable[[date], bool]


def china(days_off: Iterable[date] = (), days_worked: Iterable[date] = ()) -> Workday:
    """China's working days (调休 included), with the site's own days off and days worked.
    A year the library has no data for yet (it follows the State Council's yearly notice)
    counts Monday to Friday; `covers` says which years are known."""

    @functools.lru_cache(maxsize=4096)  # the library scans its whole table on every call
    def official(day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    return _with(official, days_off, days_worked)


def weekdays(days_off: Iterable[date] = (), days_worked: Iterable[date] = ()) -> Workday:
    """Monday to Friday, with the site's own days off and days worked."""
    return _with(lambda day: day.weekday() < 5, days_off, days_worked)


def _with(base: Workday, days_off: Iterable[date], days_worked: Iterable[date]) -> Workday:
    off, worked = frozenset(days_off), frozenset(days_worked)
    return lambda day: day not in off and (day in worked or base(day))


def covers(year: int) -> bool:
    """Whether China's calendar for `year` is known to `chinesecalendar`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class WorkCalendar:
    hours: tuple[tuple[time, time], ...]
    """Each working day's spans, in order, site time."""
    tz: ZoneInfo
    is_workday: Workday

    def add(self, start: datetime, minutes: int) -> datetime:
        """The moment `minutes` of working time after `start` (at once if that is within
        working time, else from the next working span)."""
        left = timedelta(minutes=minutes)
        for begin, end in self._spans_from(start):
            if begin + left <= end:
                return begin + left
            left -= end - begin
        raise NoWorkingTime(f"no working time within {MAX_DAYS} days of {start.isoformat()}")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from `start` to `end`: how long a paused clock stood still."""
        total = timedelta()
        if end <= start:
            return total
        for begin, stop in self._spans_from(start):
            if begin >= end:
                break
            total += min(stop, end) - begin
        return total

    def _spans_from(self, start: datetime) -> Iterable[tuple[datetime, datetime]]:
        """The working spans from `start` on, the first cut to begin at `start`."""
        local = start.astimezone(self.tz)
        for offset in range(MAX_DAYS):
            day = local.date() + timedelta(days=offset)
            if not self.is_workday(day):
                continue
            for begin, end in self.hours:
                span_begin = datetime.combine(day, begin, self.tz)
                span_end = datetime.combine(day, end, self.tz)
                if span_end <= local:
                    continue
                yield max(span_begin, local), span_end
