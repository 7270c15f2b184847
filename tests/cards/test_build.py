"""What each audience's card shows and offers."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cards.build import CardContext, ticket_card
from cards.mask import mask_name, mask_phone
from cards.model import ActionValue, Card, Tone
from tests.tickets.factories import T0, make_ticket
from tickets.actions import Verb
from tickets.audience import Audience
from tickets.fees import FeeLine
from tickets.machine import possible_verbs
from tickets.payment import PayMethod
from tickets.people import Directory
from tickets.states import Status, Urgency

V = Verb


@pytest.fixture
def ctx(directory: Directory) -> CardContext:
    return CardContext(directory, ZoneInfo("Asia/Shanghai"))


def verbs(card: Card) -> list[Verb]:
    return [b.value.verb for b in card.buttons]


def field(card: Card, label: str) -> str:
    return next(f.value for f in card.fields if f.label == label)


def test_masking() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("075512345678") == "075*****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "李*"


def test_group_cards_mask_the_resident_the_assignees_card_does_not(ctx: CardContext) -> None:
    ticket = make_ticket(Status.ASSIGNED)
    for audience in (Audience.TEAM, Audience.SUPERVISORS, Audience.MANAGEMENT):
        card = ticket_card(ticket, audience, ctx)
        assert field(card, "报修人") == "张* 138****8000"
    assert field(ticket_card(ticket, Audience.DIRECT, ctx, "li"), "报修人") == "张三 13800138000"
    former = ticket_card(ticket, Audience.DIRECT, ctx, "wang")  # after a transfer away
    assert field(former, "报修人") == "张* 138****8000" and former.buttons == ()


@pytest.mark.parametrize(
    ("status", "team", "expected"),
    [
        (Status.NEW, "shuidian", [V.CLAIM, V.FLAG, V.REVEAL]),
        (Status.NEW, "tujian", [V.DISPATCH, V.FLAG, V.REVEAL]),
        (
            Status.ASSIGNED,
            "shuidian",
            [V.START, V.RESCHEDULE, V.TRANSFER, V.HAND_BACK, V.FLAG, V.REVEAL],
        ),
        (Status.ASSIGNED, "tujian", [V.START, V.RESCHEDULE, V.TRANSFER, V.FLAG, V.REVEAL]),
        (
            Status.IN_PROGRESS,
            "shuidian",
            [V.COMPLETE, V.PAUSE, V.RESCHEDULE, V.TRANSFER, V.HAND_BACK, V.REVEAL],
        ),
        (Status.PAUSED, "shuidian", [V.RESUME, V.RESCHEDULE, V.TRANSFER, V.HAND_BACK, V.REVEAL]),
        (Status.COMPLETED, "shuidian", [V.CONFIRM, V.REOPEN, V.CLOSE, V.REVEAL]),
        (Status.CLOSED, "shuidian", []),
        (Status.CANCELLED, "shuidian", []),
    ],
)
def test_team_card_offers_what_fits_the_state_and_mode(
    ctx: CardContext, status: Status, team: str, expected: list[Verb]
) -> None:
    ticket = make_ticket(status, team=team)
    assert verbs(ticket_card(ticket, Audience.TEAM, ctx)) == expected


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("audience", list(Audience))
def test_no_card_offers_what_the_core_refuses_everyone(
    ctx: CardContext, status: Status, audience: Audience
) -> None:
    for team in ("shuidian", "tujian", "dianti"):
        ticket = make_ticket(status, team=team)
        card = ticket_card(ticket, audience, ctx, "li")
        allowed = set(possible_verbs(ticket, ctx.directory.teams[team]))
        assert set(verbs(card)) <= allowed
        assert all(b.value == ActionValue(ticket.number, b.value.verb, 1) for b in card.buttons)


def test_supervisors_dispatch_from_a_list_of_the_teams_technicians(ctx: CardContext) -> None:
    card = ticket_card(make_ticket(team="tujian"), Audience.SUPERVISORS, ctx)
    dispatch = next(b for b in card.buttons if b.value.verb is V.DISPATCH)
    assert [(i.name, i.required) for i in dispatch.inputs] == [("to", True)]
    assert [o.label for o in dispatch.inputs[0].options] == ["张师傅", "赵师傅"]
    assert V.CANCEL in verbs(card) and V.CLAIM not in verbs(card)


def test_forms_ask_for_what_the_core_requires(ctx: CardContext) -> None:
    card = ticket_card(make_ticket(Status.IN_PROGRESS), Audience.DIRECT, ctx, "li")
    forms = {b.value.verb: [(i.name, i.required) for i in b.inputs] for b in card.buttons}
    assert forms[V.PAUSE] == [("pause_kind", True), ("reason", True)]
    assert forms[V.HAND_BACK] == [("reason", True)]
    assert forms[V.COMPLETE] == [("findings", True), ("note", False)]
    assert forms[V.TRANSFER] == [("to", True), ("reason", False)]
    said = {b.value.verb: [i.label for i in b.inputs if i.kind == "text"] for b in card.buttons}
    assert said[V.PAUSE] == ["暂停原因（仅内部可见）"]
    assert said[V.COMPLETE] == [
        "检查结果（业主可见）",
        "维修结果（选填，业主可见）",
    ]  # one pair of brackets says both
    assert said[V.TRANSFER] == ["转单原因（选填，仅内部可见）"]
    transfer = next(b for b in card.buttons if b.value.verb is V.TRANSFER)
    assert [o.value for o in transfer.inputs[0].options] == ["wang"]  # not the assignee


def test_header_notes_and_photos(ctx: CardContext) -> None:
    ticket = make_ticket(
        Status.PAUSED,
        urgency=Urgency.EMERGENCY,
        pause_reason="等配件",
        rework_count=1,
        photos=("a.jpg", "b.jpg"),
    )
    card = ticket_card(ticket, Audience.TEAM, ctx)
    assert card.header.title == "水电报修 · 3栋2单元501"
    assert [t.text for t in card.header.tags] == ["已暂停", "紧急"]
    assert [n.text for n in card.notes] == [
        "暂停原因：等配件",
        "返工 1 次",
        "李师傅处理中：继续、改约上门时间、转单、退单、查看联系方式由李师傅操作",
    ]
    assert [i.photo for i in card.images] == ["a.jpg", "b.jpg"]
    assert field(card, "接单人") == "李师傅"
    assert field(card, "报修时间") == "11-28 10:00（电话）"


@pytest.mark.parametrize(("team", "waiting"), [("shuidian", "待接单"), ("tujian", "待派单")])
def test_a_new_job_waits_for_what_its_team_does(ctx: CardContext, team: str, waiting: str) -> None:
    card = ticket_card(make_ticket(Status.NEW, team=team), Audience.TEAM, ctx)
    assert card.header.tags[0].text == waiting  # 水电组 claims, 土建组's supervisor dispatches


def test_a_group_card_says_whose_buttons_are_whose(ctx: CardContext) -> None:
    held = ticket_card(make_ticket(Status.IN_PROGRESS), Audience.TEAM, ctx)
    assert held.notes[-1].text == (
        "李师傅处理中：完工、暂停、改约上门时间、转单、退单、查看联系方式由李师傅操作"
    )
    waiting = ticket_card(make_ticket(Status.NEW, team="tujian"), Audience.TEAM, ctx)
    assert [b.label for b in waiting.buttons] == [
        "派单（班组长）",
        "超出服务范围",
        "查看联系方式（客服）",
    ]
    done = ticket_card(make_ticket(Status.COMPLETED), Audience.TEAM, ctx)
    assert "确认完成（客服）" in [b.label for b in done.buttons]
    [confirm] = [b for b in done.buttons if b.label == "确认完成（客服）"]
    [agreed] = confirm.inputs  # the desk confirms only for the resident, who agreed somehow
    assert (agreed.name, agreed.required) == ("agreed", True)
    assert [(o.value, o.label) for o in agreed.options] == [
        ("in_person", "当面"),
        ("phone", "电话"),
    ]
    assert not [n for n in done.notes if "处理中" in n.text]  # done: no longer in hand
    dispatch_desk = ticket_card(make_ticket(Status.NEW, team="tujian"), Audience.SUPERVISORS, ctx)
    assert "派单" in [b.label for b in dispatch_desk.buttons]  # there, everyone may


def test_a_finished_card_shows_the_result_and_who_signed_it_off(ctx: CardContext) -> None:
    at = make_ticket().created_at
    ticket = make_ticket(
        Status.CLOSED,
        completed_at=at,
        completion_note="更换地漏芯",
        confirmed_at=at,
        confirmed_by="林客服",
        closed_at=at,
        closed_by="陈班长",
    )
    card = ticket_card(ticket, Audience.TEAM, ctx)
    assert field(card, "维修结果") == "更换地漏芯"
    assert field(card, "验收").startswith("林客服 ")
    assert field(card, "结单").startswith("陈班长 ")
    assert "业主评价" not in [f.label for f in card.fields]
    rated = replace(
        ticket, rating_overall=2, rating_speed=5, rating_attitude=4, rating_comment="慢"
    )
    assert field(ticket_card(rated, Audience.TEAM, ctx), "业主评价") == (
        "总体满意度 2 星、响应速度 5 星、师傅服务态度 4 星；慢"
    )
    working = ticket_card(make_ticket(Status.IN_PROGRESS), Audience.TEAM, ctx)
    assert "维修结果" not in [f.label for f in working.fields]


def test_a_card_shows_the_deadline_the_job_works_towards(ctx: CardContext) -> None:
    at = make_ticket().created_at
    for ticket, label in [
        (make_ticket(Status.NEW, accept_due=at), "接单截止"),
        (make_ticket(Status.ASSIGNED, arrive_due=at), "到场截止"),
        (make_ticket(Status.PAUSED, complete_due=at), "完工截止"),
    ]:
        assert field(ticket_card(ticket, Audience.TEAM, ctx), label) == "11-28 10:00"
    done = ticket_card(make_ticket(Status.COMPLETED, complete_due=at), Audience.TEAM, ctx)
    assert not [f for f in done.fields if f.label.endswith("截止")]


def test_an_unheld_job_sent_to_a_technicians_own_chat_can_be_claimed_there(
    ctx: CardContext,
) -> None:
    """The on-call technician gets a night's emergency in his own chat: he claims it there."""
    new = make_ticket()
    card = ticket_card(new, Audience.DIRECT, ctx, "wang")
    assert verbs(card) == [V.CLAIM] and field(card, "报修人") == "张* 138****8000"
    assert ticket_card(new, Audience.DIRECT, ctx, "zhang").buttons == ()  # 土建组's
    assert ticket_card(make_ticket(team="tujian"), Audience.DIRECT, ctx, "zhang").buttons == ()


def test_the_desk_hurries_the_job_from_its_own_card_only(ctx: CardContext) -> None:
    for status in (Status.NEW, Status.ASSIGNED, Status.PAUSED):
        ticket = make_ticket(status, team="tujian")
        desk = ticket_card(ticket, Audience.SUPERVISORS, ctx)
        assert verbs(desk)[-1] is V.HURRY and desk.buttons[-1].label == "催单"
        assert desk.buttons[-1].inputs == ()
        for audience in (Audience.TEAM, Audience.DIRECT, Audience.MANAGEMENT):
            assert V.HURRY not in verbs(ticket_card(ticket, audience, ctx, "li"))
    done = ticket_card(make_ticket(Status.COMPLETED), Audience.SUPERVISORS, ctx)
    assert V.HURRY not in verbs(done)


def test_a_hurried_job_says_so_in_red_while_it_is_open(ctx: CardContext) -> None:
    card = ticket_card(make_ticket(Status.ASSIGNED, hurry_count=2), Audience.TEAM, ctx)
    assert (card.notes[0].text, card.notes[0].tone) == ("已催单 2 次", Tone.RED)
    waiting = ticket_card(make_ticket(Status.NEW, hurry_count=1), Audience.SUPERVISORS, ctx)
    assert "已催单 1 次" in [n.text for n in waiting.notes]
    calm = ticket_card(make_ticket(Status.ASSIGNED), Audience.TEAM, ctx)
    assert not [n for n in calm.notes if "催单" in n.text]
    done = ticket_card(make_ticket(Status.CLOSED, hurry_count=2), Audience.TEAM, ctx)
    assert not [n for n in done.notes if "催单" in n.text]


def test_the_assignee_moves_the_visit_with_a_time_and_a_reason(ctx: CardContext) -> None:
    visit = make_ticket().created_at + timedelta(days=1, hours=4)
    ticket = make_ticket(Status.ASSIGNED, appointment_at=visit)
    card = ticket_card(ticket, Audience.DIRECT, ctx, "li")
    move = next(b for b in card.buttons if b.value.verb is V.RESCHEDULE)
    assert move.label == "改约上门时间"
    assert [(i.name, i.kind, i.required) for i in move.inputs] == [
        ("at", "text", True),
        ("reason", "text", True),
    ]
    assert [i.label for i in move.inputs] == ["新的上门时间", "改约原因（仅内部可见）"]
    assert move.inputs[0].placeholder == "12-03 14:00"
    assert field(card, "预约上门") == "11-29 14:00"
    assert V.RESCHEDULE not in verbs(ticket_card(make_ticket(), Audience.TEAM, ctx))
    assert V.RESCHEDULE not in verbs(ticket_card(ticket, Audience.SUPERVISORS, ctx))


def test_a_charged_job_says_whether_it_was_paid_and_how(ctx: CardContext) -> None:
    line = FeeLine("SD-02", "疏通下水", "次", Decimal(1), 11050, 11050)
    done = make_ticket(Status.COMPLETED, completed_at=T0, fee_lines=(line,), fees_total_fen=11050)
    assert field(ticket_card(done, Audience.TEAM, ctx), "收费") == "未收费"
    paid = replace(done, paid_fen=11050, paid_method=PayMethod.WECHAT, paid_by="林客服")
    assert field(ticket_card(paid, Audience.TEAM, ctx), "收费") == "已收费 110.50 元（微信）"
    free = replace(line, price_fen=0, amount_fen=0, free=True)
    covered = replace(done, fee_lines=(free,), fees_total_fen=0)
    assert field(ticket_card(covered, Audience.TEAM, ctx), "收费") == "免费"


@pytest.mark.parametrize("audience", [Audience.AGENTS, Audience.SUPERVISORS])
def test_the_desk_is_offered_to_record_a_payment_only_while_one_is_owed(
    ctx: CardContext, audience: Audience
) -> None:
    charged = make_ticket(Status.COMPLETED, completed_at=T0, fees_total_fen=11050)
    for status in (Status.COMPLETED, Status.CONFIRMED, Status.CLOSED):
        card = ticket_card(replace(charged, status=status), audience, ctx)
        (pay,) = [b for b in card.buttons if b.value.verb is V.PAY]
        assert pay.label == "收费"
        (method,) = pay.inputs
        assert (method.name, method.label, method.kind, method.required) == (
            "method",
            "收款方式",
            "select",
            True,
        )
        assert [o.label for o in method.options] == ["现金", "微信", "支付宝", "转账"]
        assert [o.value for o in method.options] == [m.value for m in PayMethod]
    paid = replace(charged, paid_fen=11050, paid_method=PayMethod.CASH)
    free = replace(charged, fees_total_fen=0)
    at_work = replace(charged, status=Status.IN_PROGRESS, completed_at=None)
    for ticket in (paid, free, at_work):
        assert V.PAY not in verbs(ticket_card(ticket, audience, ctx))


def test_the_crew_is_not_offered_to_record_a_payment(ctx: CardContext) -> None:
    done = make_ticket(Status.COMPLETED, completed_at=T0, fees_total_fen=11050)
    assert V.PAY not in verbs(ticket_card(done, Audience.TEAM, ctx))
    assert V.PAY not in verbs(ticket_card(done, Audience.DIRECT, ctx, "li"))
    assert V.PAY not in verbs(ticket_card(done, Audience.MANAGEMENT, ctx))


def test_a_possible_duplicate_says_so_and_the_desk_may_merge_it(ctx: CardContext) -> None:
    ticket = make_ticket(possible_duplicate_of="BX20261128-0001")
    for audience in (Audience.SUPERVISORS, Audience.AGENTS):
        card = ticket_card(ticket, audience, ctx)
        assert "可能与 BX20261128-0001 重复" in [n.text for n in card.notes]
        assert Verb.MERGE in verbs(card)
    team = ticket_card(ticket, Audience.TEAM, ctx)
    assert "合并（客服）" in [b.label for b in team.buttons]  # the desk's, in the group too
    taken = make_ticket(Status.ASSIGNED, possible_duplicate_of="BX20261128-0001")
    assert Verb.MERGE not in verbs(ticket_card(taken, Audience.TEAM, ctx))
    plain = ticket_card(make_ticket(), Audience.SUPERVISORS, ctx)
    assert Verb.MERGE not in verbs(plain)
    assert not any("重复" in n.text for n in plain.notes)


def test_a_merged_report_names_the_ticket_it_went_into(ctx: CardContext) -> None:
    merged = make_ticket(
        Status.CANCELLED,
        possible_duplicate_of="BX20261128-0001",
        merged_into="BX20261128-0001",
        cancel_reason="与 BX20261128-0001 重复，已合并",
    )
    card = ticket_card(merged, Audience.SUPERVISORS, ctx)
    assert [n.text for n in card.notes] == ["已合并到 BX20261128-0001（重复报修）"]
    assert card.buttons == ()
