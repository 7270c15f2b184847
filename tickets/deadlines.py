"""The SLA policy and the deadlines it sets: to accept, to arrive and to complete a job.

Each urgency promises three times (accept within 15 minutes, …), counted round the clock or
in working time (`tickets.worktime`); a category may promise otherwise (a lift is never left
for a working day). The policy is plain data made from the config; the deadlines are worked
out here and nowhere else, so the CLI, the cards and the watcher agree.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from tickets.states import Status, Urgency
from tickets.worktime import WorkCalendar


class Step(StrEnum):
    ACCEPT = "accept"
    """claimed or dispatched, counted from the report"""
    ARRIVE = "arrive"
    """started on site, counted from acceptance"""
    COMPLETE = "complete"
    """completed, counted from arrival"""


class Counting(StrEnum):
    ALWAYS = "always"
    """round the clock"""
    WORKING = "working"
    """working hours on working days only"""


@dataclass(frozen=True)
class Target:
    """What one urgency (or one category) promises, in minutes of its clock."""

    minutes: Mapping[Step, int]
    clock: Counting


@dataclass(frozen=True)
class TargetChange:
    """A category's changes to its urgency's target: what it leaves None stands."""

    minutes: Mapping[Step, int]
    clock: Counting | None = None


@dataclass(frozen=True)
class Rung:
    """One step of an escalation chain: whom a missed deadline reaches, and how long after."""

    after_minutes: int
    """Minutes of the ticket's clock after the deadline."""
    to: str
    """assignee, team, supervisors, management, on_duty, or member:<id>."""


@dataclass(frozen=True)
class Policy:
    targets: Mapping[Urgency, Target]
    categories: Mapping[str, TargetChange]
    calendar: WorkCalendar
    escalation: tuple[Rung, ...] = ()
    """The chain a ticket opened now copies."""
    release_unstarted: bool = False
    """A claim-team job accepted but not started by its arrive deadline goes back to the pool."""
    auto_close_after: timedelta | None = timedelta(days=3)
    """A completed job the resident has not confirmed by then is closed by baoxiu."""

    def target(self, urgency: Urgency, category: str | None = None) -> Target:
        target = self.targets[urgency]
        change = self.categories.get(category or "")
        if change is None:
            return target
        minutes = {**target.minutes, **change.minutes}
        return replace(target, minutes=minutes, clock=change.clock or target.clock)

    def due(self, target: Target, step: Step, start: datetime) -> datetime:
        """When `step` is due if its clock started at `start`."""
        return self.later(target, start, target.minutes[step])

    def later(self, target: Target, start: datetime, minutes: int) -> datetime:
        """`minutes` of the target's clock after `start`; none at all is `start` itself, even
        at the end of a working day."""
        if minutes == 0:
            return start
        if target.clock is Counting.ALWAYS:
            return start + timedelta(minutes=minutes)
        return self.calendar.add(start, minutes)

    def stood(self, target: Target, since: datetime, until: datetime) -> int:
        """Minutes of the target's clock from `since` to `until`: how long a stopped clock
        stood still, counted as it would have run."""
        if target.clock is Counting.ALWAYS:
            return round((until - since).total_seconds() / 60)
        return round(self.calendar.between(since, until).total_seconds() / 60)

    def plan(
        self, urgency: Urgency, start: datetime, category: str | None = None
    ) -> dict[Step, datetime]:
        """Each step's deadline counted from `start`, as if every step before it happened
        at that moment: what an administrator checks the calendar with."""
        target = self.target(urgency, category)
        return {step: self.due(target, step, start) for step in Step}


def restarted(
    policy: Policy,
    urgency: Urgency,
    category: str,
    to_status: Status,
    now: datetime,
    appointment: datetime | None = None,
) -> dict[str, datetime | None]:
    """The due times a change sets, by the state it enters at `now`: a job back in the pool
    must be accepted again, an accepted one (a transfer or a rework included) reached, a
    started one done; what comes later is not yet due. Other states leave them as they are.
    An accepted job whose `appointment` with the resident (期望上门时间) is later than the
    policy's arrive deadline is due then: nobody is late for a visit the resident asked for."""
    target = policy.target(urgency, category)
    if to_status is Status.NEW:
        due = policy.due(target, Step.ACCEPT, now)
        return {"accept_due": due, "arrive_due": None, "complete_due": None}
    if to_status is Status.ASSIGNED:
        arrive = policy.due(target, Step.ARRIVE, now)
        if appointment is not None and appointment > arrive:
            arrive = appointment
        return {"arrive_due": arrive, "complete_due": None}
    if to_status is Status.IN_PROGRESS:
        return {"complete_due": policy.due(target, Step.COMPLETE, now)}
    return {}
