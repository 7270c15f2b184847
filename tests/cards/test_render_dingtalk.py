"""Every card our builder makes fills baoxiu's DingTalk template, within DingTalk's limits."""

import json
from dataclasses import replace
from typing import get_args
from zoneinfo import ZoneInfo

import pytest

from cards.build import EXTENSIONS, CardContext, ticket_card
from cards.messages import escalation_card, visit_card
from cards.model import (
    ActionValue,
    Button,
    Card,
    Field,
    Header,
    Input,
    InputName,
    Note,
    Option,
    Tone,
)
from cards.render_dingtalk import (
    JOINER,
    MAX_VALUE_BYTES,
    SLOTS,
    card_params,
    inert,
    template,
    variables,
)
from tests.tickets.factories import make_ticket
from tickets.actions import Verb
from tickets.audience import Audience, CardAddress
from tickets.messages import Escalation, Visit
from tickets.people import Directory
from tickets.states import PauseKind, Review, Status

BASE = "https://baoxiu.example.com"
DESK = CardAddress("dingtalk", "cid-dispatch", Audience.SUPERVISORS)


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


def _pickers(params: dict[str, str]) -> dict[str, tuple[str, list[str]]]:
    """Each picker's title and its options' values."""
    return {
        slot: (params[f"{slot}_label"], [o["value"] for o in json.loads(params[f"{slot}_options"])])
        for slot in ("to", "choice")
    }


def _forms(card: Card, params: dict[str, str]) -> dict[str, list[str]]:
    """Each button's label and the inputs its click reads."""
    actions = [json.loads(params[f"b{i}_action"]) for i in range(1, len(card.buttons) + 1)]
    return {b.label: a.get("f", []) for b, a in zip(card.buttons, actions, strict=True)}


def test_a_job_in_progress_offers_its_people_and_its_pauses_in_two_pickers(
    ctx: CardContext,
) -> None:
    card = ticket_card(make_ticket(Status.IN_PROGRESS), Audience.SUPERVISORS, ctx)
    params = card_params(card, photo_url)
    forms = _forms(card, params)
    assert forms["暂停"] == ["pause_kind", "reason"] and forms["转单"] == ["to", "reason"]
    assert "暂停原因" in params["text_label"] and "转单原因" in params["text_label"]
    pickers = _pickers(params)
    assert pickers["to"] == ("转给", ["wang"])  # 李师傅 holds the job
    assert pickers["choice"] == ("暂停类型", [k.value for k in PauseKind])
    kinds = json.loads(params["choice_options"])
    assert [k["text"] for k in kinds] == ["等配件", "业主原因", "其他原因"]


def test_an_escalation_offers_its_people_and_its_extensions_in_two_pickers(
    ctx: CardContext,
) -> None:
    ticket = make_ticket(Status.ASSIGNED)
    card = escalation_card(ticket, Escalation("到场已超时30分钟", 1), ctx, DESK)
    params = card_params(card, photo_url)
    forms = _forms(card, params)
    assert forms == {
        "改派": ["to", "reason"],
        "联系师傅": [],
        "延期": ["minutes", "reason"],
        "我来处理": [],
    }
    pickers = _pickers(params)
    assert pickers["to"] == ("转给", ["wang"])
    assert pickers["choice"] == ("延期多久", [str(m) for m, _ in EXTENSIONS])
    assert "延期原因" in params["text_label"]


def test_a_new_visit_time_has_a_box_of_its_own(ctx: CardContext) -> None:
    """改约 asks for a time and a reason: typed in one shared box, each would get both."""
    card = ticket_card(make_ticket(Status.ASSIGNED), Audience.DIRECT, ctx, "li")
    params = card_params(card, photo_url)
    (label,) = [b.label for b in card.buttons if b.value.verb is Verb.RESCHEDULE]
    assert _forms(card, params)[label] == ["at", "reason"]
    assert "新的上门时间" in params["at_label"].split(" / ")
    assert "改约原因" in params["text_label"] and "上门时间" not in params["text_label"]


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("audience", [Audience.SUPERVISORS, Audience.MANAGEMENT])
def test_every_escalation_card_fills_the_template(
    ctx: CardContext, status: Status, audience: Audience
) -> None:
    ticket = make_ticket(status)
    card = escalation_card(
        ticket, Escalation("接单已超时", 1), ctx, replace(DESK, audience=audience)
    )
    params = card_params(card, photo_url)
    assert set(params) == set(variables())
    assert all(len(v.encode()) <= MAX_VALUE_BYTES for v in params.values())


def test_every_form_field_has_a_shared_input_of_its_kind(ctx: CardContext) -> None:
    assert set(SLOTS) == set(get_args(InputName))
    tickets = [make_ticket(s, team=t) for s in Status for t in ("shuidian", "tujian", "dianti")]
    tickets.append(make_ticket(Status.NEW, review=Review.PENDING))  # 审核 asks a decision
    tickets.append(make_ticket(Status.CLOSED, visit_attempt=1))  # its return visit is due
    tickets.append(make_ticket(Status.COMPLETED, fees_total_fen=11050))  # 收费 asks how
    cards = [ticket_card(t, a, ctx, "li") for t in tickets for a in Audience]
    cards += [escalation_card(t, Escalation("超时", 1), ctx, DESK) for t in tickets]
    inputs = {(i.name, i.kind) for c in cards for b in c.buttons for i in b.inputs}
    assert {name for name, _ in inputs} == set(SLOTS)  # every field is on some card
    assert all((kind == "select") == (SLOTS[name] in ("to", "choice")) for name, kind in inputs)


def test_the_visit_card_asks_for_the_outcome_with_the_picker(ctx: CardContext) -> None:
    agents = replace(DESK, audience=Audience.AGENTS)
    card = visit_card(make_ticket(Status.CLOSED, visit_attempt=2), Visit(2), ctx, agents)
    params = card_params(card, photo_url)
    (label,) = [b.label for b in card.buttons if b.value.verb is Verb.VISIT]
    assert _forms(card, params)[label] == ["outcome", "note"]
    assert params["choice_label"] == "回访结果"
    assert [o["text"] for o in json.loads(params["choice_options"])] == [
        "已解决",
        "问题复发",
        "联系不上",
    ]
    assert params["n1_text"] == "回访：请致电业主，确认维修效果（第 2 次）"


def test_a_finished_job_asks_how_it_was_paid_in_the_person_picker(ctx: CardContext) -> None:
    """The desk's card of a charged job asks how the resident agreed (确认完成) and how they
    paid (收费): two choices, and nobody to pick, so 收款方式 takes the person picker."""
    ticket = make_ticket(Status.COMPLETED, fees_total_fen=11050)
    card = ticket_card(ticket, Audience.SUPERVISORS, ctx)
    params = card_params(card, photo_url)
    forms = _forms(card, params)
    assert forms["收费"] == ["method"] and forms["确认完成"] == ["agreed"]
    pickers = _pickers(params)
    assert pickers["to"] == ("收款方式", ["cash", "wechat", "alipay", "transfer"])
    assert pickers["choice"] == ("业主怎么确认的", ["in_person", "phone"])
    methods = [o["text"] for o in json.loads(params["to_options"])]
    assert methods == ["现金", "微信", "支付宝", "转账"]


_KINDS = (Option("parts", "等配件"),)
_TIMES = (Option("30", "30分钟"),)
_PEOPLE = (Option("wang", "王师傅"),)
_METHODS = (Option("cash", "现金"),)


@pytest.mark.parametrize(
    ("first", "second", "said"),
    [
        (
            Input("pause_kind", "暂停类型", "select", True, _KINDS),
            Input("minutes", "延期多久", "select", True, _TIMES),
            "two choices",
        ),
        (
            Input("to", "转给", "select", True, _PEOPLE),
            Input("method", "收款方式", "select", True, _METHODS),
            "two choices in the DingTalk to picker",
        ),
    ],
)
def test_a_card_asking_for_two_choices_in_one_picker_is_refused(
    first: Input, second: Input, said: str
) -> None:
    value = ActionValue("BX20261128-0001", Verb.PAUSE, 1)
    buttons = (Button("一", value, inputs=(first,)), Button("二", value, inputs=(second,)))
    with pytest.raises(ValueError, match=said):
        card_params(Card(Header("t", "s", Tone.BLUE), buttons=buttons), photo_url)


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
    tags, photos and the pickers' options are, is an Array, sent as a JSON string."""
    types = variables()
    assert {name for name, kind in types.items() if kind == "array"} == {
        "tags",
        "images",
        "to_options",
        "choice_options",
    }
    assert set(types.values()) == {"string", "array"}


def test_a_card_with_too_many_buttons_is_refused() -> None:
    value = ActionValue("BX20261128-0001", Verb.CLAIM, 1)
    card = Card(Header("t", "s", Tone.BLUE), buttons=tuple(Button("接单", value) for _ in range(7)))
    with pytest.raises(ValueError, match="more buttons"):
        card_params(card, photo_url)


def test_what_the_slots_cannot_hold_one_by_one_shares_the_last(ctx: CardContext) -> None:
    """A finished job with a visit has nine lines, an overdue job in a group six notes: the
    template's last field and last note take the rest, and the card still goes out."""
    done = make_ticket(
        Status.CLOSED,
        appointment_at=make_ticket().created_at,
        completed_at=make_ticket().created_at,
        completion_note="更换阀芯",
        confirmed_at=make_ticket().created_at,
        confirmed_by="林客服",
        closed_at=make_ticket().created_at,
        closed_by="陈班长",
    )
    card = ticket_card(done, Audience.TEAM, ctx)
    slots = template()["slots"]
    assert len(card.fields) > slots["fields"]
    params = card_params(card, photo_url)
    last = slots["fields"]
    assert params[f"f{last}_label"] == "验收 / 结单"
    assert params[f"f{last}_value"] == "林客服 11-28 10:00；陈班长 11-28 10:00"
    notes = (Note(f"第{i}条", Tone.RED if i == 4 else Tone.BLUE) for i in range(1, 7))
    busy = replace(card, notes=tuple(notes))
    params = card_params(busy, photo_url)
    assert params[f"n{slots['notes']}_text"] == "第4条；第5条；第6条"
    assert params[f"n{slots['notes']}_tone"] == "red"


def test_the_assignees_link_to_the_completion_page_has_a_button_of_its_own(
    directory: Directory,
) -> None:
    ctx = CardContext(directory, ZoneInfo("Asia/Shanghai"), public_url=BASE)
    card = ticket_card(
        make_ticket(Status.IN_PROGRESS, public_token="k" * 22), Audience.DIRECT, ctx, "li"
    )
    assert card.link is not None and card.link.url.startswith(f"{BASE}/w/")
    params = card_params(card, photo_url)
    assert (params["link_label"], params["link_url"]) == (card.link.label, card.link.url)
    team = card_params(ticket_card(make_ticket(Status.IN_PROGRESS), Audience.TEAM, ctx), photo_url)
    assert (team["link_label"], team["link_url"]) == ("", "")
