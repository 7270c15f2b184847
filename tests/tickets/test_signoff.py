"""The resident's sign-off: signed and rated on their page, confirmed by staff for them,
sent back as rework, or closed by baoxiu when nobody confirmed in time."""

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.tickets.factories import COMMANDS, NOT_FIXED, SIGNED, T0, ctx, make_ticket
from tests.tickets.test_worktime import POLICY
from tickets.actions import Command, Verb
from tickets.errors import IllegalTransition, InvalidInput, NothingDue
from tickets.events import Closed, Confirmed, Rated, details_from_json
from tickets.machine import AUTO_CLOSED, decide
from tickets.model import SYSTEM, Actor
from tickets.people import Directory
from tickets.rating import Agreement, Rating, dissatisfaction, is_complaint
from tickets.states import Status
from tickets.words import describe

V, S = Verb, Status
NOW = T0 + timedelta(hours=1)
LIN = Actor.member("lin")


def test_the_resident_signs_and_rates_to_confirm(directory: Directory) -> None:
    done = decide(make_ticket(S.COMPLETED), SIGNED, ctx(directory))
    t = done.ticket
    assert (t.status, t.signature, t.confirmed_by, t.confirmed_at) == (
        S.CONFIRMED,
        "sig.png",
        "业主",
        NOW,
    )
    assert (t.rating_overall, t.rating_speed, t.rating_attitude, t.rated_at) == (4, 5, 5, NOW)
    assert t.rating_comment == "师傅很细心"
    assert done.event.details == Confirmed(
        signed=True, overall=4, speed=5, attitude=5, comment="师傅很细心"
    )
    words = describe(done.event)
    assert words.title == "业主已确认修好，已签名"
    assert words.detail == "总体满意度 4 星、响应速度 5 星、师傅服务态度 5 星；师傅很细心"


@pytest.mark.parametrize(
    ("command", "field", "message"),
    [
        (replace(SIGNED, signature=None), "signature", "请先在签名框里签名，再确认修好"),
        (replace(SIGNED, rating=None), "rating", "请给这次维修打分后再确认"),
        (replace(SIGNED, rating=Rating(0, 5, 5)), "rating.overall", "请给总体满意度打 1 到 5 星"),
        (replace(SIGNED, rating=Rating(4, 6, 5)), "rating.speed", "请给响应速度打 1 到 5 星"),
        (
            replace(SIGNED, rating=Rating(4, 5, True)),
            "rating.attitude",
            "请给师傅服务态度打 1 到 5 星",
        ),
        (replace(SIGNED, rating=Rating(4, 5, 5, "好" * 501)), "rating.comment", "评价最多 500 字"),
    ],
)
def test_a_sign_off_without_a_signature_or_with_a_bad_rating_is_refused(
    directory: Directory, command: Command, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        decide(make_ticket(S.COMPLETED), command, ctx(directory))
    assert refused.value.field == field
    assert refused.value.message.startswith(message)


def test_staff_confirm_only_for_the_resident_and_say_how_they_agreed(
    directory: Directory,
) -> None:
    done = make_ticket(S.COMPLETED)
    for command, field in [
        (Command(V.CONFIRM, LIN), "on_behalf"),
        (Command(V.CONFIRM, LIN, on_behalf=True), "agreed"),
        (replace(COMMANDS[V.CONFIRM], signature="forged.png"), "signature"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            decide(done, command, ctx(directory))
        assert refused.value.field == field
    by_phone = replace(COMMANDS[V.CONFIRM], rating=Rating(5, 5, 4))
    confirmed = decide(done, by_phone, ctx(directory))
    assert confirmed.ticket.confirmed_by == "林客服（代业主电话确认）"
    assert (confirmed.ticket.signature, confirmed.ticket.rating_attitude) == (None, 4)
    assert confirmed.event.details == Confirmed(
        on_behalf=True, agreed="phone", overall=5, speed=5, attitude=4
    )
    assert describe(confirmed.event).title == "林客服代业主确认完成（业主电话同意）"


def test_the_desk_records_a_phone_rating_once(directory: Directory) -> None:
    confirmed = make_ticket(S.CONFIRMED)
    rated = decide(confirmed, COMMANDS[V.RATE], ctx(directory))
    assert (rated.ticket.rating_overall, rated.ticket.rated_at) == (4, NOW)
    assert rated.event.details == Rated(overall=4, speed=5, attitude=5, agreed="phone")
    assert describe(rated.event).title == "林客服记录业主评价（电话）"
    with pytest.raises(InvalidInput, match="已经有业主的评价"):
        decide(rated.ticket, COMMANDS[V.RATE], ctx(directory))
    with pytest.raises(InvalidInput, match="请填写业主的评价"):
        decide(confirmed, Command(V.RATE, LIN), ctx(directory))


def test_not_fixed_sends_the_job_back_as_rework(directory: Directory) -> None:
    signed = make_ticket(S.COMPLETED, signature="old.png", rework_count=1)
    back = decide(signed, NOT_FIXED, ctx(directory))
    assert (back.ticket.status, back.ticket.rework_count, back.ticket.assignee_id) == (
        S.ASSIGNED,
        2,
        "li",
    )
    with pytest.raises(InvalidInput, match="请填写没修好的情况"):
        decide(signed, replace(NOT_FIXED, reason=" "), ctx(directory))
    with pytest.raises(IllegalTransition, match="您已经确认修好了"):
        decide(make_ticket(S.CONFIRMED), NOT_FIXED, ctx(directory))


def test_a_completed_job_waits_three_days_then_baoxiu_closes_it(directory: Directory) -> None:
    held = make_ticket(S.IN_PROGRESS)
    done = decide(held, COMMANDS[V.COMPLETE], ctx(directory, POLICY)).ticket
    assert done.auto_close_at == NOW + timedelta(days=3)
    later = replace(ctx(directory, POLICY), now=NOW + timedelta(days=3))
    with pytest.raises(NothingDue):
        decide(done, Command(V.CLOSE, SYSTEM), replace(later, now=later.now - timedelta(seconds=1)))
    closed = decide(done, Command(V.CLOSE, SYSTEM), later)
    assert (closed.ticket.status, closed.ticket.closed_by, closed.ticket.auto_close_at) == (
        S.CLOSED,
        "系统",
        None,
    )
    assert closed.event.details == Closed(AUTO_CLOSED, unconfirmed=True)
    assert AUTO_CLOSED == "系统自动结单（业主未确认）"
    confirmed = decide(done, SIGNED, ctx(directory, POLICY)).ticket
    assert confirmed.auto_close_at is None  # nothing left to close on its own
    with pytest.raises(NothingDue):
        decide(replace(confirmed, auto_close_at=NOW), Command(V.CLOSE, SYSTEM), later)


@pytest.mark.parametrize(
    ("rating", "told"),
    [
        (Rating(4, 5, 5), None),
        (Rating(3, 3, 3), None),
        (Rating(5, 2, 5), "业主不满意（总体满意度 5 星、响应速度 2 星、师傅服务态度 5 星）"),
        (
            Rating(1, 1, 1, "态度差"),
            "业主不满意（总体满意度 1 星、响应速度 1 星、师傅服务态度 1 星）：态度差",
        ),
    ],
)
def test_two_stars_or_fewer_in_any_part_is_a_complaint(
    directory: Directory, rating: Rating, told: str | None
) -> None:
    before = make_ticket(S.COMPLETED)
    done = decide(before, replace(SIGNED, rating=rating), ctx(directory))
    assert dissatisfaction(before, done.ticket, done.event) == told
    assert is_complaint(done.ticket) is (told is not None)
    noted = decide(done.ticket, Command(V.COMMENT, LIN, note="已回访"), ctx(directory))
    assert dissatisfaction(done.ticket, noted.ticket, noted.event) is None  # told once


def test_a_rework_is_a_complaint(directory: Directory) -> None:
    before = make_ticket(S.COMPLETED)
    back = decide(before, NOT_FIXED, ctx(directory))
    assert (is_complaint(before), is_complaint(back.ticket)) == (False, True)
    assert (
        dissatisfaction(before, back.ticket, back.event) == "业主反馈没修好，第 1 次返工：还是滴水"
    )


def test_the_agreements_read_as_people_say_them() -> None:
    assert [a.label for a in Agreement] == ["当面", "电话"]


def test_a_confirmation_stored_before_the_sign_off_reads_as_it_did(directory: Directory) -> None:
    kind, details = details_from_json("confirm", {"note": "业主电话确认"})  # a row from before
    assert details == Confirmed(note="业主电话确认")
    event = decide(make_ticket(S.COMPLETED), COMMANDS[V.CONFIRM], ctx(directory)).event
    stored = replace(event, kind=kind, details=details)
    assert (describe(stored).title, describe(stored).detail) == ("林客服已确认完成", "业主电话确认")
