"""Return visits (回访): which closed jobs customer service calls back, when, and what came of it.

A category's rule says whether its closed jobs get a visit `never`, `if_not_rated` (the
resident gave no stars: nobody knows whether the fix lasted) or `always`, and how many days
after closing it comes due. A category without a rule gets none: a site opts in.

The ticket keeps when its visit is due (`visit_due_at`, indexed for the watcher), how many
times the agents' chat was asked (`visit_attempt`) and what came of it (`visit_outcome`). The
watcher puts a due visit on the agents' chat and clears the due time in one transaction, so
it is sent once however many replicas run; an agent records the outcome. A resident nobody
reached is tried again a day later, `MAX_ATTEMPTS` times in all.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tickets.model import Ticket

MAX_ATTEMPTS = 3
"""Calls to a resident nobody reaches before the visit is recorded as unreachable."""

RETRY_AFTER = timedelta(days=1)


class VisitWhen(StrEnum):
    NEVER = "never"
    IF_NOT_RATED = "if_not_rated"
    ALWAYS = "always"


class VisitOutcome(StrEnum):
    RESOLVED = "resolved"
    RECURRED = "recurred"
    """The problem is back: a new ticket, linked to this one, is opened."""
    UNREACHABLE = "unreachable"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    VisitOutcome.RESOLVED: "已解决",
    VisitOutcome.RECURRED: "问题复发",
    VisitOutcome.UNREACHABLE: "联系不上",
}


@dataclass(frozen=True)
class VisitRule:
    when: VisitWhen
    after_days: int
    category: str | None = None
    """The category it applies to; None for any category without a rule of its own."""


@dataclass(frozen=True)
class VisitPolicy:
    rules: Mapping[str | None, VisitRule]

    @classmethod
    def of(cls, rules: Iterable[VisitRule]) -> "VisitPolicy":
        return cls({rule.category: rule for rule in rules})

    def due(self, ticket: Ticket, closed_at: datetime) -> datetime | None:
        """When the closed `ticket`'s visit comes due, or None when it gets none."""
        rule = self.rules.get(ticket.category) or self.rules.get(None)
        if rule is None or rule.when is VisitWhen.NEVER:
            return None
        if rule.when is VisitWhen.IF_NOT_RATED and ticket.rating_overall is not None:
            return None
        return closed_at + timedelta(days=rule.after_days)


def awaiting_outcome(ticket: Ticket) -> bool:
    """The visit is on the agents' chat and nobody has recorded how it went."""
    return ticket.visit_attempt > 0 and ticket.visit_due_at is None and not ticket.visit_outcome


def recorded(ticket: Ticket, outcome: VisitOutcome, now: datetime) -> dict[str, Any]:
    """The ticket's changes when an agent records `outcome`: an unreachable resident is
    called again a day later, until the last attempt, which records the visit as such."""
    if outcome is VisitOutcome.UNREACHABLE and ticket.visit_attempt < MAX_ATTEMPTS:
        return {"visit_due_at": now + RETRY_AFTER}
    return {"visit_outcome": outcome.value}


def follow_up_key(ticket: Ticket) -> str:
    """The submission key of the ticket a recurred problem opens: one per visit attempt,
    so a retried call finds the ticket the first made."""
    return f"visit:{ticket.number}:{ticket.visit_attempt}"
