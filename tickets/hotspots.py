"""Hot spots: the same fault again and again at one place or in one building, as candidates
for preventive work (a riser that keeps leaking, a lift that keeps stopping).

A hot spot is a place (`Ticket.place`) or a building with at least `min_count` faults of one
category opened within the window. What counts is a fault: a cancelled report is none, and
a report marked as possibly repeating another (five neighbours, one burst pipe) is that
other's fault, not one more. A building is listed only when its faults are at more than one
place: one flat's three leaks are that flat's hot spot, not the building's as well. Storage
counts them with one SQL aggregate; this module holds the rule's terms and the order.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

LATEST = 5
"""How many of a hot spot's ticket numbers are listed, the latest first."""


@dataclass(frozen=True)
class HotspotRule:
    window_days: int = 30
    min_count: int = 3

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days)


@dataclass(frozen=True)
class Hotspot:
    place: str | None
    """The place, or None for a building's faults at several places."""
    building: str | None
    category: str
    count: int
    numbers: tuple[str, ...]
    """The latest `LATEST` tickets counted, the latest first."""
    first_at: datetime
    last_at: datetime


def ranked(found: Iterable[Hotspot]) -> list[Hotspot]:
    """Most faults first; of as many, the most recent first, then by name (a stable list)."""
    return sorted(
        found, key=lambda h: (-h.count, -h.last_at.timestamp(), h.place or h.building or "")
    )
