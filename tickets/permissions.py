"""The permission table: who may do which action on which team's tickets.

Grants are relative to the ticket: a technician is trusted with their own team's pool and
with the jobs they hold, a supervisor with their teams, agents, managers and admins with the
whole site. A member with several roles gets the union of their grants. baoxiu itself and the
resident are actors too, each with a grant of its own that the table gives only the verbs
they need: the system never claims a job, and a resident never touches another's ticket
(they reach only their own, through its private link).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from tickets.actions import Verb
from tickets.model import Actor, ActorKind, Ticket
from tickets.people import Member, Role


class Grant(Enum):
    TEAM_TECHNICIAN = "technician of the ticket's team"
    ASSIGNEE = "the ticket's assignee"
    TEAM_SUPERVISOR = "supervisor of the ticket's team"
    AGENT = "customer-service agent"
    MANAGER = "manager"
    ADMIN = "admin"
    SYSTEM = "baoxiu itself"
    RESIDENT = "the ticket's reporter"


_DESK = frozenset({Grant.AGENT, Grant.TEAM_SUPERVISOR, Grant.MANAGER, Grant.ADMIN})
_DISPATCHERS = frozenset({Grant.TEAM_SUPERVISOR, Grant.MANAGER, Grant.ADMIN})

PERMISSIONS: Mapping[Verb, frozenset[Grant]] = {
    Verb.CLAIM: frozenset({Grant.TEAM_TECHNICIAN}),
    Verb.DISPATCH: _DISPATCHERS,
    Verb.TRANSFER: _DISPATCHERS | {Grant.ASSIGNEE},
    Verb.HAND_BACK: frozenset({Grant.ASSIGNEE}),
    Verb.START: frozenset({Grant.ASSIGNEE}),
    Verb.PAUSE: frozenset({Grant.ASSIGNEE, Grant.TEAM_SUPERVISOR}),
    Verb.RESUME: frozenset({Grant.ASSIGNEE, Grant.TEAM_SUPERVISOR}),
    Verb.COMPLETE: frozenset({Grant.ASSIGNEE}),
    Verb.CONFIRM: _DESK | {Grant.RESIDENT},
    Verb.REOPEN: _DESK | {Grant.RESIDENT},
    Verb.CLOSE: _DESK | {Grant.SYSTEM},
    Verb.CANCEL: _DESK,
    Verb.COMMENT: _DESK | {Grant.TEAM_TECHNICIAN, Grant.ASSIGNEE},
    Verb.REVEAL: _DESK | {Grant.ASSIGNEE},
    Verb.AUTO_ASSIGN: frozenset({Grant.SYSTEM}),
    Verb.RECORD_DELIVERY_FAILURE: frozenset({Grant.SYSTEM}),
    Verb.RECORD_CARD_REPOST: frozenset({Grant.SYSTEM}),
    Verb.ESCALATE: frozenset({Grant.SYSTEM}),
    Verb.RELEASE: frozenset({Grant.SYSTEM}),
    Verb.EXTEND: _DISPATCHERS,
    Verb.TAKE_OVER: _DISPATCHERS,
    Verb.CALL_TECHNICIAN: _DESK,
    Verb.HURRY: _DESK | {Grant.RESIDENT},
    Verb.RESCHEDULE: _DESK | {Grant.ASSIGNEE},
    Verb.FLAG: _DESK | {Grant.TEAM_TECHNICIAN, Grant.ASSIGNEE},
    Verb.REVIEW: _DISPATCHERS,
    Verb.QUOTE: _DESK | {Grant.ASSIGNEE},
    Verb.CONSENT: _DESK | {Grant.ASSIGNEE, Grant.RESIDENT},
    Verb.RATE: _DESK,
    Verb.PAY: _DESK,
    Verb.SEND_VISIT: frozenset({Grant.SYSTEM}),
    Verb.VISIT: frozenset({Grant.AGENT, Grant.MANAGER, Grant.ADMIN}),
    Verb.ADD_PHOTOS: frozenset({Grant.ASSIGNEE}),
    Verb.MERGE: _DESK,
}
"""REVEAL shows a resident's full name and phone to the person who asks, and is audited: only
the people who must call the resident may, never the whole team group (PIPL). The resident
confirms or sends back (没修好) their own repair; baoxiu closes one nobody confirmed in time."""


SYSTEM_NAME = "系统"
RESIDENT_NAME = "业主"


@dataclass(frozen=True)
class Who:
    """An actor resolved against the directory: its name, and the member when it is one."""

    actor: Actor
    name: str
    member: Member | None = None


def grants_of(who: Who, ticket: Ticket) -> frozenset[Grant]:
    if who.actor.kind is ActorKind.SYSTEM:
        return frozenset({Grant.SYSTEM})
    if who.actor.kind is ActorKind.RESIDENT:
        return frozenset({Grant.RESIDENT})
    assert who.member is not None
    return _member_grants(who.member, ticket)


def _member_grants(member: Member, ticket: Ticket) -> frozenset[Grant]:
    held = set()
    if member.is_technician_of(ticket.team_id):
        held.add(Grant.TEAM_TECHNICIAN)
    if ticket.assignee_id == member.id:
        held.add(Grant.ASSIGNEE)
    if member.is_supervisor_of(ticket.team_id):
        held.add(Grant.TEAM_SUPERVISOR)
    if member.has(Role.AGENT):
        held.add(Grant.AGENT)
    if member.has(Role.MANAGER):
        held.add(Grant.MANAGER)
    if member.has(Role.ADMIN):
        held.add(Grant.ADMIN)
    return frozenset(held)


def may(who: Who, verb: Verb, ticket: Ticket) -> bool:
    return bool(PERMISSIONS[verb] & grants_of(who, ticket))


def is_dispatcher(who: Who, ticket: Ticket) -> bool:
    """Dispatchers may assign past a technician's cap: they know the crew's real load."""
    return bool(_DISPATCHERS & grants_of(who, ticket))
