"""The resident's verdict on a finished job: three sets of stars, and how they agreed.

A rating of DISSATISFIED stars or fewer in any part is a complaint: the team's supervisor
hears of it at once and the statistics count it (the seed's 《客户投诉/意见统计表》).
"""

from dataclasses import dataclass
from enum import StrEnum

from tickets.events import EventKind, Reopened
from tickets.model import Event, Ticket

STARS = range(1, 6)
DISSATISFIED = 2
"""Stars at or below which a part of a rating counts as a complaint."""

PARTS = {"overall": "总体满意度", "speed": "响应速度", "attitude": "师傅服务态度"}
"""The three things rated, in the order the page asks them."""


@dataclass(frozen=True)
class Rating:
    overall: int
    speed: int
    attitude: int
    comment: str | None = None

    @property
    def dissatisfied(self) -> bool:
        return min(self.overall, self.speed, self.attitude) <= DISSATISFIED

    def words(self) -> str:
        """总体 4 星、响应速度 5 星、师傅服务态度 5 星, as a timeline or a card says it."""
        return "、".join(f"{what} {getattr(self, part)} 星" for part, what in PARTS.items())


class Agreement(StrEnum):
    """How a resident without the status page agreed that staff confirm for them."""

    IN_PERSON = "in_person"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return {"in_person": "当面", "phone": "电话"}[self.value]


def rating_of(ticket: Ticket) -> Rating | None:
    if ticket.rating_overall is None or ticket.rating_speed is None:
        return None
    if ticket.rating_attitude is None:
        return None
    return Rating(
        ticket.rating_overall, ticket.rating_speed, ticket.rating_attitude, ticket.rating_comment
    )


def is_complaint(ticket: Ticket) -> bool:
    """Whether the statistics count the ticket as a complaint: the resident rated a part of
    it DISSATISFIED or worse, or it had to be redone."""
    rating = rating_of(ticket)
    return ticket.rework_count > 0 or (rating is not None and rating.dissatisfied)


def dissatisfaction(before: Ticket, after: Ticket, event: Event) -> str | None:
    """What the team's supervisor must hear at once about this change, or None: a rating of
    DISSATISFIED stars or fewer in any part, or a job sent back for rework."""
    if event.kind is EventKind.REOPEN and after.rework_count > before.rework_count:
        why = event.details.reason if isinstance(event.details, Reopened) else None
        text = f"{event.actor_name}反馈没修好，第 {after.rework_count} 次返工"
        return f"{text}：{why}" if why else text
    rating = rating_of(after)
    if rating is None or after.rated_at == before.rated_at or not rating.dissatisfied:
        return None
    text = f"业主不满意（{rating.words()}）"
    return f"{text}：{rating.comment}" if rating.comment else text
