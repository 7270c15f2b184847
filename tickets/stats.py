"""What management reads about a period: the figures the weekly summary shows and
`GET /api/v1/stats` returns, for the whole site or per team, technician, category or place.

Every figure is defined here, in words exact enough that the SQL (`storage/stats.py`) and a
count over tickets and their timelines (the tests) agree to the unit:

- a period is half-open, [start, end), in UTC; a week runs from Monday 00:00 to the next
  Monday 00:00 in the site's zone;
- a duration is whole seconds: `seconds(a, b)`, the difference of the two instants' whole
  Unix seconds (fractions dropped on each side), so every database counts it the same;
- a percentile is nearest-rank: the smallest value with at least p % of the values at or
  below it (`nearest_rank`), never an interpolation a database would round its own way;
- a ticket counts in the group it is in now (its team, assignee, category, place), for events
  of the period too: a job transferred since counts with its new team.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tickets.events import EventKind
from tickets.people import Directory
from tickets.rating import DISSATISFIED

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_DAYS = 366
"""The longest period asked for at once: a year, leap or not."""
CANCELLING = frozenset({EventKind.CANCEL, EventKind.REVIEWED})
"""The kinds of event that can cancel a ticket: a cancel, and a review that declines the job
(the event's `to_status` says whether it did)."""
LOW_STARS = DISSATISFIED
"""A rating with any part at or below this is a low rating (and a complaint)."""


def seconds(later: datetime, earlier: datetime) -> int:
    """Whole seconds from `earlier` to `later`, as the SQL counts them: whole Unix seconds
    of each, subtracted."""
    step = timedelta(seconds=1)
    return (later - EPOCH) // step - (earlier - EPOCH) // step


def nearest_rank(values: Sequence[int], percent: int) -> int | None:
    """The smallest value with at least `percent` % of `values` at or below it; None for
    none. The SQL: the value at row number k of the sorted n, the least k with
    k × 100 ≥ percent × n."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period's ends must carry their time zone")
        if self.end <= self.start:
            raise ValueError("a period must end after it starts")
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))

    @classmethod
    def local_days(cls, first: date, last: date, tz: ZoneInfo) -> "Period":
        """The local days `first` to `last`, both included."""
        return cls(_midnight(first, tz), _midnight(last + timedelta(days=1), tz))

    @classmethod
    def week(cls, iso_week: str, tz: ZoneInfo) -> "Period":
        """An ISO week written as 2026-W48."""
        try:
            year, _, number = iso_week.upper().partition("-W")
            monday = date.fromisocalendar(int(year), int(number), 1)
        except ValueError:
            raise ValueError(f"周要写成 2026-W48 这样：{iso_week}") from None
        return cls.local_days(monday, monday + timedelta(days=6), tz)

    @classmethod
    def week_of(cls, moment: datetime, tz: ZoneInfo) -> "Period":
        day = moment.astimezone(tz).date()
        monday = day - timedelta(days=day.weekday())
        return cls.local_days(monday, monday + timedelta(days=6), tz)

    def previous(self) -> "Period":
        """The period of the same length just before (the week before a week)."""
        return Period(self.start - (self.end - self.start), self.start)

    def days(self, tz: ZoneInfo) -> list[date]:
        """The local dates the period touches, in order."""
        first = self.start.astimezone(tz).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(tz).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def day_bounds(self, tz: ZoneInfo) -> list[datetime]:
        """Where each local day of `days` starts, within the period (the first is `start`),
        then `end`: day i holds the instants from bound i up to bound i + 1."""
        days = self.days(tz)
        return [self.start, *(_midnight(d, tz) for d in days[1:]), self.end]

    @property
    def too_long(self) -> bool:
        return self.end - self.start > timedelta(days=MAX_DAYS, hours=1)  # a DST hour's slack


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


class GroupBy(StrEnum):
    TEAM = "team"
    TECHNICIAN = "technician"
    CATEGORY = "category"
    LOCATION = "location"


@dataclass(frozen=True)
class Figures:
    """One group's figures for a period (`key` None and `name` None: the whole site; in a
    technician breakdown, `key` None is the jobs nobody holds).

    - received: tickets created in the period;
    - closed: tickets whose `closed_at` falls in it;
    - cancelled: tickets cancelled in it (a cancel, or a review declining the job);
    - open_at_end: tickets created before the end, and neither closed nor cancelled by it;
    - accept_p50_s / accept_p90_s: seconds from creation to `accepted_at`, over the tickets
      whose `accepted_at` (the latest acceptance) falls in the period;
    - complete_p50_s / complete_p90_s: seconds from creation to `completed_at`, over those
      completed in it (the latest completion: a reworked job counts once it is done again);
    - sla_judged: tickets completed in the period with at least one due time; sla_met: those
      that met every due time they have (accepted by `accept_due`, started by `arrive_due`,
      completed by `complete_due`, each where set);
    - escalations: escalation steps sent in the period (`escalated` events);
    - ratings: tickets whose `rated_at` falls in it, with the averages of their stars, and
      low_ratings: those with any part at `LOW_STARS` or fewer (tickets/rating.py);
    - reworks: jobs sent back for rework in it (`reopen` events: each adds one to the ticket's
      `rework_count`);
    - complaints: tickets that, within the period, were rated `LOW_STARS` or fewer in any part
      (`rated_at` in it) or sent back for rework (a `reopen` in it), each ticket once: the
      period's share of what `is_complaint` counts;
    - revenue_fen: money received in the period: the amounts of its `paid` events, leaving out
      corrections, which only re-record how a sum already counted was paid.
    """

    key: str | None
    name: str | None
    received: int = 0
    closed: int = 0
    cancelled: int = 0
    open_at_end: int = 0
    accept_p50_s: int | None = None
    accept_p90_s: int | None = None
    complete_p50_s: int | None = None
    complete_p90_s: int | None = None
    sla_judged: int = 0
    sla_met: int = 0
    escalations: int = 0
    ratings: int = 0
    rating_overall_avg: float | None = None
    rating_speed_avg: float | None = None
    rating_attitude_avg: float | None = None
    low_ratings: int = 0
    reworks: int = 0
    complaints: int = 0
    revenue_fen: int = 0

    @property
    def sla_met_pct(self) -> float | None:
        """Share of the judged tickets that met their due times, in %, one decimal."""
        return round(100 * self.sla_met / self.sla_judged, 1) if self.sla_judged else None


@dataclass(frozen=True)
class Breakdown:
    """A period's figures for the whole site and, when asked, per group (busiest first)."""

    total: Figures
    groups: list[Figures]


def average(total: int, count: int) -> float | None:
    """Stars' average as every reader shows it: two decimals."""
    return round(total / count, 2) if count else None


UNASSIGNED = "未指派"


def group_name(group_by: GroupBy | None, key: str | None, directory: Directory) -> str | None:
    """A group as people call it: the team's and the technician's names from the directory,
    a category or a place as they are written; None for the total."""
    match group_by:
        case None:
            return None
        case GroupBy.TEAM:
            team = directory.teams.get(key or "")
            return team.name if team else key
        case GroupBy.TECHNICIAN:
            return directory.name_of(key) or UNASSIGNED
    return key


@dataclass(frozen=True)
class DayCount:
    """One local day of the period: tickets received and closed that day."""

    day: date
    received: int
    closed: int


@dataclass(frozen=True)
class Overdue:
    """An open job past the due time it works towards now (tickets/escalation.py `watched`)."""

    number: str
    category: str
    location: str
    assignee_id: str | None
    assignee_name: str | None
    due: datetime
    late_s: int
