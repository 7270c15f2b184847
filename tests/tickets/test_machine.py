"""Every (state, action) pair of the transition table, and each action's own rules."""

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.tickets.factories import (
    COMMANDS,
    OVERDUE,
    SYSTEM_VERBS,
    T0,
    TEAMS,
    ctx,
    make_ticket,
)
from tests.tickets.test_worktime import POLICY
from tickets.actions import Command, Verb
from tickets.errors import (
    AlreadyTaken,
    CapacityReached,
    Forbidden,
    IllegalTransition,
    InvalidInput,
)
from tickets.events import (
    Assigned,
    CardReposted,
    Closed,
    DeliveryFailed,
    EventKind,
    Reopened,
    Revealed,
    Transferred,
)
from tickets.machine import ALLOWED_FROM, available_verbs, decide, possible_verbs
from tickets.model import RESIDENT, SYSTEM, Actor
from tickets.people import Directory
from tickets.states import Status

S, V = Status, Verb
_HELD = (S.ASSIGNED, S.IN_PROGRESS, S.PAUSED)

# Written out by hand from the domain, not derived from the code under test.
EXPECTED: Mapping[tuple[Status, Verb], Status] = {
    (S.NEW, V.CLAIM): S.ASSIGNED,
    (S.NEW, V.DISPATCH): S.ASSIGNED,
    (S.NEW, V.CANCEL): S.CANCELLED,
    (S.NEW, V.COMMENT): S.NEW,
    (S.ASSIGNED, V.TRANSFER): S.ASSIGNED,
    (S.ASSIGNED, V.HAND_BACK): S.NEW,
    (S.ASSIGNED, V.START): S.IN_PROGRESS,
    (S.ASSIGNED, V.CANCEL): S.CANCELLED,
    (S.ASSIGNED, V.COMMENT): S.ASSIGNED,
    (S.IN_PROGRESS, V.TRANSFER): S.ASSIGNED,
    (S.IN_PROGRESS, V.HAND_BACK): S.NEW,
    (S.IN_PROGRESS, V.PAUSE): S.PAUSED,
    (S.IN_PROGRESS, V.COMPLETE): S.COMPLETED,
    (S.IN_PROGRESS, V.CANCEL): S.CANCELLED,
    (S.IN_PROGRESS, V.COMMENT): S.IN_PROGRESS,
    (S.PAUSED, V.TRANSFER): S.ASSIGNED,
    (S.PAUSED, V.HAND_BACK): S.NEW,
    (S.PAUSED, V.RESUME): S.IN_PROGRESS,
    (S.PAUSED, V.CANCEL): S.CANCELLED,
    (S.PAUSED, V.COMMENT): S.PAUSED,
    (S.COMPLETED, V.CONFIRM): S.CONFIRMED,
    (S.COMPLETED, V.REOPEN): S.ASSIGNED,
    (S.COMPLETED, V.CLOSE): S.CLOSED,
    (S.COMPLETED, V.COMMENT): S.COMPLETED,
    (S.CONFIRMED, V.REOPEN): S.ASSIGNED,
    (S.CONFIRMED, V.CLOSE): S.CLOSED,
    (S.CONFIRMED, V.COMMENT): S.CONFIRMED,
    (S.CLOSED, V.COMMENT): S.CLOSED,
    (S.CANCELLED, V.COMMENT): S.CANCELLED,
    **{(s, V.REVEAL): s for s in S},  # audited, changes nothing
    (S.NEW, V.AUTO_ASSIGN): S.ASSIGNED,
    **{(s, V.RECORD_DELIVERY_FAILURE): s for s in S},  # on the timeline, changes nothing
    **{(s, V.RECORD_CARD_REPOST): s for s in S},
    # an overdue job climbs its chain, may get more time or be taken over, until it is done
    **{(s, v): s for s in (S.NEW, *_HELD) for v in (V.ESCALATE, V.EXTEND, V.TAKE_OVER)},
    (S.ASSIGNED, V.RELEASE): S.NEW,
    **{(s, V.CALL_TECHNICIAN): s for s in _HELD},  # audited, changes nothing
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("verb", list(Verb))
def test_every_state_action_pair(directory: Directory, status: Status, verb: Verb) -> None:
    ticket = make_ticket(status, team=TEAMS.get(verb, "shuidian"), **OVERDUE)
    command = COMMANDS[verb]
    if (status, verb) not in EXPECTED:
        with pytest.raises(IllegalTransition) as refused:
            decide(ticket, command, ctx(directory, POLICY))
        assert refused.value.message
        return
    transition = decide(ticket, command, ctx(directory, POLICY))
    assert transition.ticket.status is EXPECTED[(status, verb)]
    unchanged = (V.COMMENT, V.REVEAL, V.CALL_TECHNICIAN, V.RECORD_DELIVERY_FAILURE)
    if verb in (*unchanged, V.RECORD_CARD_REPOST):
        assert transition.ticket is ticket
    else:
        assert transition.ticket.updated_at == T0 + timedelta(hours=1)
    event = transition.event
    assert (event.kind, event.actor_id, event.source) == (verb.kind, command.actor.member_id, "api")
    assert (event.from_status, event.to_status) == (status, EXPECTED[(status, verb)])


@pytest.mark.parametrize("status", list(Status))
def test_available_verbs_match_the_table(status: Status) -> None:
    assert set(available_verbs(status)) == {v for (s, v) in EXPECTED if s is status}


@pytest.mark.parametrize("status", [S.ASSIGNED, S.IN_PROGRESS, S.PAUSED])
def test_claiming_a_held_ticket_names_the_holder(directory: Directory, status: Status) -> None:
    with pytest.raises(AlreadyTaken, match="李师傅") as refused:
        decide(make_ticket(status), Command(V.CLAIM, Actor.member("wang")), ctx(directory))
    assert refused.value.assignee_name == "李师傅"


def test_claim_assigns_the_claimer(directory: Directory) -> None:
    t = decide(make_ticket(), Command(V.CLAIM, Actor.member("wang")), ctx(directory)).ticket
    assert (t.assignee_id, t.accepted_at) == ("wang", T0 + timedelta(hours=1))


def test_claim_refused_in_assign_and_round_robin_teams(directory: Directory) -> None:
    for team, tech in [("tujian", "zhang"), ("dianti", "liu")]:
        with pytest.raises(Forbidden, match="派单"):
            decide(make_ticket(team=team), Command(V.CLAIM, Actor.member(tech)), ctx(directory))


def test_claim_refused_at_the_cap(directory: Directory) -> None:
    with pytest.raises(CapacityReached, match="5 单"):
        decide(make_ticket(), Command(V.CLAIM, Actor.member("wang")), ctx(directory, wang=5))
    decide(make_ticket(), Command(V.CLAIM, Actor.member("wang")), ctx(directory, wang=4))


def test_dispatch_past_the_cap_is_the_supervisors_call(directory: Directory) -> None:
    event = decide(make_ticket(), COMMANDS[V.DISPATCH], ctx(directory, wang=9)).event
    assert event.details == Assigned(to="wang", to_name="王师傅", over_cap=True)
    event = decide(make_ticket(), COMMANDS[V.DISPATCH], ctx(directory, wang=0)).event
    assert event.details == Assigned(to="wang", to_name="王师傅")


def test_dispatch_needs_a_technician_of_the_team(directory: Directory) -> None:
    for target in [None, "nobody", "zhang", "lin"]:
        with pytest.raises(InvalidInput) as refused:
            decide(
                make_ticket(), Command(V.DISPATCH, Actor.member("chen"), to=target), ctx(directory)
            )
        assert refused.value.field == "to"


def test_peer_transfer_respects_the_cap_supervisor_transfer_does_not(
    directory: Directory,
) -> None:
    ticket = make_ticket(S.IN_PROGRESS)
    with pytest.raises(CapacityReached):
        decide(ticket, Command(V.TRANSFER, Actor.member("li"), to="wang"), ctx(directory, wang=5))
    moved = decide(
        ticket, Command(V.TRANSFER, Actor.member("chen"), to="wang"), ctx(directory, wang=5)
    )
    assert moved.ticket.assignee_id == "wang"
    assert isinstance(moved.event.details, Transferred) and moved.event.details.over_cap


def test_transfer_to_another_team_returns_it_to_that_pool(directory: Directory) -> None:
    ticket = make_ticket(S.PAUSED, pause_reason="等配件")
    moved = decide(
        ticket, Command(V.TRANSFER, Actor.member("li"), team="tujian"), ctx(directory)
    ).ticket
    assert (moved.status, moved.team_id, moved.assignee_id) == (S.NEW, "tujian", None)
    assert moved.pause_reason is None


def test_transfer_to_a_technician_of_another_team(directory: Directory) -> None:
    command = Command(V.TRANSFER, Actor.member("chen"), to="zhang", team="tujian")
    moved = decide(make_ticket(S.ASSIGNED), command, ctx(directory)).ticket
    assert (moved.status, moved.team_id, moved.assignee_id) == (S.ASSIGNED, "tujian", "zhang")


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (Command(V.TRANSFER, Actor.member("li")), "to"),
        (Command(V.TRANSFER, Actor.member("li"), to="li"), "to"),
        (Command(V.TRANSFER, Actor.member("li"), to="zhang"), "to"),
        (Command(V.TRANSFER, Actor.member("li"), team="nowhere"), "team"),
    ],
)
def test_transfer_needs_a_real_new_target(
    directory: Directory, command: Command, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        decide(make_ticket(S.ASSIGNED), command, ctx(directory))
    assert refused.value.field == field


def test_hand_back_returns_to_the_pool_or_is_refused_in_assign_teams(
    directory: Directory,
) -> None:
    back = decide(make_ticket(S.ASSIGNED), COMMANDS[V.HAND_BACK], ctx(directory)).ticket
    assert (back.status, back.assignee_id, back.accepted_at) == (S.NEW, None, None)
    held = make_ticket(S.ASSIGNED, team="tujian", assignee_id="zhang")
    with pytest.raises(Forbidden, match="不能退单"):
        decide(held, Command(V.HAND_BACK, Actor.member("zhang"), reason="忙"), ctx(directory))


@pytest.mark.parametrize(
    ("status", "verb"),
    [
        (S.ASSIGNED, V.HAND_BACK),
        (S.IN_PROGRESS, V.PAUSE),
        (S.COMPLETED, V.REOPEN),
        (S.NEW, V.CANCEL),
        (S.COMPLETED, V.CLOSE),
        (S.NEW, V.COMMENT),
    ],
)
def test_reasons_are_required_where_they_matter(
    directory: Directory, status: Status, verb: Verb
) -> None:
    actor = COMMANDS[verb].actor
    for blank in [None, "", "   "]:
        with pytest.raises(InvalidInput):
            decide(make_ticket(status), Command(verb, actor, reason=blank), ctx(directory))
    with pytest.raises(InvalidInput, match="500"):
        decide(
            make_ticket(status),
            Command(verb, actor, reason="很" * 501, note="很" * 501),
            ctx(directory),
        )


def test_confirmed_ticket_closes_without_a_reason(directory: Directory) -> None:
    closed = decide(make_ticket(S.CONFIRMED), Command(V.CLOSE, Actor.member("lin")), ctx(directory))
    assert closed.ticket.closed_at == T0 + timedelta(hours=1)
    assert closed.event.details == Closed()
    unconfirmed = decide(make_ticket(S.COMPLETED), COMMANDS[V.CLOSE], ctx(directory))
    assert unconfirmed.event.details == Closed(reason="业主电话确认", unconfirmed=True)


def test_reopen_counts_rework_and_goes_back_to_the_assignee(directory: Directory) -> None:
    done = make_ticket(S.CONFIRMED, completed_at=T0, confirmed_at=T0, rework_count=1)
    again = decide(done, COMMANDS[V.REOPEN], ctx(directory))
    assert again.ticket.rework_count == 2
    assert (again.ticket.status, again.ticket.assignee_id) == (S.ASSIGNED, "li")
    assert again.ticket.completed_at is None and again.ticket.confirmed_at is None
    assert again.event.details == Reopened(reason="还在滴水", rework=2)


def test_pause_reason_is_kept_until_resume(directory: Directory) -> None:
    paused = decide(make_ticket(S.IN_PROGRESS), COMMANDS[V.PAUSE], ctx(directory)).ticket
    assert paused.pause_reason == "等配件"
    resumed = decide(paused, COMMANDS[V.RESUME], ctx(directory)).ticket
    assert resumed.pause_reason is None


def test_unknown_actor_is_refused(directory: Directory) -> None:
    with pytest.raises(Forbidden, match="未登记"):
        decide(make_ticket(), Command(V.CLAIM, Actor.member("stranger")), ctx(directory))


def test_decide_does_not_touch_the_version(directory: Directory) -> None:
    """The version belongs to storage's conditional update, not to the pure core."""
    ticket = make_ticket(version=7)
    assert decide(ticket, COMMANDS[V.CLAIM], ctx(directory)).ticket.version == 7


def test_possible_verbs_leave_out_what_the_team_mode_forbids(directory: Directory) -> None:
    claim_team = possible_verbs(make_ticket(), directory.teams["shuidian"])
    assign_team = possible_verbs(make_ticket(team="tujian"), directory.teams["tujian"])
    robin_team = possible_verbs(make_ticket(team="dianti"), directory.teams["dianti"])
    assert V.CLAIM in claim_team and V.CLAIM not in assign_team and V.CLAIM not in robin_team
    held = make_ticket(S.ASSIGNED, team="tujian", assignee_id="zhang")
    assert V.HAND_BACK not in possible_verbs(held, directory.teams["tujian"])
    assert V.HAND_BACK in possible_verbs(make_ticket(S.ASSIGNED), directory.teams["shuidian"])


def test_reveal_is_audited_and_changes_nothing_else(directory: Directory) -> None:
    ticket = make_ticket(S.IN_PROGRESS)
    seen = decide(ticket, Command(V.REVEAL, Actor.member("li")), ctx(directory))
    assert seen.ticket.status is S.IN_PROGRESS and seen.event.details == Revealed("reporter")
    with pytest.raises(Forbidden):
        decide(ticket, Command(V.REVEAL, Actor.member("wang")), ctx(directory))


def test_baoxiu_assigns_only_under_the_cap_and_only_in_round_robin_teams(
    directory: Directory,
) -> None:
    auto = decide(make_ticket(team="dianti"), COMMANDS[V.AUTO_ASSIGN], ctx(directory, liu=2))
    assert (auto.ticket.assignee_id, auto.event.actor_id, auto.event.actor_name) == (
        "liu",
        None,
        "系统",
    )
    assert auto.event.kind is EventKind.AUTO_ASSIGNED
    with pytest.raises(CapacityReached):
        decide(make_ticket(team="dianti"), COMMANDS[V.AUTO_ASSIGN], ctx(directory, liu=5))
    with pytest.raises(Forbidden, match="轮派"):
        decide(make_ticket(), Command(V.AUTO_ASSIGN, SYSTEM, to="li"), ctx(directory))


@pytest.mark.parametrize("verb", [v for v in Verb if v not in SYSTEM_VERBS])
def test_the_system_holds_no_grant_a_person_needs(directory: Directory, verb: Verb) -> None:
    command = replace(COMMANDS[verb], actor=SYSTEM)
    status = next(s for (s, v) in EXPECTED if v is verb)
    with pytest.raises(Forbidden, match="系统不能"):
        decide(make_ticket(status), command, ctx(directory))


@pytest.mark.parametrize("verb", SYSTEM_VERBS)
def test_people_cannot_use_the_systems_verbs(directory: Directory, verb: Verb) -> None:
    command = replace(COMMANDS[verb], actor=Actor.member("admin"))
    with pytest.raises(Forbidden, match="只有系统可以"):
        status = next(s for s in S if s in ALLOWED_FROM[verb])
        ticket = make_ticket(status, team=TEAMS.get(verb, "shuidian"))
        decide(ticket, command, ctx(directory))


def test_the_resident_may_confirm_the_repair_and_nothing_else(directory: Directory) -> None:
    confirmed = decide(
        make_ticket(S.COMPLETED), Command(V.CONFIRM, RESIDENT, note="修好了"), ctx(directory)
    )
    assert confirmed.ticket.status is S.CONFIRMED
    assert (confirmed.event.actor_id, confirmed.event.actor_name) == (None, "业主")
    for verb in (V.REOPEN, V.CLOSE, V.CANCEL, V.REVEAL, V.COMMENT):
        status = next(s for (s, v) in EXPECTED if v is verb and s is not S.CLOSED)
        with pytest.raises(Forbidden, match="业主不能"):
            decide(make_ticket(status), replace(COMMANDS[verb], actor=RESIDENT), ctx(directory))


K = EventKind


@pytest.mark.parametrize(
    ("verb", "kind", "details"),
    [
        (
            V.RECORD_DELIVERY_FAILURE,
            EventKind.DELIVERY_FAILED,
            DeliveryFailed("feishu", "oc_1", "230002"),
        ),
        (
            V.RECORD_CARD_REPOST,
            EventKind.CARD_REPOSTED,
            CardReposted("feishu", "oc_1", "卡片已被撤回"),
        ),
    ],
)
def test_what_the_system_notes_is_recorded_as_it_was_given(
    directory: Directory, verb: Verb, kind: EventKind, details: object
) -> None:
    noted = decide(make_ticket(S.PAUSED), COMMANDS[verb], ctx(directory))
    assert noted.event.kind is kind
    assert noted.event.details == details
    with pytest.raises(InvalidInput):  # a note without its details
        decide(make_ticket(), Command(verb, SYSTEM), ctx(directory))


def test_the_ticket_keeps_the_result_and_who_signed_it_off(directory: Directory) -> None:
    done = decide(
        make_ticket(Status.IN_PROGRESS),
        Command(V.COMPLETE, Actor.member("li"), note="更换地漏芯"),
        ctx(directory),
    ).ticket
    assert done.completion_note == "更换地漏芯"
    confirmed = decide(done, Command(V.CONFIRM, RESIDENT), ctx(directory)).ticket
    assert confirmed.confirmed_by == "业主"
    closed = decide(confirmed, Command(V.CLOSE, Actor.member("chen")), ctx(directory)).ticket
    assert (closed.completion_note, closed.confirmed_by, closed.closed_by) == (
        "更换地漏芯",
        "业主",
        "陈班长",
    )
    redone = decide(
        confirmed, Command(V.REOPEN, Actor.member("lin"), reason="仍在渗水"), ctx(directory)
    ).ticket
    assert (redone.completion_note, redone.confirmed_by) == (None, None)  # to be done again


def test_due_times_restart_only_when_the_job_goes_back_or_moves(directory: Directory) -> None:
    sla = replace(ctx(directory), policy=POLICY)
    held = make_ticket(S.IN_PROGRESS, complete_due=T0, arrive_due=T0)
    noted = decide(held, Command(V.COMMENT, Actor.member("li"), note="业主不在家"), sla).ticket
    assert (noted.arrive_due, noted.complete_due) == (T0, T0)  # a note changes no clock
    back = decide(
        make_ticket(S.ASSIGNED, arrive_due=T0),
        Command(V.HAND_BACK, Actor.member("li"), reason="不是本专业"),
        sla,
    ).ticket
    assert back.status is S.NEW and back.arrive_due is None
    assert back.accept_due is not None and back.accept_due > sla.now  # accepted anew
    unset = decide(make_ticket(S.ASSIGNED), Command(V.START, Actor.member("li")), ctx(directory))
    assert unset.ticket.complete_due is None  # no policy, no due times
