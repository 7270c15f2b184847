"""No resident's text can add a mention, a link or markup to a rendered card.

Each renderer is checked the same way: a card full of hostile text must render to the same
structure as the same card with harmless text, and the hostile text must come out as text.
New renderers (Feishu, DingTalk) join RENDERERS.
"""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from enum import Enum
from zoneinfo import ZoneInfo

import pytest

from cards.build import CardContext, ticket_card
from cards.model import Card, Chart, Header, Series, Tone
from cards.render_dingtalk import JOINER, card_params, markdown, variables
from cards.render_feishu import card_content
from cards.render_html import render_card
from integration.web.photos import PhotoStore
from tests.cards.hostile import HOSTILE
from tests.cards.structure import Structure
from tests.tickets.factories import make_ticket
from tickets.audience import Audience
from tickets.model import Reporter, Ticket
from tickets.people import Directory
from tickets.states import Status


def html_structure(card: Card) -> tuple[list[tuple[str, tuple[str, ...]]], str]:
    parser = Structure()
    parser.feed(render_card(card, PhotoStore.url))
    return parser.shape, "".join(parser.text)


def feishu_structure(card: Card) -> tuple[object, str]:
    """The card JSON with every `content` string masked, and those strings as the text.

    Feishu reads markup only in `markdown` and `lark_md`; no card text may reach either.
    """
    keys = {image.photo: f"img_v3_{i}" for i, image in enumerate(card.images)}
    sent = json.loads(card_content(card, keys))
    texts: list[str] = []

    def mask(node: object, key: str = "") -> object:
        if isinstance(node, dict):
            return {k: mask(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [mask(item, key) for item in node]
        if key == "content" and isinstance(node, str):
            texts.append(node)
            return "<content>"
        return node

    card_text = {s for s in _strings(asdict(card)) if s.strip()}
    for node in _objects(sent):
        if node.get("tag") in ("markdown", "lark_md"):
            markup = str(node.get("content", ""))
            assert not [s for s in card_text if s in markup], f"card text in markup: {node}"
    return mask(sent), "\n".join(texts)


MENTIONS = ("<@", "<a", "@all", "@ALL", "@所有人")


def dingtalk_structure(card: Card) -> tuple[object, str]:
    """Which template variables are filled (lists by their length), and what a reader sees.

    The template shows every variable as plain text; what DingTalk reads in any text is a
    mention, so none may survive in what is sent.
    """
    params = card_params(card, lambda name: f"https://baoxiu.example.com/media/{name}")
    for value in params.values():
        assert not [m for m in MENTIONS if m in value], f"a mention reaches DingTalk: {value}"
    shape = {
        name: len(json.loads(value)) if variables()[name] == "array" else bool(value)
        for name, value in params.items()
    }
    return shape, "\n".join(params.values()).replace(JOINER, "")


_OUR_MARKUP = re.compile(r"^(#### |> |- \*\*|\*\*|- )?")
_FULL_WIDTH = str.maketrans("［］（）＊＿＃｀＜＞！｜～＼", "[]()*_#`<>!|~\\")


def markdown_structure(card: Card) -> tuple[object, str]:
    """DingTalk's markdown message: each line's own markup, and no markdown character in
    what the card's text became; the reader sees the text in full-width twins."""
    title, text = markdown(card, PhotoStore.url)
    for part in (title, text):
        assert not [m for m in MENTIONS if m in part], f"a mention reaches DingTalk: {part}"
    lines = text.split("\n\n")
    shape = []
    for line in lines:
        prefix = _OUR_MARKUP.match(line)
        ours = prefix.group(0) if prefix else ""
        rest = line[len(ours) :].replace("**：", "：", 1) if ours == "- **" else line[len(ours) :]
        assert not set(rest) & set("[]()*_#`<>!|~\\"), f"markdown in the text: {rest!r}"
        shape.append(ours)
    seen = text.translate(_FULL_WIDTH).replace(JOINER, "")
    return shape, seen


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str) and not isinstance(node, Enum):
        yield node
    elif isinstance(node, dict | list | tuple):
        for item in node.values() if isinstance(node, dict) else node:
            yield from _strings(item)


def _objects(node: object) -> Iterator[dict[str, object]]:
    if isinstance(node, dict):
        yield node
    if isinstance(node, dict | list):
        for item in node.values() if isinstance(node, dict) else node:
            yield from _objects(item)


RENDERERS: list[tuple[str, Callable[[Card], tuple[object, str]]]] = [
    ("html", html_structure),
    ("feishu", feishu_structure),
    ("dingtalk", dingtalk_structure),
    ("dingtalk markdown", markdown_structure),
]


def filled(text: str, status: Status) -> Ticket:
    return replace(
        make_ticket(status),
        description=text,
        location=text,
        reporter=Reporter(name=text, phone="13800138000"),
        pause_reason=text,
        cancel_reason=text,
    )


@pytest.mark.parametrize(("name", "structure"), RENDERERS)
@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("audience", [Audience.TEAM, Audience.DIRECT])
def test_hostile_text_stays_text(
    directory: Directory,
    name: str,
    structure: Callable[[Card], tuple[object, str]],
    hostile: str,
    audience: Audience,
) -> None:
    ctx = CardContext(directory, ZoneInfo("Asia/Shanghai"))
    for status in (Status.PAUSED, Status.CANCELLED):
        benign_shape, _ = structure(ticket_card(filled("厨房漏水", status), audience, ctx, "li"))
        shape, text = structure(ticket_card(filled(hostile, status), audience, ctx, "li"))
        assert shape == benign_shape, f"{name}: {hostile!r} changed the card's markup"
        assert hostile.strip().splitlines()[0] in text, f"{name}: {hostile!r} was not shown"


def test_a_summary_chart_renders_as_labelled_bars() -> None:
    chart = Chart("本周报修", "bar", ("水电组", "土建组"), (Series("工单", (12.0, 3.0)),))
    shape, text = html_structure(Card(Header("周报", "11-23 ~ 11-29", Tone.BLUE), charts=(chart,)))
    assert "本周报修" in text and "水电组" in text and "12.0" in text and "3.0" in text
    assert [tag for tag, _ in shape].count("span") >= 4  # a label and a bar per category
    html = render_card(Card(Header("周报", "", Tone.BLUE), charts=(chart,)), PhotoStore.url)
    assert "width: 100.0%" in html and "width: 25.0%" in html
