"""Every card our builder makes is one Feishu accepts, and the gate that says so can say no."""

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pytest

from cards.build import CardContext, ticket_card
from cards.model import Card, Chart, Field, Header, Image, Note, Series, Tag, Tone
from cards.render_feishu import (
    MAX_BYTES,
    card_content,
    field_name,
    render_feishu,
    request_bytes,
)
from tests.fakes.feishu_cards import card_size, validate_card
from tests.tickets.factories import make_ticket
from tickets.audience import Audience
from tickets.people import Directory
from tickets.states import Status, Urgency

TEAMS = ("shuidian", "tujian", "dianti")


@pytest.fixture
def ctx(directory: Directory) -> CardContext:
    return CardContext(directory, ZoneInfo("Asia/Shanghai"))


def rendered(card: Card, image_keys: dict[str, str] | None = None) -> Any:
    """The card as Feishu receives it: parsed back from the message content."""
    return json.loads(card_content(card, image_keys or {}))


def walk(node: object) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        node = list(node.values())
    if isinstance(node, list):
        for item in node:
            yield from walk(item)


def tagged(node: object, tag: str) -> list[dict[str, Any]]:
    return [item for item in walk(node) if item.get("tag") == tag]


def callback(button: dict[str, Any]) -> object:
    (value,) = [b["value"] for b in button.get("behaviors", []) if b["type"] == "callback"]
    return value


def keys_for(card: Card) -> dict[str, str]:
    return {
        image.photo: f"img_v3_{i:04d}_0a1b2c3d-feed-beef" for i, image in enumerate(card.images)
    }


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("audience", list(Audience))
def test_every_ticket_card_is_one_feishu_accepts(
    ctx: CardContext, status: Status, audience: Audience
) -> None:
    for team in TEAMS:
        ticket = make_ticket(status, team=team, photos=("a.jpg", "b.jpg"))
        card = ticket_card(ticket, audience, ctx, "li")
        keys = keys_for(card)
        sent = rendered(card, keys)
        assert validate_card(sent) == [], (team, validate_card(sent))
        assert card_size(sent) <= MAX_BYTES
        assert [i["img_key"] for i in tagged(sent, "img")] == list(keys.values())

        clicks = [callback(b) for b in tagged(sent, "button")]
        assert sorted(map(json.dumps, clicks)) == sorted(
            json.dumps(b.value.to_dict()) for b in card.buttons
        )
        forms = tagged(sent["body"]["elements"], "form")
        assert (
            len({f["name"] for f in forms})
            == len(forms)
            == sum(1 for b in card.buttons if b.inputs)
        )
        for button, form in zip([b for b in card.buttons if b.inputs], forms, strict=True):
            names = Counter(n["name"] for n in walk(form["elements"]) if "name" in n)
            assert max(names.values()) == 1, names
            verb = button.value.verb
            assert {field_name(verb, i.name) for i in button.inputs} < set(names)
            (submit,) = [b for b in tagged(form, "button") if b.get("form_action_type") == "submit"]
            assert callback(submit) == button.value.to_dict()
            assert submit["text"]["content"] == f"确定{verb.label}"  # never 确定派单（班组长）


def test_a_full_ticket_keeps_its_words_and_photos_within_the_limit(ctx: CardContext) -> None:
    ticket = make_ticket(
        Status.PAUSED,
        urgency=Urgency.EMERGENCY,
        description="厨房漏水" * 500,
        location="幸福里小区 12 栋 3 单元 1502 室 北面次卧卫生间" * 6,
        pause_reason="等配件" * 166,
        rework_count=3,
        photos=("a.jpg", "b.jpg", "c.jpg", "d.jpg"),
    )
    card = ticket_card(ticket, Audience.DIRECT, ctx, "li")
    keys = keys_for(card)
    sent = rendered(card, keys)
    assert validate_card(sent) == []
    assert card_size(sent) <= MAX_BYTES
    assert len(tagged(sent, "img")) == 4
    texts = [t["content"] for t in tagged(sent, "plain_text")]
    assert "厨房漏水" * 500 in texts and f"暂停原因：{'等配件' * 166}" in texts


def test_an_oversized_card_gives_up_its_photos_first() -> None:
    images = tuple(Image(f"/media/{n}.jpg", "现场照片") for n in range(4))
    card = Card(Header("报修", "", Tone.BLUE), fields=(Field("问题", "漏" * 4000),), images=images)
    keys = {image.photo: "k" * 2000 for image in images}
    assert len(json.dumps("漏" * 4000)) + 4 * 2000 > MAX_BYTES  # too big with its photos
    sent = rendered(card, keys)
    assert tagged(sent, "img") == []
    assert "漏" * 4000 in [t["content"] for t in tagged(sent, "plain_text")]
    assert request_bytes(sent) <= MAX_BYTES and validate_card(sent) == []


def test_a_card_still_too_big_cuts_its_longest_value_just_enough() -> None:
    card = Card(
        Header("报修", "", Tone.BLUE),
        fields=(Field("问题", "漏" * 12_000), Field("位置", "3栋" * 50)),
        notes=(Note("备注" * 200, Tone.GREY),),
    )
    sent = rendered(card)
    texts = [t["content"] for t in tagged(sent, "plain_text")]
    (problem,) = [t for t in texts if t.startswith("漏")]
    assert problem.endswith("…") and len(problem) > 4000
    assert "3栋" * 50 in texts and "备注" * 200 in texts
    assert MAX_BYTES - 20 <= request_bytes(sent) <= MAX_BYTES
    assert validate_card(sent) == []


def test_a_card_that_cannot_fit_is_not_produced() -> None:
    card = Card(Header("标题" * 10_000, "", Tone.BLUE), fields=(Field("问题", "漏" * 100),))
    with pytest.raises(ValueError, match="over Feishu's limit"):
        render_feishu(card, {})


@pytest.mark.parametrize(
    ("tone", "template", "tag_colour"),
    [
        (Tone.RED, "red", "red"),
        (Tone.ORANGE, "orange", "orange"),
        (Tone.BLUE, "blue", "blue"),
        (Tone.GREEN, "green", "green"),
        (Tone.GREY, "grey", "neutral"),
    ],
)
def test_colours_follow_tones(tone: Tone, template: str, tag_colour: str) -> None:
    card = Card(Header("报修", "BX1", tone, (Tag("暂停", tone),)), notes=(Note("注意", tone),))
    sent = rendered(card)
    assert sent["header"]["template"] == template
    assert [t["color"] for t in sent["header"]["text_tag_list"]] == [tag_colour]
    (note,) = [t for t in tagged(sent, "plain_text") if t["content"] == "注意"]
    assert note["text_color"] == template
    assert validate_card(sent) == []


def test_content_is_compact_json_with_readable_chinese(ctx: CardContext) -> None:
    card = ticket_card(make_ticket(Status.NEW), Audience.TEAM, ctx)
    content = card_content(card, {})
    assert json.loads(content) == render_feishu(card, {})
    assert content == json.dumps(json.loads(content), ensure_ascii=False, separators=(",", ":"))
    assert "水电报修" in content


def test_a_summary_chart_is_a_native_vchart() -> None:
    series = (Series("新报修", (12.0, 3.0)), Series("已完成", (10.0, 2.0)))
    kinds: list[tuple[Literal["bar", "line"], object]] = [
        ("bar", ["category", "series"]),
        ("line", "category"),
    ]
    for kind, x_field in kinds:
        chart = Chart("本周报修", kind, ("水电组", "土建组"), series)
        sent = rendered(Card(Header("周报", "11-23 ~ 11-29", Tone.BLUE), charts=(chart,)))
        assert validate_card(sent) == []
        (spec,) = [c["chart_spec"] for c in tagged(sent, "chart")]
        assert (spec["type"], spec["xField"], spec["seriesField"]) == (kind, x_field, "series")
        assert spec["data"]["values"] == [
            {"category": "水电组", "series": "新报修", "value": 12.0},
            {"category": "土建组", "series": "新报修", "value": 3.0},
            {"category": "水电组", "series": "已完成", "value": 10.0},
            {"category": "土建组", "series": "已完成", "value": 2.0},
        ]
    pie = Chart("本周报修", "pie", ("水电组", "土建组"), series)
    (spec,) = [
        c["chart_spec"]
        for c in tagged(rendered(Card(Header("周报", "", Tone.BLUE), charts=(pie,))), "chart")
    ]
    assert [r["value"] for r in spec["data"]["values"]] == [12.0, 3.0]  # the first series


def first(sent: Any, tag: str) -> dict[str, Any]:
    return tagged(sent["body"], tag)[0]


def _nest_form_in_a_column(sent: Any) -> None:
    form = first(sent, "form")
    sent["body"]["elements"].remove(form)
    first(sent, "column")["elements"].append(form)


BREAKAGES: list[tuple[str, Callable[[Any], object], str]] = [
    ("a 1.0 schema", lambda s: s.update(schema="1.0"), "schema: must be '2.0'"),
    ("root elements", lambda s: s.update(elements=[]), "unknown property 'elements'"),
    ("no update_multi", lambda s: s["config"].pop("update_multi"), "update_multi"),
    ("an unknown tag", lambda s: s["body"]["elements"].append({"tag": "action"}), "'action'"),
    (
        "an unknown property",
        lambda s: first(s, "button").update(url="https://evil.example"),
        "unknown property 'url'",
    ),
    ("a form without a name", lambda s: first(s, "form").pop("name"), "form needs 'name'"),
    (
        "an input without a name",
        lambda s: first(s, "input").pop("name"),
        "needs a name",
    ),
    (
        "two components with one name",
        lambda s: [i.update(name="reason") for i in tagged(s, "input")],
        "'reason' used",
    ),
    (
        "a string callback value",
        lambda s: first(s, "button")["behaviors"][0].update(value="claim"),
        "callback value must be an object",
    ),
    (
        "a form without a submit button",
        lambda s: [b.pop("form_action_type") for b in tagged(first(s, "form"), "button")],
        "needs a button with form_action_type 'submit'",
    ),
    ("a form inside a column", _nest_form_in_a_column, "only sit at the root"),
    (
        "a select without options",
        lambda s: first(s, "select_static").pop("options"),
        "select_static needs 'options'",
    ),
    (
        "more than 30 KB",
        lambda s: s["body"]["elements"].append(
            {"tag": "div", "text": {"tag": "plain_text", "content": "x" * MAX_BYTES}}
        ),
        "bytes, more than 30000",
    ),
]


@pytest.mark.parametrize(("_", "breakage", "expected"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_the_gate_refuses_what_feishu_refuses(
    ctx: CardContext, _: str, breakage: Callable[[Any], object], expected: str
) -> None:
    card = ticket_card(make_ticket(Status.IN_PROGRESS), Audience.TEAM, ctx)
    sent = rendered(card)
    assert validate_card(sent) == []
    breakage(sent)
    problems = validate_card(sent)
    assert any(expected in p for p in problems), problems


def test_the_assignees_link_to_the_completion_page_opens_it(directory: Directory) -> None:
    ctx = CardContext(directory, ZoneInfo("Asia/Shanghai"), public_url="https://wuye.example.com")
    card = ticket_card(
        make_ticket(Status.IN_PROGRESS, public_token="k" * 22), Audience.DIRECT, ctx, "li"
    )
    assert card.link is not None
    sent = rendered(card)
    assert validate_card(sent) == []
    (opener,) = [b for b in tagged(sent, "button") if b["behaviors"][0]["type"] == "open_url"]
    assert opener["text"]["content"] == card.link.label == "填写完工单（费用、材料、照片）"
    assert opener["behaviors"] == [{"type": "open_url", "default_url": card.link.url}]
