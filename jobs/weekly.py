"""The weekly summary (周报) in every management chat, at `[reports] weekly_day` and
`weekly_time`, site time.

The summary of a week goes out at the first scheduled moment after it ends (Monday 09:00
for the week before, by default). A run works out which week is due from the clock and
queues its summary under the key `weekly:2026-W48` (`TicketService.send(once=…)`): a chat
that had that week's summary is skipped in the transaction that queues it, so several
replicas at the scheduled minute, a restart, or the catch-up run at start-up after a missed
Monday send it once per chat. Only the latest week is caught up: after a fortnight down, the
week before last is history, not news.
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from tickets.clock import Clock
from tickets.messages import Report
from tickets.recipients import Reach
from tickets.service import TicketService
from tickets.stats import GroupBy, Period
from tickets.summary import Week, weekly_report

log = logging.getLogger(__name__)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def due_week(now: datetime, day: str, at: time, tz: ZoneInfo) -> str:
    """The ISO week (2026-W48) whose summary is due at `now`: the week before the latest
    scheduled moment that has come."""
    local = now.astimezone(tz)
    moment = datetime.combine(local.date(), at, tz) - timedelta(
        days=(local.weekday() - DAYS.index(day)) % 7
    )
    if moment > local:
        moment -= timedelta(days=7)
    year, week, _ = (moment - timedelta(days=7)).isocalendar()
    return f"{year}-W{week:02d}"


OVERDUE_READ = 1000
"""Overdue jobs read to count them; the summary lists the first few."""


async def read_week(service: TicketService, name: str) -> Week:
    """The figures of ISO week `name` and of the week before, as the summary says them."""
    period = Period.week(name, service.tz)
    before = period.previous()
    teams = await service.figures(period, GroupBy.TEAM)
    teams_before = await service.figures(before, GroupBy.TEAM)
    return Week(
        name=name,
        period=period,
        total=teams.total,
        before=teams_before.total,
        teams=teams.groups,
        teams_before=teams_before.groups,
        categories=(await service.figures(period, GroupBy.CATEGORY)).groups,
        categories_before=(await service.figures(before, GroupBy.CATEGORY)).groups,
        technicians=(await service.figures(period, GroupBy.TECHNICIAN)).groups,
        days=await service.daily(period),
        overdue=await service.overdue(OVERDUE_READ),
        hotspots=await service.hotspots(
            period.end, service.hotspot_rule.window_days, service.hotspot_rule.min_count
        ),
    )


class Pictures(Protocol):
    """Where a summary's picture is kept and served from (the photo store)."""

    def add_image(self, data: bytes, suffix: str) -> str: ...

    def discard(self, name: str) -> None: ...


def summary_maker(
    service: TicketService, pictures: Pictures
) -> Callable[[str], Awaitable[Report | None]]:
    """The week's summary with its plots drawn once and kept in `pictures` for the chats
    that show a picture; None for a quiet week."""

    async def make(name: str) -> Report | None:
        from cards.render_chart import draw  # matplotlib: only where a picture is drawn

        week = await read_week(service, name)
        if week.quiet:
            return None
        report = weekly_report(week, service.tz)
        return replace(report, picture=pictures.add_image(draw(report.plots), "png"))

    return make


class WeeklySummary:
    def __init__(
        self,
        service: TicketService,
        build: Callable[[str], Awaitable[Report | None]],
        day: str,
        at: time,
        clock: Clock,
        pictures: Pictures,
    ) -> None:
        """`build(week)` makes the summary of an ISO week, or None when there is nothing to
        tell (a site not in use yet); its picture is dropped from `pictures` when another
        replica sent the week first."""
        self._service = service
        self._build = build
        self._pictures = pictures
        self._day = day
        self._at = at
        self._clock = clock

    async def run_once(self) -> int:
        """Queue the due week's summary for the management chats that lack it; how many."""
        week = due_week(self._clock.now(), self._day, self._at, self._service.tz)
        key = f"weekly:{week}"
        if not await self._service.unsent(key, Reach.MANAGEMENT):
            return 0  # the usual case at start-up: the week's summary went out on time
        report = await self._build(week)
        if report is None:
            return 0
        sent = await self._service.send(report, Reach.MANAGEMENT, once=key)
        if not sent and report.picture is not None:
            self._pictures.discard(report.picture)  # a replica at the same minute was first
        log.info("weekly summary %s queued for %d chats", week, sent)
        return sent
