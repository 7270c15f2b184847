"""A team's daily digest (今日待办) in its group, at the team's `digest` time, site time.

Sent under the key `digest:{team}:{day}` (`TicketService.send(once=…)`), so several
replicas at the minute, a restart or the catch-up run at start-up send it once a day. The
catch-up sends today's digest late, never yesterday's: a morning list read in the afternoon
still helps; yesterday's is stale. A team with nothing open gets nothing.
"""

from datetime import datetime, time

from tickets.clock import Clock
from tickets.digest import digest
from tickets.recipients import Reach
from tickets.service import TicketService


class DailyDigest:
    def __init__(self, service: TicketService, team_id: str, at: time, clock: Clock) -> None:
        self._service = service
        self._team = team_id
        self._at = at
        self._clock = clock

    async def run_once(self) -> int:
        """Queue today's digest for the team's chats that lack it, once its time has come;
        how many chats it went to."""
        service, now = self._service, self._clock.now()
        local = now.astimezone(service.tz)
        if local < datetime.combine(local.date(), self._at, service.tz):
            return 0
        key = f"digest:{self._team}:{local.date():%Y-%m-%d}"
        if not await service.unsent(key, Reach.TEAM, self._team):
            return 0
        team = service.directory.teams[self._team]
        tickets = await service.open_jobs_of(self._team)
        report = digest(team.name, tickets, service.directory, now, service.tz)
        if report is None:
            return 0
        return await service.send(report, Reach.TEAM, once=key, team=self._team)
