"""What can be done to a ticket: the verbs, and one command value every edge and job builds."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tickets.events import Details, EventKind
from tickets.fees import FeeRequest, Material
from tickets.model import Actor
from tickets.payment import PayMethod
from tickets.rating import Agreement, Rating
from tickets.states import Decision, PauseKind
from tickets.visits import VisitOutcome


class Verb(StrEnum):
    CLAIM = "claim"
    DISPATCH = "dispatch"
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
    AUTO_ASSIGN = "auto_assign"
    """baoxiu assigns a round-robin team's new ticket."""
    RECORD_DELIVERY_FAILURE = "record_delivery_failure"
    """baoxiu notes on the timeline a card it could not deliver, where staff will see it."""
    RECORD_CARD_REPOST = "record_card_repost"
    """baoxiu notes on the timeline that it posted a fresh card in place of one the platform
    would no longer let it edit (recalled, too old)."""
    ESCALATE = "escalate"
    """baoxiu sends the next step of an overdue ticket's escalation chain."""
    RELEASE = "release"
    """baoxiu puts a claimed job nobody started by its arrive deadline back in the pool."""
    EXTEND = "extend"
    TAKE_OVER = "take_over"
    CALL_TECHNICIAN = "call_technician"
    """Shows the assignee's phone to the desk, audited like a reveal of the resident's."""
    HURRY = "hurry"
    """The resident (or the desk for them) chases the job (催单)."""
    RESCHEDULE = "reschedule"
    """The appointment with the resident is set or moved (改约上门时间); not 延期 (EXTEND),
    which gives the desk's deadline more time."""
    FLAG = "flag"
    """Marks a report as outside the service catalogue: the supervisor reviews it first."""
    REVIEW = "review"
    QUOTE = "quote"
    """Records the price the resident is told; a higher one needs their consent."""
    CONSENT = "consent"
    RATE = "rate"
    """The desk records a rating the resident gave by phone."""
    PAY = "pay"
    """The desk records that the resident paid the job's fees, and how (收费)."""
    SEND_VISIT = "send_visit"
    """baoxiu puts a closed ticket's due return visit (回访) on the agents' chat."""
    VISIT = "visit"
    """An agent records how the return visit went (tickets/visits.py)."""
    ADD_PHOTOS = "add_photos"
    """The assignee adds photos taken after the repair, before the resident confirms it."""
    MERGE = "merge"
    """The desk folds a duplicate report into the ticket it repeats (合并)."""

    @property
    def label(self) -> str:
        """The word on the button, as crews say it."""
        return _LABELS[self]

    @property
    def kind(self) -> EventKind:
        """The timeline event this verb leaves."""
        return _KINDS.get(self) or EventKind(self.value)


_LABELS = {
    Verb.CLAIM: "接单",
    Verb.DISPATCH: "派单",
    Verb.TRANSFER: "转单",
    Verb.HAND_BACK: "退单",
    Verb.START: "开始维修",
    Verb.PAUSE: "暂停",
    Verb.RESUME: "继续",
    Verb.COMPLETE: "完工",
    Verb.CONFIRM: "确认完成",
    Verb.REOPEN: "返工",
    Verb.CLOSE: "结单",
    Verb.CANCEL: "取消",
    Verb.COMMENT: "备注",
    Verb.REVEAL: "查看联系方式",
    Verb.AUTO_ASSIGN: "自动派单",
    Verb.RECORD_DELIVERY_FAILURE: "记录发送失败",
    Verb.RECORD_CARD_REPOST: "记录卡片重发",
    Verb.ESCALATE: "升级提醒",
    Verb.RELEASE: "退回待接单",
    Verb.EXTEND: "延期",
    Verb.TAKE_OVER: "我来处理",
    Verb.CALL_TECHNICIAN: "联系师傅",
    Verb.HURRY: "催单",
    Verb.RESCHEDULE: "改约上门时间",
    Verb.FLAG: "超出服务范围",
    Verb.REVIEW: "审核服务范围",
    Verb.QUOTE: "报价",
    Verb.CONSENT: "业主同意报价",
    Verb.RATE: "记录评价",
    Verb.PAY: "收费",
    Verb.SEND_VISIT: "回访提醒",
    Verb.VISIT: "回访",
    Verb.ADD_PHOTOS: "补充完工照片",
    Verb.MERGE: "合并",
}
_KINDS = {
    Verb.AUTO_ASSIGN: EventKind.AUTO_ASSIGNED,
    Verb.RECORD_DELIVERY_FAILURE: EventKind.DELIVERY_FAILED,
    Verb.RECORD_CARD_REPOST: EventKind.CARD_REPOSTED,
    Verb.ESCALATE: EventKind.ESCALATED,
    Verb.RELEASE: EventKind.HAND_BACK,
    Verb.EXTEND: EventKind.EXTENDED,
    Verb.TAKE_OVER: EventKind.TAKEN_OVER,
    Verb.CALL_TECHNICIAN: EventKind.REVEAL,
    Verb.HURRY: EventKind.HURRIED,
    Verb.RESCHEDULE: EventKind.RESCHEDULED,
    Verb.FLAG: EventKind.FLAGGED,
    Verb.REVIEW: EventKind.REVIEWED,
    Verb.QUOTE: EventKind.QUOTED,
    Verb.CONSENT: EventKind.CONSENTED,
    Verb.RATE: EventKind.RATED,
    Verb.PAY: EventKind.PAID,
    Verb.SEND_VISIT: EventKind.VISIT_DUE,
    Verb.VISIT: EventKind.VISITED,
    Verb.ADD_PHOTOS: EventKind.PHOTOS_ADDED,
    Verb.MERGE: EventKind.MERGED,
}

MAX_TEXT = 500
"""Longest reason or note we accept: a chat card has no room for an essay."""


@dataclass(frozen=True)
class Command:
    """One action on one ticket, as every edge (API, CLI, card button) and job expresses it.

    `to` names a member (dispatch, transfer, auto_assign), `team` a team (transfer to another
    team), `reason` explains pause / hand_back / reopen / cancel / close / extend / reschedule,
    `pause_kind` says whose the pause is, `note` is free text
    (comment, completion result, resume note). `details` carries what a system verb records
    as it is (a failed delivery's platform, chat and error, a reposted card's reason).
    """

    verb: Verb
    actor: Actor
    to: str | None = None
    team: str | None = None
    reason: str | None = None
    note: str | None = None
    details: Details | None = None
    pause_kind: PauseKind | None = None
    minutes: int | None = None
    """How far to extend a deadline (延期), in minutes of the ticket's clock."""
    at: datetime | None = None
    """A new appointment with the resident (reschedule)."""
    findings: str | None = None
    """What the technician found (complete); `note` is what they did."""
    fees: tuple[FeeRequest, ...] = ()
    materials: tuple[Material, ...] = ()
    photos: tuple[str, ...] = ()
    """Stored photos taken after the repair (complete, add_photos)."""
    decision: Decision | None = None
    """Whether a flagged report is in the service catalogue (review)."""
    amount_fen: int | None = None
    """A quoted price (quote)."""
    rating: Rating | None = None
    """The resident's stars (confirm on the status page, rate)."""
    signature: str | None = None
    """The stored image of the signature the resident drew to confirm."""
    on_behalf: bool = False
    """Staff confirm for the resident, who agreed as `agreed` says."""
    agreed: Agreement | None = None
    """How the resident agreed (staff confirming for them, or consenting to a price)."""
    method: PayMethod | None = None
    """How the resident paid (pay)."""
    outcome: VisitOutcome | None = None
    """What the return visit found (visit); `note` is what the resident said."""
    into: str | None = None
    """The ticket a duplicate is merged into (merge); left out, the one it was marked as
    possibly repeating."""
