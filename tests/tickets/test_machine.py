"""Every (state, action) pair of the transition table, and each action's own rules."""

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.tickets.factories import (
    COMMANDS,
    NOT_FIXED,
    OVERDUE,
    SIGNED,
    SYSTEM_VERBS,
    T0,
    TEAMS,
    WAITING,
    ctx,
    make_ticket,
)
from tests.tickets.test_worktime import POLICY
from tickets.actions import Command, Verb
from tickets.deadlines import Step, restarted
from tickets.errors import (
    AlreadyTaken,
    CapacityReached,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    TooSoon,
)
from tickets.events import (
    Assigned,
    CardReposted,
    Closed,
    DeliveryFailed,
    EventKind,
    Reopened,
    Rescheduled,
    Revealed,
    Transferred,
)
from tickets.machine import ALLOWED_FROM, available_verbs, decide, possible_verbs
from tickets.model import RESIDENT, SYSTEM, Actor
from tickets.people import Directory
from tickets.states import Status, Urgency

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
    # the desk records a rating the resident gave by phone, once the repair is confirmed
    (S.CONFIRMED, V.RATE): S.CONFIRMED,
    (S.CLOSED, V.RATE): S.CLOSED,
    (S.CANCELLED, V.COMMENT): S.CANCELLED,
    **{(s, V.REVEAL): s for s in S},  # audited, changes nothing
    (S.NEW, V.AUTO_ASSIGN): S.ASSIGNED,
    **{(s, V.RECORD_DELIVERY_FAILURE): s for s in S},  # on the timeline, changes nothing
    **{(s, V.RECORD_CARD_REPOST): s for s in S},
    # an overdue job climbs its chain, may get more time or be taken over, until it is done
    **{(s, v): s for s in (S.NEW, *_HELD) for v in (V.ESCALATE, V.EXTEND, V.TAKE_OVER)},
    (S.ASSIGNED, V.RELEASE): S.NEW,
    **{(s, V.CALL_TECHNICIAN): s for s in _HELD},  # audited, changes nothing
    # while the job is open the resident may chase it and the visit be (re)arranged
    **{(s, v): s for s in (S.NEW, *_HELD) for v in (V.HURRY, V.RESCHEDULE)},
    # a report outside the catalogue waits for the supervisor; a higher price for the resident
    **{(s, V.FLAG): s for s in (S.NEW, S.ASSIGNED)},
    **{(s, V.REVIEW): s for s in (S.NEW, S.ASSIGNED)},
    **{(s, v): s for s in _HELD for v in (V.QUOTE, V.CONSENT)},
    # a finished job's fees are paid at the door or later, before or after it is closed
    **{(s, V.PAY): s for s in (S.COMPLETED, S.CONFIRMED, S.CLOSED)},
    # a closed job's return visit is put on the agents' chat, and its outcome recorded
    (S.CLOSED, V.SEND_VISIT): S.CLOSED,
    (S.CLOSED, V.VISIT): S.CLOSED,
    # photos after the repair come while the job is worked, and until the resident confirms
    **{(s, V.ADD_PHOTOS): s for s in (S.IN_PROGRESS, S.PAUSED, S.COMPLETED)},
    # a duplicate report is merged away before anyone works it
    (S.NEW, V.MERGE): S.CANCELLED,
    (S.ASSIGNED, V.MERGE): S.CANCELLED,
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("verb", list(Verb))
def test_every_state_action_pair(directory: Directory, status: Status, verb: Verb) -> None:
    ticket = make_ticket(
        status, team=TEAMS.get(verb, "shuidian"), **OVERDUE, **WAITING.get(verb, {})
    )
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


@pytest.mark.parametrize("verb", [v for v in Verb if v not in (*SYSTEM_VERBS, V.CLOSE)])
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


def test_the_resident_may_confirm_or_reopen_the_repair_and_hurry_and_nothing_else(
    directory: Directory,
) -> None:
    confirmed = decide(make_ticket(S.COMPLETED), SIGNED, ctx(directory))
    assert confirmed.ticket.status is S.CONFIRMED
    assert (confirmed.event.actor_id, confirmed.event.actor_name) == (None, "业主")
    hurried = decide(make_ticket(S.ASSIGNED), Command(V.HURRY, RESIDENT), ctx(directory))
    assert (hurried.ticket.hurry_count, hurried.event.actor_name) == (1, "业主")
    reopened = decide(make_ticket(S.COMPLETED), NOT_FIXED, ctx(directory))
    assert (reopened.ticket.status, reopened.event.actor_name) == (S.ASSIGNED, "业主")
    for verb in (V.CLOSE, V.CANCEL, V.REVEAL, V.COMMENT, V.RESCHEDULE, V.RATE):
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
        Command(V.COMPLETE, Actor.member("li"), findings="地漏芯老化", note="更换地漏芯"),
        ctx(directory),
    ).ticket
    assert done.completion_note == "更换地漏芯"
    confirmed = decide(done, SIGNED, ctx(directory)).ticket
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


def test_a_hurry_is_counted_and_the_next_waits_half_an_hour(directory: Directory) -> None:
    hurry = Command(V.HURRY, RESIDENT)
    first = decide(make_ticket(S.ASSIGNED, hurry_count=1, hurried_at=T0), hurry, ctx(directory))
    assert (first.ticket.hurry_count, first.ticket.hurried_at) == (2, T0 + timedelta(hours=1))
    assert first.event.kind is EventKind.HURRIED
    again = replace(ctx(directory), now=T0 + timedelta(hours=1, minutes=10, seconds=20))
    with pytest.raises(TooSoon) as refused:
        decide(first.ticket, hurry, again)
    assert refused.value.wait == timedelta(minutes=20)  # 19 min 40 s, rounded up
    assert refused.value.message == (
        "已经收到您的催单，我们已提醒维修师傅尽快处理。如仍未处理，请20分钟后再催"
    )
    with pytest.raises(TooSoon, match="工单BX20261128-0001刚催过单，20分钟后可以再催"):
        decide(first.ticket, Command(V.HURRY, Actor.member("lin")), again)
    later = replace(ctx(directory), now=T0 + timedelta(hours=1, minutes=30))
    assert decide(first.ticket, hurry, later).ticket.hurry_count == 3


def test_a_hurry_changes_no_deadline_and_no_step_of_the_chain(directory: Directory) -> None:
    late = make_ticket(S.ASSIGNED, **{**OVERDUE, "escalation_step": 1})
    hurried = decide(late, Command(V.HURRY, RESIDENT), ctx(directory, POLICY)).ticket
    assert (hurried.arrive_due, hurried.escalation_step) == (T0, 1)


@pytest.mark.parametrize(
    ("at", "field", "words"),
    [
        (None, "at", "请填写新的上门时间"),
        (T0 + timedelta(minutes=59), "at", "已经过去"),
        (T0 + timedelta(days=30, hours=2), "at", "30 天以内"),
        (T0 + timedelta(days=2), "at", "一样"),
    ],
)
def test_a_new_appointment_is_a_real_future_time(
    directory: Directory, at: object, field: str, words: str
) -> None:
    ticket = make_ticket(S.ASSIGNED, appointment_at=T0 + timedelta(days=2))
    command = Command(V.RESCHEDULE, Actor.member("li"), at=at, reason="业主加班")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=words) as refused:
        decide(ticket, command, ctx(directory, POLICY))
    assert refused.value.field == field
    no_reason = Command(V.RESCHEDULE, Actor.member("li"), at=T0 + timedelta(days=1))
    with pytest.raises(InvalidInput) as refused:
        decide(ticket, no_reason, ctx(directory, POLICY))
    assert refused.value.field == "reason"


def test_an_agreed_appointment_is_the_arrive_deadline_and_its_chain_starts_again(
    directory: Directory,
) -> None:
    late = make_ticket(S.ASSIGNED, **{**OVERDUE, "escalation_step": 2, "escalate_at": None})
    visit = T0 + timedelta(days=1)
    command = Command(V.RESCHEDULE, Actor.member("li"), at=visit, reason="业主明天才在家")
    moved = decide(late, command, ctx(directory, POLICY))
    assert (moved.ticket.appointment_at, moved.ticket.arrive_due) == (visit, visit)
    assert (moved.ticket.escalation_step, moved.ticket.escalate_at) == (0, visit)
    assert moved.event.details == Rescheduled(visit.isoformat(), None, "业主明天才在家")
    started = make_ticket(S.IN_PROGRESS, **{**OVERDUE, "escalation_step": 1})
    later = decide(started, command, ctx(directory, POLICY)).ticket
    assert (later.appointment_at, later.arrive_due, later.complete_due) == (visit, T0, T0)
    assert later.escalation_step == 1  # the next visit moves no deadline of the repair


def test_an_appointment_later_than_the_arrive_deadline_is_the_deadline(
    directory: Directory,
) -> None:
    sla = ctx(directory, POLICY)
    urgent = Urgency.EMERGENCY  # 30 minutes to arrive, round the clock
    claim = Command(V.CLAIM, Actor.member("wang"))
    visit = sla.now + timedelta(hours=4)
    asked = decide(make_ticket(appointment_at=visit, urgency=urgent), claim, sla).ticket
    assert asked.arrive_due == visit
    soon = decide(make_ticket(appointment_at=sla.now, urgency=urgent), claim, sla).ticket
    assert soon.arrive_due == sla.now + timedelta(minutes=30)
    target = POLICY.target(Urgency.EMERGENCY)
    assert restarted(POLICY, Urgency.EMERGENCY, "水电", S.ASSIGNED, T0, visit) == {
        "arrive_due": visit,
        "complete_due": None,
    }
    assert restarted(POLICY, Urgency.EMERGENCY, "水电", S.IN_PROGRESS, T0, visit) == {
        "complete_due": POLICY.due(target, Step.COMPLETE, T0)
    }
