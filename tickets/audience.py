"""Who a ticket card is shown to, and where.

A team group card is shared by dozens of people, so it masks the resident's contact and offers
the team's actions; a direct card goes to one member (the assignee) and shows it in full. The
delivery planner decides the addresses, the card builder decides what each audience sees.
"""

from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    TEAM = "team"
    SUPERVISORS = "supervisors"
    MANAGEMENT = "management"
    AGENTS = "agents"
    """Customer service's chat: return visits (回访)."""
    DIRECT = "direct"

    @property
    def is_private(self) -> bool:
        return self is Audience.DIRECT


@dataclass(frozen=True)
class CardAddress:
    platform: str
    chat_id: str
    audience: Audience
    member_id: str | None = None
    """The one member who sees a DIRECT card."""
