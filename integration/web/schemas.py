"""The REST API's request and response bodies; the OpenAPI document is generated from them."""

import re
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import ErrorDetails

from integration.web.controls import refuse
from tickets.actions import MAX_TEXT, Command, Verb
from tickets.errors import InvalidInput
from tickets.events import EventKind, details_to_json
from tickets.fees import FeeRequest, Material, SuppliedBy, fen, quantity
from tickets.hotspots import Hotspot
from tickets.machine import EXTEND_MAX_MINUTES
from tickets.model import Actor, Event, Reporter, Ticket, TicketDraft
from tickets.payment import PayMethod, payment_words
from tickets.people import Directory
from tickets.phone import normalize_phone
from tickets.rating import Agreement, Rating, is_complaint, rating_of
from tickets.states import Channel, Decision, PauseKind, Review, Source, Status, Urgency
from tickets.stats import MAX_DAYS, Figures, GroupBy, Period
from tickets.visits import VisitOutcome
from tickets.words import describe

MAX_DESCRIPTION = 2000
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
"""Dates a ticket can have: any later or earlier is a typo, and past the ends of the calendar
(year 1, year 9999) converting to UTC or adding a day overflows."""

LABELS = {
    "name": "姓名",
    "phone": "手机号",
    "location": "位置",
    "category": "报修类型",
    "description": "问题描述",
    "appointment_at": "期望上门时间",
    "photos": "现场照片",
    "actor": "操作人",
    "to": "指派对象",
    "team": "班组",
    "assignee": "接单人",
    "reason": "原因",
    "note": "备注",
    "findings": "检查结果",
    "work_done": "维修结果",
    "fees": "收费项目",
    "materials": "材料",
    "code": "项目编码",
    "quantity": "数量",
    "price": "单价",
    "unit": "单位",
    "supplied_by": "材料来源",
    "decision": "审核结果",
    "amount": "报价金额",
    "at": "上门时间",
    "pause_kind": "暂停类型",
    "on_behalf": "代业主确认",
    "agreed": "业主同意的方式",
    "rating": "评价",
    "overall": "总体满意度",
    "speed": "响应速度",
    "attitude": "师傅服务态度",
    "comment": "评价内容",
    "minutes": "延期分钟数",
    "outcome": "回访结果",
    "reporter": "报修人",
    "channel": "报修渠道",
    "urgency": "紧急程度",
    "from": "开始日期",
    "group_by": "分组方式",
    "action": "操作",
    "status": "状态",
    "limit": "条数",
    "offset": "起始位置",
}
"""Field names as the person who typed them knows them."""


def _label(info: ValidationInfo) -> str:
    return LABELS.get(info.field_name or "", info.field_name or "内容")


def in_words(item: ErrorDetails) -> str:
    """One failed field in Chinese, naming it: what a chat answer, a form or the API says
    back (the API adds the field's path and pydantic's error type, for programs)."""
    name = str(item["loc"][-1]) if item["loc"] else ""
    label = LABELS.get(name, "内容")
    kind = item["type"]
    if kind == "value_error":  # ours (the phone, control characters, times): in Chinese
        return str(item["msg"]).removeprefix("Value error, ")
    if kind == "string_too_long":
        limit = item.get("ctx", {})["max_length"]
        return f"{label}最多 {limit} 字，现在 {len(str(item['input']).strip())} 字"
    if kind in ("string_too_short", "missing"):
        return f"请填写{label}"
    if kind == "extra_forbidden":
        return f"没有「{name}」这一项，请删掉"
    if kind in ("enum", "literal_error"):
        expected = str(item.get("ctx", {}).get("expected", ""))  # "'a', 'b' or 'c'"
        return f"{label}只能是 " + "、".join(re.findall(r"'([^']*)'", expected))
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        bound = next(iter(item.get("ctx", {}).values()), "")
        side = "不能大于" if kind.startswith("less") else "不能小于"
        return f"{label}{side} {bound}"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{label}的格式不对"
    return f"{label}填写有误"


def _plain(value: str, info: ValidationInfo) -> str:
    """One line of text: no control character (integration/web/controls.py says why)."""
    return refuse(value, _label(info))


def _lines(value: str, info: ValidationInfo) -> str:
    """Text of several lines, each ending in a plain line break however it was typed."""
    return refuse(value.replace("\r\n", "\n"), _label(info), lines=True)


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32),
    AfterValidator(_plain),
]
Phone = Annotated[str, AfterValidator(normalize_phone)]
Short = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(_plain),
]
Note = Annotated[str, StringConstraints(max_length=MAX_TEXT), AfterValidator(_plain)]


def _in_range(moment: date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"时间须在 {EARLIEST} 到 {LATEST} 之间")
    return moment


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReporterIn(Body):
    name: Name
    phone: Phone = Field(description="mobile (11 digits) or landline with area code")


class ReportIn(Body):
    """What was reported, and its limits: a report typed in a chat has only this to check,
    its reporter being a configured member."""

    location: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
        AfterValidator(_plain),
    ] = Field(description="building / unit / room, or a public area: 3栋2单元501")
    category: Short = Field(description="a category from the config's teams, e.g. 水电")
    urgency: Urgency | None = Field(
        default=None, description="omit it and baoxiu suggests one from the description"
    )
    description: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DESCRIPTION),
        AfterValidator(_lines),
    ]
    channel: Channel
    appointment_at: Annotated[AwareDatetime, AfterValidator(_in_range)] | None = Field(
        default=None, description="preferred visit time, with its UTC offset"
    )

    def draft_by(self, reporter: Reporter) -> TicketDraft:
        return TicketDraft(
            reporter=reporter,
            location=self.location,
            category=self.category,
            description=self.description,
            channel=self.channel,
            urgency=self.urgency,
            appointment_at=self.appointment_at,
        )


class TicketCreate(ReportIn):
    """A report from anyone: the API's body, the resident form's and the terminal's."""

    reporter: ReporterIn
    actor: Short | None = Field(
        default=None, description="member id of the agent registering the report, if any"
    )

    def draft(self) -> TicketDraft:
        return self.draft_by(Reporter(name=self.reporter.name, phone=self.reporter.phone))


class FeeIn(Body):
    code: Short
    quantity: Annotated[Decimal, Field(gt=0, le=10_000, decimal_places=2)]
    price: Annotated[Decimal, Field(ge=0, le=10_000_000, decimal_places=2)] | None = Field(
        default=None, description="yuan; only for an item priced within a range"
    )

    def request(self) -> FeeRequest:
        price = fen(self.price) if self.price is not None else None
        return FeeRequest(self.code, quantity(self.quantity), price)


class MaterialIn(Body):
    name: Short
    quantity: Annotated[Decimal, Field(gt=0, le=10_000, decimal_places=2)]
    unit: Annotated[str, Field(min_length=1, max_length=8)]
    supplied_by: SuppliedBy

    def material(self) -> Material:
        return Material(self.name, quantity(self.quantity), self.unit, self.supplied_by)


Stars = Annotated[int, Field(strict=True, ge=1, le=5)]


class RatingIn(Body):
    """The resident's stars, 1 to 5 each, as they gave them (by phone, in person)."""

    overall: Stars
    speed: Stars = Field(description="response speed")
    attitude: Stars = Field(description="the technician's attitude")
    comment: Note | None = None

    def rating(self) -> Rating:
        return Rating(self.overall, self.speed, self.attitude, self.comment)


class RatingOut(BaseModel):
    overall: int
    speed: int
    attitude: int
    comment: str | None
    rated_at: datetime | None


class ActionRequest(Body):
    action: Verb
    actor: Short = Field(description="member id of the person acting")
    to: Short | None = Field(default=None, description="member id: dispatch / transfer target")
    team: Short | None = Field(default=None, description="team id: transfer to another team")
    reason: Note | None = Field(
        default=None,
        description="required for pause, hand_back, reopen, cancel, extend, "
        "and for a pay that corrects an earlier one",
    )
    note: Note | None = Field(default=None, description="comment, resume or confirm text")
    findings: Note | None = Field(default=None, description="complete: what was found (required)")
    work_done: Note | None = Field(default=None, description="complete: what was done")
    fees: Annotated[list[FeeIn], Field(max_length=20)] = Field(
        default_factory=list, description="complete: fee lines from the published schedule"
    )
    materials: Annotated[list[MaterialIn], Field(max_length=20)] = Field(
        default_factory=list, description="complete: materials used"
    )
    decision: Decision | None = Field(
        default=None, description="review: approve, or decline (with a reason the resident reads)"
    )
    amount: Annotated[Decimal, Field(gt=0, le=10_000_000, decimal_places=2)] | None = Field(
        default=None,
        description="quote: the price in yuan the resident is told; consent (optional): the "
        "price the resident agreed to, refused when another one is waiting",
    )
    at: Annotated[AwareDatetime, AfterValidator(_in_range)] | None = Field(
        default=None, description="reschedule: the new visit time, with its UTC offset"
    )
    pause_kind: PauseKind | None = Field(
        default=None,
        description="pause: parts (等配件) and resident (业主原因) stop the clock; "
        "other (其他原因), the default, does not",
    )
    method: PayMethod | None = Field(
        default=None,
        description="pay: cash (现金), wechat (微信), alipay (支付宝) or transfer (转账); "
        "the amount is what the fee lines leave to pay (the total, or after a rework the "
        "balance); with nothing owed, a record is corrected only with a reason",
    )
    minutes: Annotated[int, Field(strict=True, ge=1, le=EXTEND_MAX_MINUTES)] | None = Field(
        default=None,
        description="extend: how far the deadline the ticket works towards moves, "
        "in minutes of its clock (working time if its SLA counts working time)",
    )
    on_behalf: bool = Field(
        default=False,
        strict=True,
        description="confirm: staff confirm for the resident (true), who agreed as `agreed` says",
    )
    agreed: Agreement | None = Field(
        default=None,
        description="confirm on behalf, rate, consent: how the resident agreed: "
        "in_person (当面) or phone (电话)",
    )
    rating: RatingIn | None = Field(
        default=None, description="rate (required), confirm on behalf (optional): the stars given"
    )
    outcome: VisitOutcome | None = Field(
        default=None,
        description="visit: resolved (已解决), recurred (问题复发: a new linked ticket is "
        "opened) or unreachable (联系不上: called again the next day, three times in all)",
    )
    into: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,24}$")] | None = Field(
        default=None,
        description="merge: the number of the ticket the duplicate is merged into; left out, "
        "the one it is marked as possibly repeating (possible_duplicate_of)",
    )

    def command(self) -> Command:
        """The action as the core takes it, from the API and the terminal alike."""
        return Command(
            verb=self.action,
            actor=Actor.member(self.actor),
            to=self.to,
            team=self.team,
            reason=self.reason,
            note=self.work_done or self.note,  # `note`, as before `work_done` was named
            findings=self.findings,
            fees=tuple(f.request() for f in self.fees),
            materials=tuple(m.material() for m in self.materials),
            decision=self.decision,
            amount_fen=fen(self.amount) if self.amount is not None else None,
            at=self.at,
            pause_kind=self.pause_kind,
            minutes=self.minutes,
            on_behalf=self.on_behalf,
            agreed=self.agreed,
            rating=self.rating.rating() if self.rating else None,
            method=self.method,
            outcome=self.outcome,
            into=self.into,
        )


_MOMENT = "请写成日期（如 2026-11-28）或带时区的时间（如 2026-11-28T08:00+08:00）"


def _moment(value: object) -> date | datetime:
    """A day (`2026-11-28`, read in the site's zone later) or an instant with its UTC offset."""
    if not isinstance(value, str):
        raise ValueError(_MOMENT)
    try:
        if len(value) == len("2026-11-28"):
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(_MOMENT) from None
    if moment.tzinfo is None:
        raise ValueError("时间要带时区，如 2026-11-28T08:00+08:00")
    return moment


Moment = Annotated[
    date | datetime,
    PlainValidator(_moment),
    AfterValidator(_in_range),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}
    ),
]


class TicketListQuery(Body):
    status: list[Status] = []
    team: Short | None = None
    assignee: Short | None = None
    created_from: Moment | None = Field(
        default=None, description="inclusive; a date means that local day's start"
    )
    created_to: Moment | None = Field(
        default=None, description="exclusive; a date means the end of that local day"
    )
    cursor: Annotated[str, StringConstraints(max_length=64)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class StatsQuery(Body):
    """A period of the figures: local days (`to` included) or instants (`to` excluded).

    Both ends are required; they are checked in `period`, whose words name them (pydantic's
    would call `to` by the label a dispatch's `to` has)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"required": ["from", "to"]})

    from_: Moment | None = Field(
        default=None, alias="from", description="inclusive; a date means that local day's start"
    )
    to: Moment | None = Field(
        default=None, description="a date includes that local day; an instant is excluded"
    )
    group_by: GroupBy | None = None

    def period(self, tz: ZoneInfo) -> Period:
        if self.from_ is None:
            raise InvalidInput("请填写开始日期 from，如 2026-11-23", field="from")
        if self.to is None:
            raise InvalidInput("请填写结束日期 to，如 2026-11-29", field="to")
        start = _start(self.from_, tz)
        end = self.to if isinstance(self.to, datetime) else _start(self.to + timedelta(days=1), tz)
        if end <= start:
            raise InvalidInput("结束日期 to 不能早于开始日期 from", field="to")
        period = Period(start, end)
        if period.too_long:
            raise InvalidInput(f"一次最多查 {MAX_DAYS} 天，请缩短日期范围", field="to")
        return period


def _start(moment: date, tz: ZoneInfo) -> datetime:
    """A day's first instant in the site's zone, or the instant itself."""
    if isinstance(moment, datetime):
        return moment
    return datetime.combine(moment, time.min, tzinfo=tz)


class FiguresOut(BaseModel):
    """One group's figures (tickets/stats.py `Figures` says what each counts): durations in
    seconds, money in fen, averages of 1 to 5 stars."""

    key: str | None = Field(description="the team, technician, category or place; null: none")
    name: str | None
    received: int
    closed: int
    cancelled: int
    open_at_end: int
    accept_p50_s: int | None
    accept_p90_s: int | None
    complete_p50_s: int | None
    complete_p90_s: int | None
    sla_judged: int
    sla_met: int
    sla_met_pct: float | None
    escalations: int
    ratings: int
    rating_overall_avg: float | None
    rating_speed_avg: float | None
    rating_attitude_avg: float | None
    low_ratings: int
    reworks: int
    complaints: int
    revenue_fen: int

    @classmethod
    def of(cls, figures: Figures) -> "FiguresOut":
        return cls(**asdict(figures), sla_met_pct=figures.sla_met_pct)


class StatsOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)

    from_: datetime = Field(serialization_alias="from", description="the period's first instant")
    to: datetime = Field(description="the instant just after the period")
    total: FiguresOut
    groups: list[FiguresOut] = Field(description="one per group, busiest first; [] ungrouped")


class Ref(BaseModel):
    id: str
    name: str


class ReporterOut(BaseModel):
    name: str
    phone: str


class FeeLineOut(BaseModel):
    code: str
    name: str
    unit: str
    quantity: str
    """Decimal, as text: 1.5"""
    price_fen: int
    amount_fen: int
    free: bool


class PaymentOut(BaseModel):
    """The resident's payment as an agent recorded it (pay)."""

    amount_fen: int
    """All received, in fen: a balance collected after a rework adds to it; `method`, `at`
    and `by` are the last payment's."""
    method: PayMethod
    method_label: str
    at: datetime
    by: str


class MaterialOut(BaseModel):
    name: str
    quantity: str
    unit: str
    supplied_by: SuppliedBy


class RungOut(BaseModel):
    after_minutes: int
    to: str


class EscalationOut(BaseModel):
    """Where an overdue ticket is on the chain it copied when it was reported."""

    steps_sent: int
    """Steps sent for the deadline watched now."""
    next_at: datetime | None
    """When the next step is due, if one is."""
    chain: list[RungOut]
    handled_by: Ref | None
    """The supervisor or manager who took the job over (我来处理)."""


class VisitOut(BaseModel):
    """The return visit (回访) of a closed ticket."""

    due_at: datetime | None
    """When the agents' chat is next asked to call, if it will be."""
    attempts: int
    """Calls asked for so far."""
    outcome: VisitOutcome | None


class TicketOut(BaseModel):
    number: str
    status: Status
    status_label: str
    category: str
    team: Ref
    urgency: Urgency
    urgency_label: str
    urgency_suggested: bool
    reporter: ReporterOut
    location: str
    description: str
    channel: Channel
    appointment_at: datetime | None
    assignee: Ref | None
    created_by: str | None
    accepted_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    confirmed_at: datetime | None
    closed_at: datetime | None
    pause_reason: str | None
    pause_kind: PauseKind | None
    cancel_reason: str | None
    rework_count: int
    confirmed_by: str | None
    signed: bool
    """Whether the resident signed when confirming (the image is on the work order)."""
    rating: RatingOut | None
    complaint: bool
    """Counted as a complaint: a rating of 2 stars or fewer in any part, or a rework."""
    auto_close_at: datetime | None
    """When baoxiu closes the completed job if nobody confirms it first."""
    hurry_count: int
    findings: str | None
    work_done: str | None
    review: Review | None
    """Set once someone marks the report as outside the service catalogue."""
    review_reason: str | None
    quoted_fen: int | None
    """The price the resident agreed to; completing above it is refused."""
    quote_pending_fen: int | None
    fee_lines: list[FeeLineOut]
    fees_total_fen: int
    """What the resident pays, in fen (free lines count nothing)."""
    payment: PaymentOut | None
    """Recorded by the desk (pay); none while unpaid or free."""
    payment_label: str
    """已收费 110.50 元（微信）, 免费 or 未收费; after a rework, what was received beside the
    new total: 已收 110.00 元（微信），还需收 40.00 元 (or 应退 40.00 元)."""
    materials: list[MaterialOut]
    photos_after: list[str]
    accept_due: datetime | None
    arrive_due: datetime | None
    complete_due: datetime | None
    clock_stopped_at: datetime | None
    """Set while a pause for parts or the resident stops the clock."""
    escalation: EscalationOut
    visit: VisitOut
    parent_number: str | None
    """The ticket whose return visit found this problem back."""
    place: str = Field(description="the location as one key, however it was typed (3栋2单元501)")
    possible_duplicate_of: str | None = Field(
        description="the open ticket this report may repeat, marked when it opened; "
        "merged only by a person (action merge)"
    )
    merged_into: str | None = Field(
        description="the ticket this duplicate was merged into; it is cancelled, and its "
        "reporter's page follows that ticket"
    )
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, ticket: Ticket, directory: Directory) -> "TicketOut":
        team = directory.teams.get(ticket.team_id)
        return cls(
            number=ticket.number,
            status=ticket.status,
            status_label=ticket.status.label,
            category=ticket.category,
            team=Ref(id=ticket.team_id, name=team.name if team else ticket.team_id),
            urgency=ticket.urgency,
            urgency_label=ticket.urgency.label,
            urgency_suggested=ticket.urgency_suggested,
            reporter=ReporterOut(name=ticket.reporter.name, phone=ticket.reporter.phone),
            location=ticket.location,
            description=ticket.description,
            channel=ticket.channel,
            appointment_at=ticket.appointment_at,
            assignee=_member(ticket.assignee_id, directory),
            created_by=ticket.created_by,
            accepted_at=ticket.accepted_at,
            started_at=ticket.started_at,
            completed_at=ticket.completed_at,
            confirmed_at=ticket.confirmed_at,
            closed_at=ticket.closed_at,
            pause_reason=ticket.pause_reason,
            pause_kind=ticket.pause_kind,
            cancel_reason=ticket.cancel_reason,
            rework_count=ticket.rework_count,
            confirmed_by=ticket.confirmed_by,
            signed=ticket.signature is not None,
            rating=_rating(ticket),
            complaint=is_complaint(ticket),
            auto_close_at=ticket.auto_close_at,
            hurry_count=ticket.hurry_count,
            findings=ticket.findings,
            work_done=ticket.completion_note,
            review=ticket.review,
            review_reason=ticket.review_reason,
            quoted_fen=ticket.quoted_fen,
            quote_pending_fen=ticket.quote_pending_fen,
            fee_lines=[
                FeeLineOut(**{**asdict(line), "quantity": str(line.quantity)})
                for line in ticket.fee_lines
            ],
            fees_total_fen=ticket.fees_total_fen,
            payment=PaymentOut(
                amount_fen=ticket.paid_fen,
                method=ticket.paid_method,
                method_label=ticket.paid_method.label,
                at=ticket.paid_at,
                by=ticket.paid_by or "",
            )
            if ticket.paid_method and ticket.paid_fen is not None and ticket.paid_at
            else None,
            payment_label=payment_words(ticket),
            materials=[
                MaterialOut(**{**asdict(m), "quantity": str(m.quantity)}) for m in ticket.materials
            ],
            photos_after=list(ticket.photos_after),
            accept_due=ticket.accept_due,
            arrive_due=ticket.arrive_due,
            complete_due=ticket.complete_due,
            clock_stopped_at=ticket.clock_stopped_at,
            escalation=EscalationOut(
                steps_sent=ticket.escalation_step,
                next_at=ticket.escalate_at,
                chain=[
                    RungOut(after_minutes=r.after_minutes, to=r.to) for r in ticket.escalation_chain
                ],
                handled_by=Ref(
                    id=ticket.handled_by, name=directory.name_of(ticket.handled_by) or ""
                )
                if ticket.handled_by
                else None,
            ),
            visit=VisitOut(
                due_at=ticket.visit_due_at,
                attempts=ticket.visit_attempt,
                outcome=VisitOutcome(ticket.visit_outcome) if ticket.visit_outcome else None,
            ),
            parent_number=ticket.parent_number,
            place=ticket.place,
            possible_duplicate_of=ticket.possible_duplicate_of,
            merged_into=ticket.merged_into,
            version=ticket.version,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
        )


class ActionOut(TicketOut):
    """The ticket after the action, and what the action showed the actor."""

    assignee_phone: str | None = Field(
        default=None,
        description="call_technician only: the assignee's phone, its look audited on the "
        "timeline as a reveal (other answers never carry it)",
    )
    follow_up: str | None = Field(
        default=None,
        description="visit with outcome recurred only: the number of the new ticket opened",
    )


def _rating(ticket: Ticket) -> RatingOut | None:
    rating = rating_of(ticket)
    if rating is None:
        return None
    return RatingOut(
        overall=rating.overall,
        speed=rating.speed,
        attitude=rating.attitude,
        comment=rating.comment,
        rated_at=ticket.rated_at,
    )


def _member(member_id: str | None, directory: Directory) -> Ref | None:
    return Ref(id=member_id, name=directory.name_of(member_id) or "") if member_id else None


class EventOut(BaseModel):
    kind: EventKind
    label: str
    """The kind in words (接单, 卡片发送失败)."""
    text: str
    """The whole line in words, as the CLI, the cards and the resident's page print it."""
    at: datetime
    actor: Ref | None
    actor_name: str
    source: Source
    from_status: Status | None
    to_status: Status
    details: dict[str, Any]

    @classmethod
    def of(cls, event: Event) -> "EventOut":
        return cls(
            kind=event.kind,
            label=event.kind.label,
            text=str(describe(event)),
            at=event.at,
            actor=Ref(id=event.actor_id, name=event.actor_name) if event.actor_id else None,
            actor_name=event.actor_name,
            source=event.source,
            from_status=event.from_status,
            to_status=event.to_status,
            details=details_to_json(event.details),
        )


class TicketDetail(TicketOut):
    events: list[EventOut]


class TicketPage(BaseModel):
    items: list[TicketOut]
    next_cursor: str | None


class FieldError(BaseModel):
    field: str = Field(description="the field's path in the request, e.g. reporter.phone")
    message: str = Field(description="what is wrong, in Chinese, for the person who typed it")
    code: str = Field(
        default="invalid", description="machine-readable: pydantic's error type, e.g. missing"
    )


class ErrorOut(BaseModel):
    error: str = Field(description="machine-readable code")
    message: str = Field(description="for the person who made the request")
    fields: list[FieldError] = []


class HotspotsQuery(Body):
    days: int | None = Field(
        default=None, ge=1, le=366, description="the window in days; default [hotspots] window_days"
    )


class HotspotOut(BaseModel):
    place: str | None = Field(description="the place (3栋2单元501); null for a building's faults")
    building: str | None
    category: str
    count: int
    numbers: list[str] = Field(description="the latest tickets counted, the latest first")
    first_at: datetime
    last_at: datetime

    @classmethod
    def of(cls, spot: Hotspot) -> "HotspotOut":
        return cls(**{**asdict(spot), "numbers": list(spot.numbers)})


class HotspotList(BaseModel):
    days: int
    min_count: int
    items: list[HotspotOut] = Field(description="most faults first")


class Health(BaseModel):
    status: str
