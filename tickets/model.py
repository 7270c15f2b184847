"""The ticket record and its audit events, as plain immutable values.

A transition never edits a ticket in place: it returns the next ticket and the event that
explains the change, so storage can write both in one transaction or neither.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from tickets.deadlines import Rung
from tickets.events import Details, EventKind, NoDetails
from tickets.fees import FeeLine, Material
from tickets.payment import PayMethod
from tickets.states import Channel, PauseKind, Review, Source, Status, Urgency


@dataclass(frozen=True)
class Reporter:
    name: str
    phone: str


class ActorKind(StrEnum):
    MEMBER = "member"
    SYSTEM = "system"
    """baoxiu itself: round-robin assignment, failed deliveries, the jobs; also intake by an
    integration that names no staff member."""
    RESIDENT = "resident"
    """The reporter, through the private status-page link."""


@dataclass(frozen=True)
class Actor:
    """Who asks for a change. Members are named by id and resolved against the directory in
    the transaction, so a name on the timeline is the one the directory gives."""

    kind: ActorKind
    member_id: str | None = None

    @classmethod
    def member(cls, member_id: str) -> "Actor":
        return cls(ActorKind.MEMBER, member_id)


SYSTEM = Actor(ActorKind.SYSTEM)
RESIDENT = Actor(ActorKind.RESIDENT)

MAX_PHOTOS = 4
"""Photos a ticket holds of each kind: the resident's with the report, and the technician's
after the repair; enough to show a fault, not an album."""


@dataclass(frozen=True)
class TicketDraft:
    """A report as it arrives, before routing gives it a team and a number."""

    reporter: Reporter
    location: str
    category: str
    description: str
    channel: Channel
    urgency: Urgency | None = None
    appointment_at: datetime | None = None
    photos: tuple[str, ...] = ()
    """Names of stored photos, as the photo store returned them."""
    parent_number: str | None = None
    """The ticket whose return visit found the problem back."""


@dataclass(frozen=True)
class Ticket:
    number: str
    status: Status
    category: str
    team_id: str
    urgency: Urgency
    urgency_suggested: bool
    reporter: Reporter
    location: str
    description: str
    channel: Channel
    created_at: datetime
    updated_at: datetime
    created_by: str | None = None
    appointment_at: datetime | None = None
    assignee_id: str | None = None
    accepted_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    confirmed_at: datetime | None = None
    closed_at: datetime | None = None
    pause_reason: str | None = None
    cancel_reason: str | None = None
    completion_note: str | None = None
    """The technician's 维修结果, as the card shows it to the group."""
    confirmed_by: str | None = None
    """Who confirmed the repair (a member's name, or 业主), for the card."""
    closed_by: str | None = None
    accept_due: datetime | None = None
    """When the job must be claimed or dispatched (tickets/deadlines.py says how each is set)."""
    arrive_due: datetime | None = None
    complete_due: datetime | None = None
    escalation_chain: tuple[Rung, ...] = ()
    """The chain in force when the ticket opened: editing the config leaves it as it was."""
    escalation_step: int = 0
    """Steps of the chain sent for the deadline watched now (tickets/escalation.py)."""
    escalate_at: datetime | None = None
    """When the next step is due: what the watcher's indexed query looks for."""
    handled_by: str | None = None
    """The supervisor or manager who took the overdue job over (我来处理)."""
    pause_kind: PauseKind | None = None
    clock_stopped_at: datetime | None = None
    """When a pause that stops the clock began (parts, the resident)."""
    hurry_count: int = 0
    """How many times the job was chased (催单)."""
    hurried_at: datetime | None = None
    findings: str | None = None
    """What the technician found (检查结果: the fault's cause), required to complete a job;
    what they did is `completion_note`."""
    fee_lines: tuple[FeeLine, ...] = ()
    fees_total_fen: int = 0
    materials: tuple[Material, ...] = ()
    photos_after: tuple[str, ...] = ()
    """Stored photos taken after the repair, at most MAX_PHOTOS."""
    rating_overall: int | None = None
    """The resident's stars, 1 to 5: overall, response speed, the technician's attitude."""
    rating_speed: int | None = None
    rating_attitude: int | None = None
    rating_comment: str | None = None
    rated_at: datetime | None = None
    signature: str | None = None
    """The stored image of the resident's signature, drawn when they confirmed."""
    review: Review | None = None
    """Marked as outside the service catalogue, and what the supervisor decided."""
    review_reason: str | None = None
    quoted_fen: int | None = None
    """The price the resident was told and agreed to: completing above it is refused."""
    quote_pending_fen: int | None = None
    """A higher price waiting for the resident's consent."""
    paid_fen: int | None = None
    """What the resident paid (the job's total when it was recorded), once an agent records it."""
    paid_at: datetime | None = None
    paid_method: PayMethod | None = None
    paid_by: str | None = None
    """Who recorded the payment (a member's name)."""
    rework_count: int = 0
    auto_close_at: datetime | None = None
    """When a completed job nobody confirmed is closed by baoxiu: what the watcher's indexed
    query looks for."""
    visit_due_at: datetime | None = None
    """When the return visit (回访) is next due: what the visits watcher's indexed query
    looks for (tickets/visits.py)."""
    visit_attempt: int = 0
    """How many times the visit was put on the agents' chat."""
    visit_outcome: str | None = None
    """What the visit found (tickets.visits.VisitOutcome), once recorded."""
    parent_number: str | None = None
    """The ticket this one follows up: a problem that came back at its return visit."""
    place: str = ""
    """The location as one key however it was typed (tickets/places.py): what duplicate
    reports and hot spots compare."""
    building: str | None = None
    """The place's building (3栋), when it is in one."""
    possible_duplicate_of: str | None = None
    """The open report this one may repeat, found when it opened (tickets/duplicates.py);
    a hint for the desk, never acted on by baoxiu."""
    merged_into: str | None = None
    """The ticket this duplicate was merged into (合并): it is cancelled, and its reporter's
    page follows that ticket."""
    photos: tuple[str, ...] = ()
    public_token: str = ""
    """Unguessable key of the resident's status page (/r/t/{token}); never shown to staff chats."""
    submission_key: str | None = None
    """The client's key for this report: a repeated submission returns this ticket."""
    version: int = 1
    id: int | None = None


@dataclass(frozen=True)
class Event:
    """One line of a ticket's timeline (audit trail). Only `tickets` makes them: every line
    records a decision of the core."""

    kind: EventKind
    at: datetime
    actor_id: str | None
    actor_name: str
    source: Source
    from_status: Status | None
    to_status: Status
    details: Details = field(default_factory=NoDetails)
