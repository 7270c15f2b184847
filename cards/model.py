"""The platform-neutral card: what a ticket card says, before any platform's markup.

Every string here is plain text. Renderers escape it for their own markup (HTML, Feishu
markdown, DingTalk template strings), so a resident's words can never become a mention, a
link or formatting, whatever they typed.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from tickets.actions import MAX_TEXT, Verb


class Tone(StrEnum):
    RED = "red"
    ORANGE = "orange"
    BLUE = "blue"
    GREEN = "green"
    GREY = "grey"


@dataclass(frozen=True)
class ActionValue:
    """What a button carries back when clicked: shared by the card builder and the handler.

    The version tells the handler which state of the ticket the clicker was looking at, so a
    click on a stale card is recognised; `escalation` that the card was an escalation's, so
    that its answer keeps the escalation's buttons.
    """

    number: str
    verb: Verb
    version: int
    escalation: bool = False

    def to_dict(self) -> dict[str, str | int]:
        value: dict[str, str | int] = {"n": self.number, "v": self.verb.value, "r": self.version}
        if self.escalation:
            value["e"] = 1
        return value

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> "ActionValue":
        number, verb, version = data.get("n"), data.get("v"), data.get("r")
        if not isinstance(number, str) or not isinstance(verb, str):
            raise ValueError("button value needs a ticket number and a verb")
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValueError("button value needs an integer version")
        return cls(number=number, verb=Verb(verb), version=version, escalation=data.get("e") == 1)


@dataclass(frozen=True)
class Option:
    value: str
    label: str


InputName = Literal[
    "reason",
    "note",
    "findings",
    "to",
    "minutes",
    "pause_kind",
    "at",
    "decision",
    "amount",
    "agreed",
    "outcome",
    "method",
]
"""The Command fields a card's form can fill."""


@dataclass(frozen=True)
class Input:
    """One form field; its `name` is the Command field it fills."""

    name: InputName
    label: str
    kind: Literal["text", "select"]
    required: bool
    options: tuple[Option, ...] = ()
    placeholder: str = ""
    max_length: int = MAX_TEXT


@dataclass(frozen=True)
class Button:
    label: str
    value: ActionValue
    style: Literal["primary", "danger", "default"] = "default"
    inputs: tuple[Input, ...] = ()
    """A button with inputs is a small form (pause reason, transfer target, …)."""


@dataclass(frozen=True)
class Link:
    """A button that opens a page instead of acting: what a chat card's form cannot hold
    (the completion page's fee lines, materials and photos)."""

    label: str
    url: str


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Note:
    text: str
    tone: Tone


@dataclass(frozen=True)
class Image:
    photo: str
    """The stored photo's name: each renderer makes it what its platform shows (a URL, an
    uploaded image's key)."""
    alt: str


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """A small chart for summary cards (weekly figures by team, technician, category)."""

    title: str
    kind: Literal["bar", "line", "pie"]
    categories: tuple[str, ...]
    series: tuple[Series, ...]


@dataclass(frozen=True)
class Section:
    """A titled list on a summary card (the oldest overdue jobs, the top technicians)."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Tag:
    text: str
    tone: Tone


@dataclass(frozen=True)
class Header:
    title: str
    subtitle: str
    tone: Tone
    tags: tuple[Tag, ...] = ()


@dataclass(frozen=True)
class Card:
    header: Header
    fields: tuple[Field, ...] = ()
    notes: tuple[Note, ...] = ()
    images: tuple[Image, ...] = ()
    buttons: tuple[Button, ...] = ()
    link: Link | None = None
    sections: tuple[Section, ...] = ()
    charts: tuple[Chart, ...] = ()
    picture: Image | None = None
    """The charts drawn as an image, for a renderer without a chart of its own (DingTalk's
    markdown, the sandbox); Feishu draws `charts` itself."""
    footer: str = ""
