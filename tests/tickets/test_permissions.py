"""The permission table, member by member and action by action."""

from collections.abc import Mapping
from dataclasses import replace

import pytest

from tests.tickets.factories import COMMANDS, OVERDUE, WAITING, ctx, make_ticket
from tests.tickets.test_worktime import POLICY
from tickets.actions import Command, Verb
from tickets.errors import Forbidden
from tickets.machine import ALLOWED_FROM, decide
from tickets.model import Actor
from tickets.people import Directory, Member, Role
from tickets.permissions import Who, may
from tickets.states import Status

V = Verb
DESK = {"chen", "zhou", "lin", "admin"}

# On a 水电组 ticket held by 李师傅 (li). wang is li's teammate, zhang a 土建 technician,
# chen supervises every team, qian only 土建, zhou is the manager, lin an agent.
EXPECTED_ALLOWED: Mapping[Verb, set[str]] = {
    V.CLAIM: {"li", "wang"},
    V.DISPATCH: {"chen", "zhou", "admin"},
    V.TRANSFER: {"li", "chen", "zhou", "admin"},
    V.HAND_BACK: {"li"},
    V.START: {"li"},
    V.PAUSE: {"li", "chen"},
    V.RESUME: {"li", "chen"},
    V.COMPLETE: {"li"},
    V.CONFIRM: DESK,
    V.REOPEN: DESK,
    V.CLOSE: DESK,
    V.CANCEL: DESK,
    V.COMMENT: {"li", "wang"} | DESK,
    V.REVEAL: {"li"} | DESK,
    V.AUTO_ASSIGN: set(),
    V.RECORD_DELIVERY_FAILURE: set(),
    V.RECORD_CARD_REPOST: set(),
    V.ESCALATE: set(),
    V.RELEASE: set(),
    V.EXTEND: {"chen", "zhou", "admin"},
    V.TAKE_OVER: {"chen", "zhou", "admin"},
    V.CALL_TECHNICIAN: DESK,
    V.HURRY: DESK,
    V.RESCHEDULE: {"li"} | DESK,
    V.FLAG: {"li", "wang"} | DESK,
    V.REVIEW: {"chen", "zhou", "admin"},
    V.QUOTE: {"li"} | DESK,
    V.CONSENT: {"li"} | DESK,
    V.RATE: DESK,
    V.PAY: DESK,
    V.SEND_VISIT: set(),
    V.VISIT: {"zhou", "lin", "admin"},  # customer service's call, not the crew's
    V.ADD_PHOTOS: {"li"},  # the photos of the job are the one who did it
    V.MERGE: DESK,
}
PEOPLE = ["li", "wang", "zhang", "chen", "qian", "zhou", "lin", "admin"]


@pytest.fixture(scope="module")
def staff(directory: Directory) -> Directory:
    qian = Member("qian", "钱班长", frozenset({Role.SUPERVISOR}), frozenset({"tujian"}))
    return Directory(directory.teams.values(), [*directory.members.values(), qian])


def _first_state(verb: Verb) -> Status:
    """A state the verb applies in, preferring `assigned` (make_ticket has li hold it)."""
    if Status.ASSIGNED in ALLOWED_FROM[verb]:
        return Status.ASSIGNED
    return next(s for s in Status if s in ALLOWED_FROM[verb])


@pytest.mark.parametrize("verb", list(Verb))
@pytest.mark.parametrize("person", PEOPLE)
def test_permission_table(staff: Directory, verb: Verb, person: str) -> None:
    held = make_ticket(_first_state(verb), **OVERDUE, **WAITING.get(verb, {}))
    member = staff.members[person]
    command = replace(COMMANDS[verb], actor=Actor.member(person))
    allowed = person in EXPECTED_ALLOWED[verb]
    assert may(Who(command.actor, member.name, member), verb, held) is allowed
    if allowed:
        assert decide(held, command, ctx(staff, POLICY)).event.actor_id == person
    else:
        with pytest.raises(Forbidden) as refused:
            decide(held, command, ctx(staff, POLICY))
        assert staff.members[person].name in refused.value.message


def test_forbidden_message_says_who_may(directory: Directory) -> None:
    with pytest.raises(Forbidden) as refused:
        decide(make_ticket(Status.PAUSED), Command(V.RESUME, Actor.member("wang")), ctx(directory))
    assert refused.value.message == (
        "王师傅不能继续：只有接单人（李师傅）、水电组班组长可以继续。"
        "这单现在没有需要你做的；有问题请联系水电组班组长"
    )


def test_a_refusal_says_what_the_member_may_do_instead(directory: Directory) -> None:
    held = make_ticket(Status.IN_PROGRESS)
    with pytest.raises(Forbidden) as refused:
        decide(held, Command(V.COMPLETE, Actor.member("chen")), ctx(directory))
    assert refused.value.message.endswith(
        "。你在这单上可以：转单、暂停、取消、查看联系方式、催单、改约上门时间"
    )
