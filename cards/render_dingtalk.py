"""A card as the variables of baoxiu's DingTalk card template (`cardParamMap`).

DingTalk draws interactive cards from a template made in its card platform; a sender only
fills the template's variables, each sent as a string of at most 1 KB. The card platform types
each variable, and takes the value of one that is not a String as JSON in that string (API
卡片数据的填写说明, https://open.dingtalk.com/document/development/instructions-for-filling-in-api-card-data:
"数组类型，需要将数组转成 JSONString"). The template (`templates/dingtalk_ticket.json`) declares
the four lists, tags, photos and the two pickers' options, as Array variables, and has fixed
slots for fields, notes and buttons, because a list of fields as one JSON value would pass 1 KB
with a long description.

A template cannot grow a form per button, so the buttons share the card's inputs (`SLOTS`):
a text box, a time box, a person picker and a picker for any other choice. A card in progress offers
转单 (a person) and 暂停 (a kind of pause), an escalation 改派 (a person) and 延期 (how long):
with one picker, their options would be one list to pick from. A finished job's card asks for
no person, and its two choices (how the resident confirmed, how they paid) would share the one
picker: 收费 takes the person picker's place, so every variable of the template keeps its name.

Every value is shown by a plain-text component. Mentions are the one thing DingTalk reads in
any text (`<@userId>`, `<a atId=…>`, `@ALL`), so an `@` or `<` in a resident's words is
followed by a word joiner (U+2060): invisible, and no mention can start there.
"""

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from cards.model import Button, Card, Field, Note

MAX_VALUE_BYTES = 1024
"""DingTalk's limit for one variable's value, in UTF-8 bytes."""
JOINER = "\u2060"


@cache
def template() -> dict[str, Any]:
    """The template's description: its variables and slots, shared with the README and tests."""
    text = files("cards").joinpath("templates/dingtalk_ticket.json").read_text("utf-8")
    return dict(json.loads(text))


def variables() -> dict[str, str]:
    """Each variable's name and its type in the card platform: "string" or "array"."""
    return {name: str(v["type"]) for name, v in template()["variables"].items()}


Slot = Literal["text", "at", "to", "choice"]
SLOTS: Mapping[str, Slot] = {
    "reason": "text",
    "note": "text",
    "at": "at",
    "findings": "at",
    "amount": "at",
    "decision": "choice",
    "to": "to",
    "pause_kind": "choice",
    "minutes": "choice",
    "agreed": "choice",
    "outcome": "choice",
    "method": "to",
}
"""Which of the card's shared inputs holds each form field (every `cards.model.InputName`):
its callback parameter brings the value back, and its variables draw it (`text_label`,
`at_label`; `to_label` and `to_options`, `choice_label` and `choice_options`). A form with
two text fields (改约: the time and why; 完工: what was found and what was done) gets two
boxes; 收款方式 is in the person picker, as no card offers 收费 with 派单 or 转单."""
_PICKERS: tuple[Slot, ...] = ("to", "choice")

EMPTY = {"string": "", "array": "[]"}
"""An unused variable of each type: an empty string is no array."""


def inert(text: str) -> str:
    """Text that cannot start a DingTalk mention, looking the same to a reader."""
    return text.replace("@", "@" + JOINER).replace("<", "<" + JOINER)


def card_params(card: Card, photo_url: Callable[[str], str]) -> dict[str, str]:
    """Every template variable, filled (empty slots hide their row); `photo_url` gives a
    photo's absolute address, as DingTalk fetches it itself."""
    slots = template()["slots"]
    card = _folded(card, slots["fields"], slots["notes"])
    if len(card.buttons) > slots["buttons"]:
        raise ValueError("the card has more buttons than the DingTalk template")
    params = {name: EMPTY[kind] for name, kind in variables().items()}
    params.update(
        title=inert(card.header.title),
        subtitle=inert(card.header.subtitle),
        tone=card.header.tone.value,
        tags=_list([{"text": inert(t.text), "tone": t.tone.value} for t in card.header.tags]),
        images=_list([{"url": photo_url(i.photo), "alt": inert(i.alt)} for i in card.images]),
        footer=inert(card.footer),
    )
    for i, field in enumerate(card.fields, 1):
        params[f"f{i}_label"] = inert(field.label)
        params[f"f{i}_value"] = inert(field.value)
    for i, note in enumerate(card.notes, 1):
        params[f"n{i}_text"] = inert(note.text)
        params[f"n{i}_tone"] = note.tone.value
    for i, button in enumerate(card.buttons, 1):
        params[f"b{i}_label"] = inert(button.label)
        params[f"b{i}_style"] = button.style
        params[f"b{i}_action"] = action(button)
    if card.link is not None:
        params.update(link_label=inert(card.link.label), link_url=card.link.url)
    params.update(_inputs(card.buttons))
    return {name: _fit(value) for name, value in params.items()}


def _folded(card: Card, field_slots: int, note_slots: int) -> Card:
    """The card with what its slots cannot hold one by one shared by its last slot: a
    finished job's last lines (验收 / 结单), an overdue, paused and hurried job's notes. A
    button cannot share a slot: too many of them is the card builder's mistake."""
    if len(card.fields) > field_slots:
        kept, rest = card.fields[: field_slots - 1], card.fields[field_slots - 1 :]
        shared = Field(" / ".join(f.label for f in rest), "；".join(f.value for f in rest))
        card = replace(card, fields=(*kept, shared))
    if len(card.notes) > note_slots:
        first, more = card.notes[: note_slots - 1], card.notes[note_slots - 1 :]
        joined = Note("；".join(n.text for n in more), more[0].tone)
        card = replace(card, notes=(*first, joined))
    return card


def action(button: Button) -> str:
    """What the button sends back: the ticket, verb and version, and which of the card's
    shared inputs it reads (`f`), so that a click carries only its own form's values."""
    value: dict[str, object] = dict(button.value.to_dict())
    if button.inputs:
        value["f"] = [i.name for i in button.inputs]
    return _json(value)


def _inputs(buttons: tuple[Button, ...]) -> dict[str, str]:
    """The card's shared inputs: a text box for reasons and notes, one for a time, a person
    picker and a picker for another choice. Two different choices in one picker would share
    its options, so the card is refused, as one with too many buttons is."""
    inputs = [i for b in buttons for i in b.inputs]
    for picker in _PICKERS:
        if len({i.name for i in inputs if SLOTS[i.name] == picker}) > 1:
            raise ValueError(f"the card asks for two choices in the DingTalk {picker} picker")
    params = {}
    for slot in ("text", "at", *_PICKERS):
        held = [i for i in inputs if SLOTS[i.name] == slot]
        params[f"{slot}_label"] = inert(" / ".join(_unique(i.label for i in held)))
        if slot in _PICKERS:
            options = {o.value: o for i in held for o in i.options}
            listed = [{"value": o.value, "text": inert(o.label)} for o in options.values()]
            params[f"{slot}_options"] = _list(listed)
    return params


def _list(items: list[dict[str, str]]) -> str:
    """As many items as fit in one value: a very large team loses the last of its names."""
    while len(value := _json(items).encode()) > MAX_VALUE_BYTES:
        items = items[:-1]
    return value.decode()


def _unique(labels: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(labels))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _fit(value: str) -> str:
    """Cut a value to DingTalk's 1 KB, on a character boundary, marking the cut."""
    if len(value.encode()) <= MAX_VALUE_BYTES:
        return value
    cut = value.encode()[: MAX_VALUE_BYTES - len("…".encode())].decode("utf-8", "ignore")
    return cut + "…"


_MARKUP = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "*": "＊",
        "_": "＿",
        "#": "＃",
        "`": "｀",
        "<": "＜",
        ">": "＞",
        "!": "！",
        "|": "｜",
        "~": "～",
        "\\": "＼",
    }
)


def plain(text: str) -> str:
    """Text that DingTalk's markdown shows as it is: each character markdown reads becomes
    its full-width twin, which a Chinese reader takes for ordinary punctuation (DingTalk
    documents no escape character), and no mention can start in it."""
    return inert(" ".join(text.split()).translate(_MARKUP))


def markdown(card: Card, photo_url: Callable[[str], str]) -> tuple[str, str]:
    """A card with nothing to click as a robot message (`sampleMarkdown`): its title, and
    its text. DingTalk has no chart in a markdown message: the charts come as their picture,
    fetched by DingTalk from `photo_url`, or, without one, as lines of figures."""
    lines = [f"#### {plain(card.header.title)}"]
    if card.header.subtitle:
        lines.append(plain(card.header.subtitle))
    lines += [f"> {plain(note.text)}" for note in card.notes]
    lines += [f"- **{plain(f.label)}**：{plain(f.value)}" for f in card.fields]
    for section in card.sections:
        lines.append(f"**{plain(section.title)}**")
        lines += [f"- {plain(line)}" for line in section.lines]
    if card.picture is not None:
        lines.append(f"![{plain(card.picture.alt)}]({photo_url(card.picture.photo)})")
    else:
        for chart in card.charts:
            lines.append(f"**{plain(chart.title)}**")
            for i, category in enumerate(chart.categories):
                values = "，".join(f"{plain(s.name)} {s.values[i]:g}" for s in chart.series)
                lines.append(f"- {plain(category)}：{values}")
    if card.footer:
        lines.append(plain(card.footer))
    return plain(card.header.title), "\n\n".join(lines)
