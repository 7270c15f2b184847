"""A ticket's timeline on the resident's page; staff-only events are left out."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tickets.model import Event
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


def local(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"
