"""What Feishu checks in a card (JSON 2.0) before it accepts a message: the fake server's gate.

Written from Feishu's documents, not from our renderer, so that it catches the renderer's
mistakes: the card JSON 2.0 structure page (feishu-cards/card-json-v2-structure), the 2.0
release notes ("传入不支持的属性将报错": 2.0 refuses any property a component does not list),
and the card-json-v2-components page of each tag, whose field tables are copied below. Only
the tags a ticket card could reasonably use are modelled; any other tag is refused, and so are
the 1.0 carry-overs (a button's `url` / `value`, the `action` module, root `elements`).
"""

import json
import re
from collections import Counter
from collections.abc import Set
from dataclasses import dataclass, field

MAX_BYTES = 30_000
"""Feishu's 30 KB limit (230025), with KB read as 1000 bytes: the stricter reading."""

MAX_ELEMENTS = 200
"""2.0: at most 200 elements or components a card, text elements such as plain_text included."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TOP = {"schema", "config", "card_link", "header", "body"}
_CONFIG = {
    "streaming_mode",
    "streaming_config",
    "summary",
    "locales",
    "enable_forward",
    "update_multi",
    "width_mode",
    "use_custom_translation",
    "enable_forward_interaction",
    "style",
}
_CARD_LINK = {"url", "pc_url", "ios_url", "android_url"}
_LAYOUT = {
    "direction",
    "padding",
    "horizontal_spacing",
    "horizontal_align",
    "vertical_spacing",
    "vertical_align",
}
_BODY = _LAYOUT | {"elements"}
_HEADER = {
    "title",
    "subtitle",
    "text_tag_list",
    "i18n_text_tag_list",
    "template",
    "icon",
    "padding",
}
_TEXT_TAG = {"tag", "element_id", "text", "color"}
_TEXT = {"tag", "content", "i18n_content", "text_size", "text_color", "text_align", "lines"}
_ICON = {"tag", "token", "color", "img_key", "size"}
_ANY_TEXT = ("plain_text", "lark_md")
_PLAIN = ("plain_text",)
_TEXT_TAGS = {key: _PLAIN for key in ("placeholder", "label", "hover_tips", "disabled_tips")}
"""Text slots whose documents fix the text tag to plain_text."""
_CONFIRM = {"title", "text"}
_OPTION = {"text", "icon", "value"}
_PANEL_HEADER = {
    "title",
    "background_color",
    "vertical_align",
    "padding",
    "position",
    "width",
    "icon",
    "icon_position",
    "icon_expanded_angle",
}
_BORDER = {"color", "corner_radius"}
_BEHAVIOURS = {
    "callback": {"type", "value"},
    "open_url": {"type", "default_url", "android_url", "ios_url", "pc_url"},
}

_TEMPLATES = _words(
    "blue wathet turquoise green yellow orange red carmine violet purple indigo grey default"
)
_TAG_COLOURS = _words(
    "neutral blue turquoise lime orange violet indigo wathet green yellow red purple carmine"
)
_COLOUR = re.compile(
    r"default|white|bg-white|(blue|carmine|green|indigo|lime|orange|purple|red|sunflower"
    r"|turquoise|violet|wathet|yellow|grey)(-\d+)?"
)
_TEXT_SIZES = _words(
    "heading-0 heading-1 heading-2 heading-3 heading-4 heading normal notation xxxx-large "
    "xxx-large xx-large x-large large medium small x-small"
)
_BUTTON_TYPES = _words(
    "default primary danger text primary_text danger_text primary_filled danger_filled laser"
)
_FLEX_MODES = {"none", "stretch", "flow", "bisect", "trisect"}
_COLUMN_WIDTH = re.compile(r"auto|weighted|\d+px")


@dataclass(frozen=True)
class _Tag:
    """One component's field table: the properties it may carry and those it must."""

    allowed: frozenset[str]
    required: frozenset[str] = frozenset()
    texts: frozenset[str] = frozenset()
    """Properties that hold a text object ({"tag": "plain_text", "content": …})."""
    interactive: bool = False
    """Interactive components need a card-unique `name` inside a form."""


def _tag(allowed: str, required: str = "", texts: str = "", interactive: bool = False) -> _Tag:
    common = {"tag", "element_id", "margin"}
    return _Tag(
        frozenset(common | set(allowed.split()) | set(texts.split())),
        frozenset(required.split()),
        frozenset(texts.split()),
        interactive,
    )


_LAYOUT_NAMES = " ".join(sorted(_LAYOUT))
COMPONENTS: dict[str, _Tag] = {
    "div": _tag("width icon", texts="text"),
    "markdown": _tag("content text_size text_align icon", required="content"),
    "hr": _tag(""),
    "img": _tag(
        "img_key corner_radius scale_type size transparent preview",
        required="img_key alt",
        texts="alt title",
    ),
    "img_combination": _tag(
        "combination_mode combination_transparent corner_radius img_list",
        required="combination_mode img_list",
    ),
    "chart": _tag("aspect_ratio color_theme chart_spec preview height", required="chart_spec"),
    "column_set": _tag(
        "horizontal_spacing horizontal_align flex_mode background_style action columns",
        required="columns",
    ),
    "column": _tag(f"{_LAYOUT_NAMES} background_style width weight elements action"),
    "form": _tag(f"{_LAYOUT_NAMES} name elements", required="name elements"),
    "collapsible_panel": _tag(
        f"{_LAYOUT_NAMES} expanded background_color header border elements", required="header"
    ),
    "button": _tag(
        "type size width icon disabled confirm behaviors name form_action_type",
        required="text",
        texts="text hover_tips disabled_tips",
        interactive=True,
    ),
    "input": _tag(
        "name required default_value disabled width behaviors max_length input_type rows "
        "auto_resize max_rows show_icon label_position value confirm",
        texts="placeholder disabled_tips label",
        interactive=True,
    ),
    "select_static": _tag(
        "type name required disabled initial_option initial_index width behaviors options confirm",
        required="options",
        texts="placeholder",
        interactive=True,
    ),
}
"""Field tables of the card-json-v2-components pages (historical 1.0 fields left out)."""

_NOT_IN_FORM = {"form", "table", "chart"}


def validate_card(card: object) -> list[str]:
    """Problems Feishu would refuse the card for; an empty list means it would accept it."""
    checker = _Checker()
    checker.card(card)
    return checker.problems


def card_size(card: object) -> int:
    """The card's own size, the UTF-8 bytes of its compact JSON. Feishu's limit is on the
    request that carries it, larger by the escaping and the fields around it (the fake
    measures that); a card over the limit alone can never be sent."""
    return len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode())


@dataclass
class _Checker:
    problems: list[str] = field(default_factory=list)
    names: Counter[str] = field(default_factory=Counter)
    elements: int = 0

    def problem(self, path: str, text: str) -> None:
        self.problems.append(f"{path}: {text}")

    def obj(self, path: str, value: object, allowed: Set[str]) -> dict[str, object] | None:
        """`value` if it is an object (its properties outside `allowed` are problems)."""
        if not isinstance(value, dict):
            self.problem(path, "must be an object")
            return None
        for key in value:
            if key not in allowed:
                self.problem(path, f"unknown property {key!r}")
        return value

    def card(self, value: object) -> None:
        card = self.obj("card", value, _TOP)
        if card is None:
            return
        if card.get("schema") != "2.0":
            self.problem("schema", "must be '2.0'")
        config = self.obj("config", card.get("config"), _CONFIG)
        if config is not None and config.get("update_multi") is not True:
            self.problem("config.update_multi", "must be true (2.0 cards are shared)")
        if "card_link" in card:
            self.obj("card_link", card["card_link"], _CARD_LINK)
        if "header" in card:
            self.header(card["header"])
        body = self.obj("body", card.get("body"), _BODY)
        if body is not None:
            self.children("body.elements", body.get("elements"), form=None, root=True)
        for name, count in self.names.items():
            if count > 1:
                self.problem("card", f"name {name!r} used {count} times; names are card-unique")
        if self.elements > MAX_ELEMENTS:
            self.problem("card", f"{self.elements} elements, more than {MAX_ELEMENTS}")
        try:
            size = card_size(card)
        except (TypeError, ValueError) as error:
            self.problem("card", f"not JSON: {error}")
        else:
            if size > MAX_BYTES:
                self.problem("card", f"{size} bytes, more than {MAX_BYTES}")

    def header(self, value: object) -> None:
        header = self.obj("header", value, _HEADER)
        if header is None:
            return
        self.elements += 1
        if "title" not in header:
            self.problem("header", "missing title")
        for key in ("title", "subtitle"):
            if key in header:
                self.text(f"header.{key}", header[key])
        if header.get("template", "default") not in _TEMPLATES:
            self.problem("header.template", f"unknown colour {header['template']!r}")
        if "icon" in header:
            self.obj("header.icon", header["icon"], _ICON)
        tags = header.get("text_tag_list", [])
        if not isinstance(tags, list):
            self.problem("header.text_tag_list", "must be a list")
            return
        for i, item in enumerate(tags):
            path = f"header.text_tag_list[{i}]"
            tag = self.obj(path, item, _TEXT_TAG)
            if tag is None:
                continue
            self.elements += 1
            if tag.get("tag") != "text_tag":
                self.problem(path, "tag must be 'text_tag'")
            if "text" in tag:
                self.text(f"{path}.text", tag["text"])
            if tag.get("color", "blue") not in _TAG_COLOURS:
                self.problem(path, f"unknown tag colour {tag['color']!r}")

    def text(self, path: str, value: object, tags: tuple[str, ...] = _ANY_TEXT) -> None:
        text = self.obj(path, value, _TEXT)
        if text is None:
            return
        self.elements += 1
        if text.get("tag") not in tags:
            self.problem(path, f"text tag must be one of {tags}")
        if not isinstance(text.get("content", text.get("i18n_content")), str | dict):
            self.problem(path, "missing content")
        if not _COLOUR.fullmatch(str(text.get("text_color", "default"))):
            self.problem(path, f"unknown text colour {text['text_color']!r}")
        if text.get("text_size", "normal") not in _TEXT_SIZES:
            self.problem(path, f"unknown text size {text['text_size']!r}")

    def children(self, path: str, elements: object, form: str | None, root: bool) -> None:
        if not isinstance(elements, list):
            self.problem(path, "must be a list of components")
            return
        for i, element in enumerate(elements):
            self.component(f"{path}[{i}]", element, form, root)

    def component(self, path: str, value: object, form: str | None, root: bool) -> None:
        """One component: its field table, then what its own page adds."""
        tag = value.get("tag") if isinstance(value, dict) else None
        if not isinstance(tag, str) or tag not in COMPONENTS:
            self.problem(path, f"unknown component tag {tag!r}")
            return
        if tag == "column":
            self.problem(path, "a column only sits in a column_set's columns")
            return
        spec = COMPONENTS[tag]
        element = self.obj(path, value, spec.allowed)
        if element is None:
            return
        self.elements += 1
        for key in sorted(spec.required - element.keys()):
            self.problem(path, f"{tag} needs {key!r}")
        for key in sorted(spec.texts & element.keys()):
            self.text(f"{path}.{key}", element[key], _TEXT_TAGS.get(key, _ANY_TEXT))
        if "icon" in element:
            self.obj(f"{path}.icon", element["icon"], _ICON)
        if "confirm" in element:
            self.confirm(f"{path}.confirm", element["confirm"])
        if "behaviors" in element:
            self.behaviours(f"{path}.behaviors", element["behaviors"])
        if "name" in element:
            self.name(path, element["name"])
        elif spec.interactive and form is not None:
            self.problem(path, f"{tag} inside form {form!r} needs a name")
        for key in ("required", "form_action_type"):
            if key in element and form is None:
                self.problem(path, f"{key!r} only works inside a form")
        if form is not None and tag in _NOT_IN_FORM:
            self.problem(path, f"a form cannot hold a {tag}")
        if tag == "form" and not root:
            self.problem(path, "a form may only sit at the root of the body")
        extra = {
            "column_set": self.column_set,
            "form": self.form,
            "collapsible_panel": self.collapsible_panel,
            "button": self.button,
            "input": self.input,
            "select_static": self.select_static,
            "img": self.img,
            "chart": self.chart,
        }.get(tag)
        if extra is not None:
            extra(path, element, form)

    def name(self, path: str, name: object) -> None:
        if not isinstance(name, str) or not name:
            self.problem(path, "name must be a non-empty string")
        else:
            self.names[name] += 1

    def confirm(self, path: str, value: object) -> None:
        confirm = self.obj(path, value, _CONFIRM)
        if confirm is None:
            return
        for key in ("title", "text"):
            if key in confirm:
                self.text(f"{path}.{key}", confirm[key], _PLAIN)
            else:
                self.problem(path, f"confirm needs {key!r}")

    def behaviours(self, path: str, behaviours: object) -> None:
        if not isinstance(behaviours, list):
            self.problem(path, "must be a list")
            return
        for i, value in enumerate(behaviours):
            kind = value.get("type") if isinstance(value, dict) else None
            if not isinstance(kind, str) or kind not in _BEHAVIOURS:
                self.problem(f"{path}[{i}]", f"unknown behaviour type {kind!r}")
                continue
            behaviour = self.obj(f"{path}[{i}]", value, _BEHAVIOURS[kind])
            if kind == "callback" and behaviour and not isinstance(behaviour.get("value"), dict):
                self.problem(f"{path}[{i}]", "a callback value must be an object")

    def column_set(self, path: str, element: dict[str, object], form: str | None) -> None:
        if element.get("flex_mode", "none") not in _FLEX_MODES:
            self.problem(path, f"unknown flex_mode {element['flex_mode']!r}")
        columns = element.get("columns")
        if not isinstance(columns, list):
            self.problem(f"{path}.columns", "must be a list of columns")
            return
        for i, value in enumerate(columns):
            column_path = f"{path}.columns[{i}]"
            column = self.obj(column_path, value, COMPONENTS["column"].allowed)
            if column is None:
                continue
            self.elements += 1
            if column.get("tag") != "column":
                self.problem(column_path, "tag must be 'column'")
            if not _COLUMN_WIDTH.fullmatch(str(column.get("width", "auto"))):
                self.problem(column_path, f"unknown width {column['width']!r}")
            if column.get("weight", 1) not in range(1, 6):
                self.problem(column_path, "weight must be an integer from 1 to 5")
            self.children(f"{column_path}.elements", column.get("elements", []), form, False)

    def form(self, path: str, element: dict[str, object], form: str | None) -> None:
        name = element.get("name")
        self.children(f"{path}.elements", element.get("elements"), str(name), False)
        if not any(_submits(child) for child in _descendants(element)):
            self.problem(path, "a form needs a button with form_action_type 'submit'")

    def collapsible_panel(self, path: str, element: dict[str, object], form: str | None) -> None:
        header = self.obj(f"{path}.header", element.get("header"), _PANEL_HEADER)
        if header is not None and "title" in header:
            self.text(f"{path}.header.title", header["title"], ("plain_text", "markdown"))
        if header is not None and "icon" in header:
            self.obj(f"{path}.header.icon", header["icon"], _ICON)
        if "border" in element:
            self.obj(f"{path}.border", element["border"], _BORDER)
        self.children(f"{path}.elements", element.get("elements", []), form, False)

    def button(self, path: str, element: dict[str, object], form: str | None) -> None:
        if element.get("type", "default") not in _BUTTON_TYPES:
            self.problem(path, f"unknown button type {element['type']!r}")
        if form is not None and element.get("form_action_type") not in ("submit", "reset"):
            self.problem(path, "a button in a form needs form_action_type 'submit' or 'reset'")

    def input(self, path: str, element: dict[str, object], form: str | None) -> None:
        length = element.get("max_length", 1000)
        if not isinstance(length, int) or not 1 <= length <= 1000:
            self.problem(path, "max_length must be an integer from 1 to 1000")
        placeholder = element.get("placeholder")
        if isinstance(placeholder, dict) and len(str(placeholder.get("content", ""))) > 100:
            self.problem(path, "a placeholder holds at most 100 characters")

    def select_static(self, path: str, element: dict[str, object], form: str | None) -> None:
        options = element.get("options")
        if not isinstance(options, list):
            self.problem(f"{path}.options", "must be a list")
            return
        values: list[str] = []
        for i, value in enumerate(options):
            option_path = f"{path}.options[{i}]"
            option = self.obj(option_path, value, _OPTION)
            if option is None:
                continue
            if "text" not in option or not isinstance(option.get("value"), str):
                self.problem(option_path, "an option needs a text and a string value")
                continue
            self.text(f"{option_path}.text", option["text"], _PLAIN)
            values.append(str(option["value"]))
        if len(values) != len(set(values)):
            self.problem(path, "option values must be unique")

    def img(self, path: str, element: dict[str, object], form: str | None) -> None:
        if not isinstance(element.get("img_key"), str) or not element["img_key"]:
            self.problem(path, "img_key must be a non-empty string")

    def chart(self, path: str, element: dict[str, object], form: str | None) -> None:
        if not isinstance(element.get("chart_spec"), dict):
            self.problem(path, "chart_spec must be a VChart spec object")


def _descendants(element: dict[str, object]) -> list[dict[str, object]]:
    """Every object nested in `element`, at any depth."""
    found: list[dict[str, object]] = []
    stack: list[object] = list(element.values())
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _submits(item: dict[str, object]) -> bool:
    return item.get("tag") == "button" and item.get("form_action_type") == "submit"
