"""A card as a Feishu card in JSON 2.0: the `content` of an `interactive` message.

Every card string goes into a `plain_text` element, never into `markdown` or `lark_md`: Feishu
shows plain text as typed, so a resident's `<at id=all></at>` or `[link](…)` stays text.

The shapes follow Feishu's card JSON 2.0 documents (feishu-cards/card-json-v2-structure and
card-json-v2-components on open.feishu.cn), which reject any property they do not list, and
keep forms at the root of the body, the only place 2.0 allows them.
"""

import json
from collections.abc import Iterator, Mapping
from dataclasses import replace

from cards.model import Button, Card, Chart, Field, Header, Image, Input, Link, Note, Section, Tone
from tickets.actions import Verb

Json = dict[str, object]

MAX_BYTES = 30_000
"""Feishu refuses a card message whose request body is over 30 KB (230025, "卡片及富文本消息请求体
最大不能超过30KB", im-v1/message/create and patch); KB read as 1000 bytes, the safe reading."""
ENVELOPE_BYTES = 200
"""What a send's body holds besides the card: `receive_id`, `msg_type`, a `uuid` of up to 50
characters, their keys and quotes."""

_KEEP = 40
"""Characters a field value keeps, at least, when the card must shrink to fit."""

_TEMPLATE = {
    Tone.RED: "red",
    Tone.ORANGE: "orange",
    Tone.BLUE: "blue",
    Tone.GREEN: "green",
    Tone.GREY: "grey",
}
"""Header colours, and text colours: both take the base names of Feishu's colour list."""

_TAG_COLOUR = {**_TEMPLATE, Tone.GREY: "neutral"}
"""Header tags have no `grey`; their grey is called `neutral`."""

_BORDER = {"primary": "blue", "danger": "red", "default": "grey"}


def render_feishu(card: Card, image_keys: Mapping[str, str]) -> Json:
    """The card as Feishu JSON; `image_keys` maps an image's photo to its uploaded `img_key`.

    Images without a key are left out. A card whose request would be over Feishu's size
    limit loses its images first (the words are the ticket), then the end of its longest
    field values.
    """
    rendered = _card(card, image_keys)
    if request_bytes(rendered) <= MAX_BYTES:
        return rendered
    card = replace(card, images=())
    rendered = _card(card, {})
    while (excess := request_bytes(rendered) - MAX_BYTES) > 0:
        card = _shorten(card, excess)
        rendered = _card(card, {})
    return rendered


def card_content(card: Card, image_keys: Mapping[str, str]) -> str:
    """The compact JSON string a message's `content` carries."""
    return _dumps(render_feishu(card, image_keys))


def field_name(verb: Verb, input_name: str) -> str:
    """The component name an input gets, which keys its answer in the click's `form_value`.

    Names must be unique across the whole card, and two forms may both ask for a `reason`.
    """
    return f"{verb.value}_{input_name}"


def _dumps(rendered: Json) -> str:
    return json.dumps(rendered, ensure_ascii=False, separators=(",", ":"))


def request_bytes(rendered: Json) -> int:
    """The bytes of the largest request that carries the card, as Feishu's limit counts them:
    a send, whose `content` is the card's JSON in a string, so each quote and backslash in it
    is escaped once more, in a body written with non-ASCII characters escaped (`\\u6f0f`, 6
    bytes where UTF-8 takes 3: httpx before 0.28, which lark-oapi allows, writes JSON so). A
    callback answer or a delayed update carries the card as an object, which is smaller."""
    return len(json.dumps(_dumps(rendered))) + ENVELOPE_BYTES


def _cost(text: str) -> int:
    """What `text` adds to `request_bytes` as (part of) a string in the card."""
    return len(json.dumps(json.dumps(text, ensure_ascii=False)[1:-1])) - len('""')


def _shorten(card: Card, excess: int) -> Card:
    """Cut the end of the longest field value, by `excess` bytes of JSON if it can spare them."""
    longest = max(card.fields, key=lambda f: len(f.value), default=None)
    if longest is None or len(longest.value) <= _KEEP + 1:
        raise ValueError(f"card is {excess} bytes over Feishu's limit with its fields cut short")
    value, keep, saved = longest.value, len(longest.value), -_cost("…")
    while saved < excess and keep > _KEEP:
        keep -= 1
        saved += _cost(value[keep])
    cut = replace(longest, value=value[:keep] + "…")
    return replace(card, fields=tuple(cut if f is longest else f for f in card.fields))


def _card(card: Card, image_keys: Mapping[str, str]) -> Json:
    elements: list[object] = [
        *map(_field, card.fields),
        *map(_note, card.notes),
        *_images([(i, image_keys[i.photo]) for i in card.images if i.photo in image_keys]),
        *(part for section in card.sections for part in _section(section)),
        *map(_chart, card.charts),
        *_actions(card.buttons, card.link),
        *([_div(card.footer, text_size="notation", text_color="grey")] if card.footer else []),
    ]
    return {
        "schema": "2.0",
        "config": {"update_multi": True},
        "header": _header(card.header),
        "body": {"vertical_spacing": "8px", "elements": elements},
    }


def _text(content: str, **style: str) -> Json:
    return {"tag": "plain_text", "content": content, **style}


def _div(content: str, **style: str) -> Json:
    return {"tag": "div", "text": _text(content, **style)}


def _header(header: Header) -> Json:
    rendered: Json = {"title": _text(header.title), "template": _TEMPLATE[header.tone]}
    if header.subtitle:
        rendered["subtitle"] = _text(header.subtitle)
    if header.tags:
        rendered["text_tag_list"] = [
            {"tag": "text_tag", "text": _text(tag.text), "color": _TAG_COLOUR[tag.tone]}
            for tag in header.tags
        ]
    return rendered


def _column(weight: int, *elements: Json) -> Json:
    return {"tag": "column", "width": "weighted", "weight": weight, "elements": list(elements)}


def _field(field: Field) -> Json:
    """A row: a narrow grey label beside its value, so a ticket reads as a compact table."""
    return {
        "tag": "column_set",
        "flex_mode": "none",
        "horizontal_spacing": "8px",
        "columns": [
            _column(1, _div(field.label, text_color="grey")),
            _column(4, _div(field.value)),
        ],
    }


def _note(note: Note) -> Json:
    return _div(note.text, text_color=_TEMPLATE[note.tone])


def _section(section: Section) -> Iterator[Json]:
    """Its title, then one line each: plain text, so nothing a resident typed (a place in a
    hot spot) can format or link."""
    yield _div(section.title, text_size="heading-4")
    yield _div("\n".join(f"· {line}" for line in section.lines) or "—")


def _images(images: list[tuple[Image, str]]) -> Iterator[Json]:
    """Photos side by side, four to a row: thumbnails a tap enlarges, not a wall of pictures."""
    for start in range(0, len(images), 4):
        yield {
            "tag": "column_set",
            "flex_mode": "none",
            "horizontal_spacing": "4px",
            "columns": [
                _column(1, {"tag": "img", "img_key": key, "alt": _text(image.alt)})
                for image, key in images[start : start + 4]
            ],
        }


def _chart(chart: Chart) -> Json:
    """A VChart spec over one flat table of category, series and value rows.

    Bars group each category's series side by side; a pie shows the first series.
    """
    rows = [
        {"category": category, "series": series.name, "value": value}
        for series in chart.series[: 1 if chart.kind == "pie" else None]
        for category, value in zip(chart.categories, series.values, strict=True)
    ]
    spec: Json = {"type": chart.kind, "title": {"text": chart.title}, "data": {"values": rows}}
    if chart.kind == "pie":
        spec |= {"categoryField": "category", "valueField": "value", "label": {"visible": True}}
    else:
        x_field: object = ["category", "series"] if chart.kind == "bar" else "category"
        spec |= {"xField": x_field, "yField": "value", "seriesField": "series"}
    spec["legends"] = {"visible": True, "orient": "bottom"}
    return {"tag": "chart", "chart_spec": spec}


def _callback(button: Button) -> list[Json]:
    return [{"type": "callback", "value": button.value.to_dict()}]


def _actions(buttons: tuple[Button, ...], link: Link | None) -> Iterator[Json]:
    """Plain buttons and the link share one row; each button with inputs is a form of its
    own.

    A form may only sit at the root of the body, so it cannot join the row.
    """
    plain = [(b.label, b.style, _callback(b)) for b in buttons if not b.inputs]
    if link is not None:
        plain.append((link.label, "default", [{"type": "open_url", "default_url": link.url}]))
    if plain:
        yield {
            "tag": "column_set",
            "flex_mode": "flow",
            "horizontal_spacing": "8px",
            "columns": [
                {
                    "tag": "column",
                    "width": "auto",
                    "elements": [
                        {
                            "tag": "button",
                            "type": style,
                            "text": _text(label),
                            "behaviors": behaviours,
                        }
                    ],
                }
                for label, style, behaviours in plain
            ],
        }
    yield from (_form(b) for b in buttons if b.inputs)


def _form(button: Button) -> Json:
    """A folded panel titled with the button: one line until opened, like the sandbox's
    `<details>`. The submit button carries the same callback value as a plain button would;
    it names the verb alone (确定派单), the panel's title having said whose button it is.
    """
    verb = button.value.verb
    return {
        "tag": "form",
        "name": f"{verb.value}_form",
        "elements": [
            {
                "tag": "collapsible_panel",
                "expanded": False,
                "header": {
                    "title": _text(button.label),
                    "icon": {
                        "tag": "standard_icon",
                        "token": "down-small-ccm_outlined",
                        "size": "16px 16px",
                    },
                    "icon_position": "right",
                    "icon_expanded_angle": -180,
                },
                "border": {"color": _BORDER[button.style], "corner_radius": "6px"},
                "padding": "4px 8px 8px 8px",
                "vertical_spacing": "8px",
                "elements": [
                    *(part for i in button.inputs for part in _input(verb, i)),
                    {
                        "tag": "button",
                        "name": field_name(verb, "submit"),
                        "type": button.style,
                        "text": _text(f"确定{verb.label}"),
                        "form_action_type": "submit",
                        "behaviors": _callback(button),
                    },
                ],
            }
        ],
    }


def _input(verb: Verb, field: Input) -> Iterator[Json]:
    yield _div(field.label, text_size="notation", text_color="grey")
    common: Json = {"name": field_name(verb, field.name), "required": field.required}
    if field.kind == "select":
        yield {
            "tag": "select_static",
            **common,
            "width": "fill",
            "placeholder": _text(field.placeholder or "请选择"),
            "options": [{"text": _text(o.label), "value": o.value} for o in field.options],
        }
    else:
        yield {
            "tag": "input",
            **common,
            "width": "fill",
            "max_length": field.max_length,
            **({"placeholder": _text(field.placeholder)} if field.placeholder else {}),
        }
