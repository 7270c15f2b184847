"""A ticket's timeline on the resident's page; staff-only events are left out."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tickets.model import Event, Ticket
from tickets.states import Status
from tickets.words import for_resident


@dataclass(frozen=True)
class Step:
    """One line of the resident's timeline."""

    at: str
    title: str
    detail: str | None = None


HEADLINES = {
    Status.NEW: "已受理，正在安排师傅",
    Status.ASSIGNED: "师傅已接单",
    Status.IN_PROGRESS: "维修中",
    Status.PAUSED: "暂停维修",
    Status.COMPLETED: "维修完成，请您验收",
    Status.CONFIRMED: "已验收",
    Status.CLOSED: "已结单",
    Status.CANCELLED: "已取消",
}
ENDED = frozenset({Status.CLOSED, Status.CANCELLED})


def step(event: Event, tz: ZoneInfo) -> Step | None:
    """The event as the resident's page shows it; the crew's own business is left out."""
    words = for_resident(event)
    if words is None:
        return None
    return Step(local(event.at, tz), words.title, words.detail)


def promise(ticket: Ticket, tz: ZoneInfo) -> str | None:
    """What the resident is promised next, by the ticket's due time for it."""
    match ticket.status:
        case Status.NEW if ticket.accept_due:
            return f"预计 {local(ticket.accept_due, tz)} 前安排好师傅"
        case Status.ASSIGNED if ticket.arrive_due and ticket.arrive_due == ticket.appointment_at:
            return f"师傅约好 {local(ticket.arrive_due, tz)} 上门"
        case Status.ASSIGNED if ticket.arrive_due:
            return f"师傅预计 {local(ticket.arrive_due, tz)} 前上门"
        case Status.IN_PROGRESS | Status.PAUSED if ticket.complete_due:
            return f"预计 {local(ticket.complete_due, tz)} 前修好"
    return None


def local(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"
