"""Every card our builder makes fills baoxiu's DingTalk template, within DingTalk's limits."""

import json
from zoneinfo import ZoneInfo

import pytest

from cards.build import CardContext, ticket_card
from cards.model import ActionValue, Button, Card, Field, Header, Tone
from cards.render_dingtalk import JOINER, MAX_VALUE_BYTES, card_params, inert, template, variables
from tests.tickets.factories import make_ticket
from tickets.actions import Verb
from tickets.audience import Audience
from tickets.people import Directory
from tickets.states import Status

BASE = "https://baoxiu.example.com"


def photo_url(name: str) -> str:
    return f"{BASE}/media/{name}"


@pytest.fixture
def ctx(directory: Directory) -> CardContext:
    return CardContext(directory, ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("audience", list(Audience))
def test_every_ticket_card_fills_the_template(
    ctx: CardContext, status: Status, audience: Audience
) -> None:
    for team in ("shuidian", "tujian", "dianti"):
        ticket = make_ticket(status, team=team, photos=("a.jpg", "b.jpg"))
        card = ticket_card(ticket, audience, ctx, "li")
        params = card_params(card, photo_url)
        assert set(params) == set(variables())
        for name, kind in variables().items():  # what the card platform takes for each type
            assert kind == "string" or isinstance(json.loads(params[name]), list)
        assert all(len(v.encode()) <= MAX_VALUE_BYTES for v in params.values())
        assert [i["url"] for i in json.loads(params["images"])] == [
            f"{BASE}/media/a.jpg",
            f"{BASE}/media/b.jpg",
        ]
        actions = [json.loads(params[f"b{i}_action"]) for i in range(1, len(card.buttons) + 1)]
        assert [ActionValue.from_dict(a) for a in actions] == [b.value for b in card.buttons]
        if len(card.buttons) < template()["slots"]["buttons"]:
            assert params[f"b{len(card.buttons) + 1}_label"] == ""  # the slot is hidden


def test_forms_share_one_text_box_and_one_person_picker(ctx: CardContext) -> None:
    card = ticket_card(make_ticket(Status.IN_PROGRESS), Audience.SUPERVISORS, ctx)
    params = card_params(card, photo_url)
    labels = {b.label: json.loads(params[f"b{i}_action"]) for i, b in enumerate(card.buttons, 1)}
    assert labels["暂停"]["f"] == ["pause_kind", "reason"] and "f" not in labels.get("完工", {})
    assert "暂停原因" in params["text_label"]
    people = json.loads(params["to_options"])
    assert people and all(set(p) == {"value", "text"} for p in people)
    assert params["to_label"]


def test_a_long_description_is_cut_to_one_kilobyte_on_a_character() -> None:
    long = "卫生间漏水" * 120  # 1,800 bytes in UTF-8
    card = Card(Header("BX20261128-0001 水电", "待接单", Tone.BLUE), fields=(Field("问题", long),))
    params = card_params(card, photo_url)
    value = params["f1_value"]
    assert len(value.encode()) <= MAX_VALUE_BYTES and value.endswith("…")
    assert long.startswith(value[:-1]) and params["f1_label"] == "问题"


def test_mentions_cannot_start_in_card_text() -> None:
    for hostile in ("<@u123>", "<a atId='1'>@张三</a>", "@ALL @all @所有人"):
        shown = inert(hostile)
        assert "<@" not in shown and "<a" not in shown and "@A" not in shown
        assert shown.replace(JOINER, "") == hostile


def test_the_template_file_describes_every_slot() -> None:
    slots = template()["slots"]
    names = set(variables())
    assert {f"f{slots['fields']}_value", f"n{slots['notes']}_tone"} <= names
    assert f"b{slots['buttons']}_action" in names and f"b{slots['buttons'] + 1}_action" not in names


def test_the_lists_are_array_variables_and_the_rest_strings() -> None:
    """DingTalk's card platform types each template variable; a list shown by a loop, as
    tags, photos and the picker's options are, is an Array, sent as a JSON string."""
    types = variables()
    assert {name for name, kind in types.items() if kind == "array"} == {
        "tags",
        "images",
        "to_options",
    }
    assert set(types.values()) == {"string", "array"}


def test_a_card_with_too_many_buttons_is_refused() -> None:
    value = ActionValue("BX20261128-0001", Verb.CLAIM, 1)
    card = Card(Header("t", "s", Tone.BLUE), buttons=tuple(Button("接单", value) for _ in range(7)))
    with pytest.raises(ValueError, match="more buttons"):
        card_params(card, photo_url)
