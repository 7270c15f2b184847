"""A ticket's timeline in the words a resident understands; staff-only events are left out."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tickets.actions import Verb
from tickets.model import Event
from tickets.states import Status


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
    """The event in a resident's words; staff-only events (notes, reveals) are left out."""
    details = event.details
    reason = details.get("reason")
    match event.action:
        case "create":
            return Step(local(event.at, tz), "已受理", "报修已提交，正在安排维修师傅")
        case Verb.CLAIM:
            title = f"{event.actor_name}已接单"
        case Verb.DISPATCH:
            title = f"已安排{details.get('to_name', '维修师傅')}为您维修"
        case Verb.TRANSFER if "to_name" in details:
            title = f"已改由{details['to_name']}为您维修"
        case Verb.TRANSFER | Verb.HAND_BACK:
            title = "正在重新安排维修师傅"
        case Verb.START:
            title = f"{event.actor_name}已到场维修"
        case Verb.PAUSE:
            return Step(local(event.at, tz), f"暂停：{reason}")
        case Verb.RESUME:
            title = "继续维修"
        case Verb.COMPLETE:
            note = details.get("note")
            return Step(
                local(event.at, tz), "维修完成，请您验收", f"维修结果：{note}" if note else None
            )
        case Verb.CONFIRM:
            title = "已验收"
        case Verb.REOPEN:
            return Step(local(event.at, tz), "已安排返工", f"原因：{reason}")
        case Verb.CLOSE:
            title = "已结单"
        case Verb.CANCEL:
            return Step(local(event.at, tz), "已取消", f"原因：{reason}")
        case _:
            return None
    return Step(local(event.at, tz), title)


def local(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"
