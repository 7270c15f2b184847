"""Tickets in any state, and a command for every verb, built without a database."""

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tickets.actions import Command, Verb
from tickets.deadlines import Policy, Rung
from tickets.events import CardReposted, DeliveryFailed
from tickets.machine import Context
from tickets.model import RESIDENT, SYSTEM, Actor, Reporter, Ticket
from tickets.payment import PayMethod
from tickets.people import Directory
from tickets.rating import Agreement, Rating
from tickets.states import Channel, Decision, Review, Source, Status, Urgency
from tickets.visits import VisitOutcome

T0 = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)

_ASSIGNED_STATES = {
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.PAUSED,
    Status.COMPLETED,
    Status.CONFIRMED,
    Status.CLOSED,
}


def make_ticket(
    status: Status = Status.NEW, *, team: str = "shuidian", **changes: object
) -> Ticket:
    """A ticket of `team`; states past assignment are held by 李师傅 (`li`)."""
    ticket = Ticket(
        number="BX20261128-0001",
        status=status,
        category="水电",
        team_id=team,
        urgency=Urgency.NORMAL,
        urgency_suggested=True,
        reporter=Reporter(name="张三", phone="13800138000"),
        location="3栋2单元501",
        description="厨房水龙头滴水",
        channel=Channel.PHONE,
        created_at=T0,
        updated_at=T0,
        assignee_id="li" if status in _ASSIGNED_STATES else None,
        id=1,
    )
    return replace(ticket, **changes)  # type: ignore[arg-type]


V = Verb

# An actor entitled to each verb on a 水电组 ticket held by 李师傅, with the inputs it needs.
COMMANDS: Mapping[Verb, Command] = {
    V.CLAIM: Command(V.CLAIM, Actor.member("wang")),
    V.DISPATCH: Command(V.DISPATCH, Actor.member("chen"), to="wang"),
    V.TRANSFER: Command(V.TRANSFER, Actor.member("chen"), to="wang", reason="李师傅请假"),
    V.HAND_BACK: Command(V.HAND_BACK, Actor.member("li"), reason="需要电工证"),
    V.START: Command(V.START, Actor.member("li")),
    V.PAUSE: Command(V.PAUSE, Actor.member("li"), reason="等配件"),
    V.RESUME: Command(V.RESUME, Actor.member("li")),
    V.COMPLETE: Command(V.COMPLETE, Actor.member("li"), findings="阀芯磨损", note="更换阀芯"),
    V.CONFIRM: Command(V.CONFIRM, Actor.member("lin"), on_behalf=True, agreed=Agreement.PHONE),
    V.REOPEN: Command(V.REOPEN, Actor.member("lin"), reason="还在滴水"),
    V.CLOSE: Command(V.CLOSE, Actor.member("lin"), reason="业主电话确认"),
    V.CANCEL: Command(V.CANCEL, Actor.member("lin"), reason="业主自行修好"),
    V.COMMENT: Command(V.COMMENT, Actor.member("lin"), note="业主下午在家"),
    V.REVEAL: Command(V.REVEAL, Actor.member("lin")),
    V.AUTO_ASSIGN: Command(V.AUTO_ASSIGN, SYSTEM, to="liu"),
    V.RECORD_DELIVERY_FAILURE: Command(
        V.RECORD_DELIVERY_FAILURE, SYSTEM, details=DeliveryFailed("feishu", "oc_1", "230002")
    ),
    V.RECORD_CARD_REPOST: Command(
        V.RECORD_CARD_REPOST, SYSTEM, details=CardReposted("feishu", "oc_1", "卡片已被撤回")
    ),
    V.ESCALATE: Command(V.ESCALATE, SYSTEM),
    V.RELEASE: Command(V.RELEASE, SYSTEM),
    V.EXTEND: Command(V.EXTEND, Actor.member("chen"), minutes=60, reason="业主改约"),
    V.TAKE_OVER: Command(V.TAKE_OVER, Actor.member("chen")),
    V.CALL_TECHNICIAN: Command(V.CALL_TECHNICIAN, Actor.member("lin")),
    V.HURRY: Command(V.HURRY, Actor.member("lin")),
    V.FLAG: Command(V.FLAG, Actor.member("wang"), reason="业主自购热水器，在厂家保修期内"),
    V.REVIEW: Command(V.REVIEW, Actor.member("chen"), decision=Decision.APPROVE),
    V.QUOTE: Command(V.QUOTE, Actor.member("li"), amount_fen=18000),
    V.CONSENT: Command(V.CONSENT, Actor.member("lin"), agreed=Agreement.PHONE),
    V.RESCHEDULE: Command(
        V.RESCHEDULE, Actor.member("lin"), at=T0 + timedelta(days=1), reason="业主明天才在家"
    ),
    V.RATE: Command(V.RATE, Actor.member("lin"), rating=Rating(4, 5, 5), agreed=Agreement.PHONE),
    V.PAY: Command(V.PAY, Actor.member("lin"), method=PayMethod.WECHAT),
    V.SEND_VISIT: Command(V.SEND_VISIT, SYSTEM),
    V.VISIT: Command(V.VISIT, Actor.member("lin"), outcome=VisitOutcome.RESOLVED),
    V.ADD_PHOTOS: Command(V.ADD_PHOTOS, Actor.member("li"), photos=("after-1.jpg",)),
    V.MERGE: Command(V.MERGE, Actor.member("lin")),
}
SIGNED = Command(V.CONFIRM, RESIDENT, signature="sig.png", rating=Rating(4, 5, 5, "师傅很细心"))
"""The resident confirms on their page: signed, rated 4/5/5."""
NOT_FIXED = Command(V.REOPEN, RESIDENT, reason="还是滴水")
SYSTEM_VERBS = (
    V.AUTO_ASSIGN,
    V.RECORD_DELIVERY_FAILURE,
    V.RECORD_CARD_REPOST,
    V.ESCALATE,
    V.RELEASE,
    V.SEND_VISIT,
)
WAITING: Mapping[Verb, dict[str, Any]] = {
    V.REVIEW: {"review": Review.PENDING, "review_reason": "业主自购电器"},
    V.CONSENT: {"quoted_fen": 8000, "quote_pending_fen": 18000},
    V.SEND_VISIT: {"visit_due_at": T0},
    V.VISIT: {"visit_attempt": 1},
}
"""What a verb that answers a question needs the ticket to be asking: a review, a higher
price, a visit due or one awaiting its outcome."""

OVERDUE: dict[str, Any] = {
    "accept_due": T0,
    "arrive_due": T0,
    "complete_due": T0,
    "escalation_chain": (Rung(0, "assignee"), Rung(30, "supervisors")),
    "escalate_at": T0,
    "fees_total_fen": 11050,
}
"""Every deadline missed an hour before `ctx`'s now, the first step of the chain due, and a
fee to pay: whatever a verb waits for is there."""
TEAMS: Mapping[Verb, str] = {V.AUTO_ASSIGN: "dianti"}
"""Where a verb's ticket must be for the verb to apply: baoxiu assigns only round-robin teams."""


SURVIVOR = make_ticket(number="BX20261127-0042")
"""The ticket a merge folds the one acted on into, as the service loads it."""


def ctx(directory: Directory, policy: Policy | None = None, **open_jobs: int) -> Context:
    return Context(
        directory=directory,
        now=T0 + timedelta(hours=1),
        source=Source.API,
        open_jobs=open_jobs,
        policy=policy,
        survivor=SURVIVOR,
    )
