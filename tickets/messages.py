"""What the outbox carries: a ticket's card, or a message baoxiu sends on its own.

Every message is a plain value written in the transaction that decided to send it, and
rendered for each platform only when the delivery worker sends it. A ticket card is posted
once per chat and edited in place as the ticket changes; the other kinds are posted once and
never edited: a reminder is meant to ring, and a report is the figures of its moment.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal


class MessageKind(StrEnum):
    TICKET_CARD = "ticket_card"
    NOTE = "note"
    """A few words to one member: nothing to click."""
    REMINDER = "reminder"
    """A reminder or an escalation about a ticket: its card, headed by why it was sent, with
    the buttons its reader may use."""
    ESCALATION = "escalation"
    """An overdue ticket's step up its escalation chain: its card, headed by what was missed,
    with what the reader can do about it (改派, 联系师傅, 延期, 我来处理)."""
    VISIT = "visit"
    """A closed ticket's due return visit (回访), on the agents' chat: its card, headed by
    which call this is, with the button to record how it went."""
    REPORT = "report"
    """Figures not tied to one ticket (the weekly summary), with a chart."""

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    MessageKind.TICKET_CARD: "工单卡片",
    MessageKind.NOTE: "通知",
    MessageKind.REMINDER: "提醒",
    MessageKind.ESCALATION: "升级提醒",
    MessageKind.VISIT: "回访",
    MessageKind.REPORT: "报表",
}


@dataclass(frozen=True)
class TicketCard:
    kind = MessageKind.TICKET_CARD


@dataclass(frozen=True)
class Note:
    title: str
    text: str
    kind = MessageKind.NOTE


@dataclass(frozen=True)
class Reminder:
    """Sent as the ticket's card for the chat it goes to (that chat's buttons and view of
    the resident's contact), headed by `text`."""

    text: str
    """Why it was sent, e.g. 超过接单时限 30 分钟，仍无人接单."""
    kind = MessageKind.REMINDER


@dataclass(frozen=True)
class Escalation:
    text: str
    """What was missed, e.g. 接单已超时30分钟，仍无人接单."""
    step: int
    """The step of the ticket's chain, from 1; 0 for a complaint (a poor rating, a rework),
    which climbs no chain: the team's supervisor hears of it at once."""
    kind = MessageKind.ESCALATION


@dataclass(frozen=True)
class Visit:
    attempt: int
    """Which call this is, from 1."""
    kind = MessageKind.VISIT

    @property
    def text(self) -> str:
        return f"回访：请致电业主，确认维修效果（第 {self.attempt} 次）"


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Plot:
    """A report's chart: one value per category in each series."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    kind: Literal["bar", "line"] = "bar"


@dataclass(frozen=True)
class Section:
    """A titled list in a report (超时未完成, 师傅排行, 重复报修地点)."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    title: str
    period: str
    """The time the figures cover, in words: 11月23日—11月29日."""
    figures: tuple[tuple[str, str], ...]
    """(label, value) lines, in the order they are read."""
    sections: tuple[Section, ...] = ()
    plots: tuple[Plot, ...] = ()
    picture: str | None = None
    """The plots drawn as one stored image (PNG), for a chat that has no chart of its own
    (DingTalk, the sandbox); None when there are no plots."""
    kind = MessageKind.REPORT


Sent = Note | Reminder | Escalation | Visit | Report
"""What baoxiu sends on its own; a ticket's card is the outbox's own business."""
Message = TicketCard | Sent


def to_json(message: Message) -> dict[str, Any]:
    """The message as the outbox stores it (its kind goes in a column of its own)."""
    return dataclasses.asdict(message)


def from_json(kind: str, data: Mapping[str, Any]) -> Message:
    match MessageKind(kind):
        case MessageKind.TICKET_CARD:
            return TicketCard()
        case MessageKind.NOTE:
            return Note(title=str(data["title"]), text=str(data["text"]))
        case MessageKind.REMINDER:
            return Reminder(text=str(data["text"]))
        case MessageKind.ESCALATION:
            return Escalation(text=str(data["text"]), step=int(data["step"]))
        case MessageKind.VISIT:
            return Visit(attempt=int(data["attempt"]))
        case MessageKind.REPORT:
            return Report(
                title=str(data["title"]),
                period=str(data["period"]),
                figures=tuple((str(label), str(value)) for label, value in data["figures"]),
                sections=tuple(
                    Section(str(s["title"]), tuple(str(line) for line in s["lines"]))
                    for s in data.get("sections", ())
                ),
                plots=tuple(
                    Plot(
                        str(p["title"]),
                        tuple(str(c) for c in p["categories"]),
                        tuple(
                            Series(str(s["name"]), tuple(float(v) for v in s["values"]))
                            for s in p["series"]
                        ),
                        "line" if p.get("kind") == "line" else "bar",
                    )
                    for p in data.get("plots", ())
                ),
                picture=str(data["picture"]) if data.get("picture") else None,
            )
