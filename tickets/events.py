"""What can appear on a ticket's timeline: the kinds of event, their labels, their details.

Every kind has one typed `details` shape, so a reader (the words, the API, the coming
statistics) gets fields, not guesses at dictionary keys, and storage turns each shape into
JSON and back in one place. A kind this version does not know (a row written by a newer
baoxiu, or by hand) reads back as `UNKNOWN` carrying what was stored, never as an error.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    CREATED = "create"
    CLAIM = "claim"
    DISPATCH = "dispatch"
    AUTO_ASSIGNED = "auto_assigned"
    TRANSFER = "transfer"
    HAND_BACK = "hand_back"
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    COMPLETE = "complete"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    CLOSE = "close"
    CANCEL = "cancel"
    COMMENT = "comment"
    REVEAL = "reveal"
    DELIVERY_FAILED = "delivery_failed"
    CARD_REPOSTED = "card_reposted"
    SLA_BREACHED = "sla_breached"
    ESCALATED = "escalated"
    HURRIED = "hurried"
    EXTENDED = "extended"
    TAKEN_OVER = "taken_over"
    RESCHEDULED = "rescheduled"
    FLAGGED = "flagged"
    REVIEWED = "reviewed"
    QUOTED = "quoted"
    CONSENTED = "consented"
    RATED = "rated"
    PAID = "paid"
    VISIT_DUE = "visit_due"
    VISITED = "visited"
    PHOTOS_ADDED = "photos_added"
    MERGED = "merged"
    MERGED_IN = "merged_in"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """The kind in two or three words, as the timeline's 操作 column shows it."""
        return _INFO[self].label

    @property
    def public(self) -> bool:
        """Whether the resident's page and the group cards show it (a note or a reveal is
        staff business; a pause is the resident's)."""
        return _INFO[self].public

    @property
    def details_type(self) -> type["Details"]:
        return _INFO[self].details

    @classmethod
    def parse(cls, value: str) -> "EventKind":
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN


@dataclass(frozen=True)
class NoDetails:
    pass


@dataclass(frozen=True)
class Created:
    channel: str = ""
    urgency: str = ""


@dataclass(frozen=True)
class Assigned:
    """A dispatch, or baoxiu's own assignment in a round-robin team."""

    to: str = ""
    to_name: str = ""
    over_cap: bool = False
    """A dispatcher assigned past the technician's cap, knowing the crew's real load."""


@dataclass(frozen=True)
class Transferred:
    from_id: str | None = None
    to: str | None = None
    to_name: str | None = None
    team: str | None = None
    team_name: str | None = None
    reason: str | None = None
    over_cap: bool = False


@dataclass(frozen=True)
class Reason:
    """Pause, hand-back, cancel: why."""

    reason: str | None = None


@dataclass(frozen=True)
class Paused:
    reason: str | None = None
    kind: str = ""
    """Whose the pause is (tickets.states.PauseKind): parts and the resident stop the clock."""


@dataclass(frozen=True)
class Reopened:
    reason: str | None = None
    rework: int = 0
    """Which rework this is: the first, the second …"""


@dataclass(frozen=True)
class Closed:
    reason: str | None = None
    unconfirmed: bool = False
    """Closed without the resident's confirmation."""


@dataclass(frozen=True)
class Note:
    """Resume, complete, confirm, comment: free text from the person acting."""

    note: str | None = None


@dataclass(frozen=True)
class Completed:
    note: str | None = None
    """What was done (维修结果)."""
    findings: str | None = None
    """What was found (检查结果)."""
    fees_total_fen: int = 0


@dataclass(frozen=True)
class Revealed:
    field: str = "reporter"


@dataclass(frozen=True)
class DeliveryFailed:
    platform: str = ""
    chat: str = ""
    error: str = ""


@dataclass(frozen=True)
class CardReposted:
    """The card in a chat could no longer be edited, so a fresh one was posted there."""

    platform: str = ""
    chat: str = ""
    reason: str = ""
    """Why the old card could not be edited: recalled, too old."""


@dataclass(frozen=True)
class SlaBreached:
    deadline: str = ""
    """Which promise was missed: accept, arrive or complete."""


@dataclass(frozen=True)
class Escalated:
    step: int = 0
    """Which step of the ticket's chain, from 1."""
    to: str = ""
    """Whom it went to, as the chain names them (assignee, supervisors, member:<id> …)."""
    to_name: str = ""
    """The same in words (李师傅, 班组长, 管理层)."""
    deadline: str = ""
    """The deadline missed: accept, arrive or complete."""
    due: str = ""
    """When it was due, ISO 8601."""


@dataclass(frozen=True)
class Extended:
    deadline: str = ""
    """Which deadline: accept, arrive or complete."""
    minutes: int = 0
    due: str = ""
    """The new deadline, ISO 8601."""
    reason: str | None = None


@dataclass(frozen=True)
class Rescheduled:
    """The appointment with the resident set or moved (改约上门时间)."""

    at: str = ""
    """The new appointment, ISO 8601 in the site's zone (the timeline shows it as is)."""
    before: str | None = None
    """The appointment it replaces, if there was one."""
    reason: str | None = None


@dataclass(frozen=True)
class Reviewed:
    decision: str = ""
    """approve or decline (tickets.states.Decision)."""
    reason: str | None = None
    """Why it is outside the catalogue, for the resident."""


@dataclass(frozen=True)
class Quoted:
    amount_fen: int = 0
    pending: bool = False
    """Higher than what the resident agreed to: it waits for their consent."""
    reason: str | None = None


@dataclass(frozen=True)
class Consented:
    amount_fen: int = 0
    agreed: str = ""
    """How: in_person, phone (tickets.rating.Agreement), or page (on their status page)."""


@dataclass(frozen=True)
class Rated:
    """The resident's stars, 1 to 5 (tickets/rating.py); `agreed` says how a rating staff
    recorded was given (电话)."""

    overall: int = 0
    speed: int = 0
    attitude: int = 0
    comment: str | None = None
    agreed: str | None = None


@dataclass(frozen=True)
class Confirmed:
    """The repair confirmed: by the resident, who signed and rated it, or by staff for them."""

    note: str | None = None
    on_behalf: bool = False
    agreed: str | None = None
    """How the resident agreed when staff confirmed for them (tickets.rating.Agreement)."""
    signed: bool = False
    overall: int = 0
    speed: int = 0
    attitude: int = 0
    comment: str | None = None


@dataclass(frozen=True)
class Paid:
    method: str = ""
    """tickets.payment.PayMethod's value."""
    amount_fen: int = 0
    correction: str | None = None
    """Why an earlier record of the payment is replaced, when it is."""


@dataclass(frozen=True)
class VisitDue:
    """The return visit was put on the agents' chat."""

    attempt: int = 0
    """Which call this is, from 1."""


@dataclass(frozen=True)
class Visited:
    outcome: str = ""
    """resolved, recurred or unreachable (tickets.visits.VisitOutcome)."""
    attempt: int = 0
    note: str | None = None
    again_at: str | None = None
    """When an unreachable resident is called again, ISO 8601; None when it was the last try."""


@dataclass(frozen=True)
class PhotosAdded:
    """The assignee added photos taken after the repair (posted in the card's thread)."""

    count: int = 0


@dataclass(frozen=True)
class Merged:
    """A duplicate report folded into the ticket it repeats: on the duplicate, `into` names
    that ticket; on the surviving ticket (MERGED_IN), `duplicate` names the report."""

    into: str = ""
    duplicate: str = ""


@dataclass(frozen=True)
class Unknown:
    """An event of a kind this version does not know, kept as it was stored."""

    kind: str = ""
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)


Details = (
    NoDetails
    | Created
    | Assigned
    | Transferred
    | Reason
    | Paused
    | Reopened
    | Closed
    | Note
    | Completed
    | Revealed
    | DeliveryFailed
    | CardReposted
    | SlaBreached
    | Escalated
    | Extended
    | Rescheduled
    | Reviewed
    | Quoted
    | Consented
    | Rated
    | Confirmed
    | Paid
    | VisitDue
    | Visited
    | PhotosAdded
    | Merged
    | Unknown
)


@dataclass(frozen=True)
class _Info:
    label: str
    details: type[Details]
    public: bool


_INFO: Mapping[EventKind, _Info] = {
    EventKind.CREATED: _Info("登记", Created, True),
    EventKind.CLAIM: _Info("接单", NoDetails, True),
    EventKind.DISPATCH: _Info("派单", Assigned, True),
    EventKind.AUTO_ASSIGNED: _Info("自动派单", Assigned, True),
    EventKind.TRANSFER: _Info("转单", Transferred, True),
    EventKind.HAND_BACK: _Info("退单", Reason, True),
    EventKind.START: _Info("开始维修", NoDetails, True),
    EventKind.PAUSE: _Info("暂停", Paused, True),
    EventKind.RESUME: _Info("继续", Note, True),
    EventKind.COMPLETE: _Info("完工", Completed, True),
    EventKind.CONFIRM: _Info("确认完成", Confirmed, True),
    EventKind.REOPEN: _Info("返工", Reopened, True),
    EventKind.CLOSE: _Info("结单", Closed, True),
    EventKind.CANCEL: _Info("取消", Reason, True),
    EventKind.COMMENT: _Info("备注", Note, False),
    EventKind.REVEAL: _Info("查看联系方式", Revealed, False),
    EventKind.DELIVERY_FAILED: _Info("卡片发送失败", DeliveryFailed, False),
    EventKind.CARD_REPOSTED: _Info("卡片重发", CardReposted, False),
    EventKind.SLA_BREACHED: _Info("超时", SlaBreached, False),
    EventKind.ESCALATED: _Info("升级提醒", Escalated, False),
    EventKind.HURRIED: _Info("催单", NoDetails, True),
    EventKind.EXTENDED: _Info("延期", Extended, False),
    EventKind.TAKEN_OVER: _Info("主管跟进", NoDetails, False),
    EventKind.RESCHEDULED: _Info("改约上门", Rescheduled, True),
    EventKind.FLAGGED: _Info("超出服务范围", Reason, False),
    EventKind.REVIEWED: _Info("服务范围审核", Reviewed, True),
    EventKind.QUOTED: _Info("报价", Quoted, True),
    EventKind.CONSENTED: _Info("同意报价", Consented, True),
    EventKind.RATED: _Info("评价", Rated, True),
    EventKind.PAID: _Info("收费", Paid, False),
    EventKind.VISIT_DUE: _Info("待回访", VisitDue, False),
    EventKind.VISITED: _Info("回访", Visited, False),
    EventKind.PHOTOS_ADDED: _Info("完工照片", PhotosAdded, True),
    EventKind.MERGED: _Info("合并", Merged, True),
    EventKind.MERGED_IN: _Info("合并重复报修", Merged, False),
    EventKind.UNKNOWN: _Info("其他记录", Unknown, False),
}


def details_to_json(details: Details) -> dict[str, Any]:
    """The details as stored: fields left at their default are left out."""
    if isinstance(details, Unknown):
        return dict(details.data)
    return {
        f.name: value
        for f in dataclasses.fields(details)
        if (value := getattr(details, f.name)) != f.default
    }


def details_from_json(kind: str, data: Mapping[str, Any]) -> tuple[EventKind, Details]:
    """The stored kind and details read back; what does not fit its shape becomes UNKNOWN."""
    parsed = EventKind.parse(kind)
    shape = parsed.details_type
    if shape is Unknown:
        return EventKind.UNKNOWN, Unknown(kind, dict(data))
    names = {f.name for f in dataclasses.fields(shape)}
    try:
        return parsed, shape(**{k: v for k, v in data.items() if k in names})
    except TypeError:
        return EventKind.UNKNOWN, Unknown(kind, dict(data))
