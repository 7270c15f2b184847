"""Building a ticket's card for one audience.

The card offers only what makes sense in that chat for the ticket's state, and never an
action the core would refuse to everyone (`possible_verbs`); whether the person who clicks may
do it is the core's decision at click time. Group cards mask the resident's contact; the
assignee's direct card shows it in full.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from cards.mask import mask_name, mask_phone
from cards.model import (
    ActionValue,
    Button,
    Card,
    Field,
    Header,
    Image,
    Input,
    Link,
    Note,
    Option,
    Tag,
    Tone,
)
from tickets.actions import Verb
from tickets.audience import Audience
from tickets.clock import Clock
from tickets.escalation import DEADLINE_WORDS, duration, watched
from tickets.fees import yuan
from tickets.machine import ALLOWED_FROM, possible_verbs
from tickets.model import Event, Ticket
from tickets.payment import PayMethod, owed, payment_words
from tickets.people import Directory, DispatchMode
from tickets.permissions import PERMISSIONS, Grant
from tickets.rating import Agreement, rating_of
from tickets.states import Decision, PauseKind, Review, Status, Urgency
from tickets.visits import VisitOutcome, awaiting_outcome
from tickets.words import RESIDENT_READS, describe
from tickets.work_key import work_key

V = Verb

_TEAM = (
    "claim dispatch merge start complete pause resume reschedule transfer hand_back flag confirm"
    " reopen close reveal"
)
_SUPERVISORS = (
    "review dispatch consent transfer pause resume confirm pay reopen close merge cancel reveal"
    " hurry"
)
_DIRECT = "start quote consent complete pause resume reschedule transfer hand_back"
_AGENTS = "visit reveal confirm pay close merge hurry"
MENUS: Mapping[Audience, tuple[Verb, ...]] = {
    Audience.TEAM: tuple(Verb(v) for v in _TEAM.split()),
    Audience.SUPERVISORS: tuple(Verb(v) for v in _SUPERVISORS.split()),
    Audience.DIRECT: tuple(Verb(v) for v in _DIRECT.split()),
    Audience.MANAGEMENT: (),
    Audience.AGENTS: tuple(Verb(v) for v in _AGENTS.split()),
}
"""What each audience may be offered, in the order the buttons appear."""

_PRIMARY = {V.CLAIM, V.DISPATCH, V.START, V.COMPLETE, V.CONFIRM}
_DANGER = {V.HAND_BACK, V.REOPEN, V.CANCEL}
_ENDED = {Status.CLOSED, Status.CANCELLED}
_IN_HAND = {Status.ASSIGNED, Status.IN_PROGRESS, Status.PAUSED}
"""While the job is the assignee's to do: the card says so (李师傅处理中)."""


@dataclass(frozen=True)
class CardContext:
    directory: Directory
    tz: ZoneInfo
    clock: Clock | None = None
    """Tells a card rendered now how late the job is; without one, a card says only when
    it is due."""
    public_url: str | None = None
    """Where this app's pages are reached from a phone (`[site] public_url`); without it, a
    card links to no page."""


def ticket_card(
    ticket: Ticket,
    audience: Audience,
    ctx: CardContext,
    member_id: str | None = None,
    shown: Event | None = None,
) -> Card:
    """The card for `audience`; `member_id` names the reader of a DIRECT card. `shown` is the
    latest event the card tells of (see `latest`), in the timeline's own words."""
    private = audience.is_private and member_id is not None and member_id == ticket.assignee_id
    buttons = _buttons(ticket, audience, ctx, private, member_id)
    notes = _notes(ticket, ctx)
    if audience is Audience.TEAM:
        notes += _whose(ticket, buttons, ctx)
        buttons = tuple(_marked(b, ticket) for b in buttons)
    return Card(
        header=_header(ticket, ctx),
        fields=_fields(ticket, ctx, private),
        notes=notes,
        images=_images(ticket),
        buttons=buttons,
        link=_completion_link(ticket, ctx) if private else None,
        footer=_footer(ticket, ctx, shown),
    )


def _images(ticket: Ticket) -> tuple[Image, ...]:
    """The resident's photos of the fault, then the technician's of the repair."""
    before = (Image(p, f"现场照片 {i}") for i, p in enumerate(ticket.photos, 1))
    after = (Image(p, f"完工照片 {i}") for i, p in enumerate(ticket.photos_after, 1))
    return (*before, *after)


def _completion_link(ticket: Ticket, ctx: CardContext) -> Link | None:
    """The assignee's way to a completion with fee lines, materials and photos, while the
    job is theirs to complete: the card's own 完工 form holds only words."""
    key = work_key(ticket)
    if ctx.public_url is None or key is None or ticket.status not in ALLOWED_FROM[V.COMPLETE]:
        return None
    return Link(
        "填写完工单（费用、材料、照片）", f"{ctx.public_url.rstrip('/')}/w/{ticket.number}/{key}"
    )


def _whose(ticket: Ticket, buttons: tuple[Button, ...], ctx: CardContext) -> tuple[Note, ...]:
    """A group card is one card for the whole group: say whose job it is and whose buttons
    are for the assignee, so that nobody else taps them to be refused."""
    name = ctx.directory.name_of(ticket.assignee_id)
    theirs = [
        b.label
        for b in buttons
        if Grant.ASSIGNEE in PERMISSIONS[b.value.verb]
        and Grant.TEAM_TECHNICIAN not in PERMISSIONS[b.value.verb]
    ]
    if name is None or not theirs or ticket.status not in _IN_HAND:
        return ()
    return (Note(f"{name}处理中：{'、'.join(theirs)}由{name}操作", Tone.BLUE),)


def _marked(button: Button, ticket: Ticket) -> Button:
    """A button only the desk or the supervisor may use says so on a group card (派单（班组长）)."""
    holders = PERMISSIONS[button.value.verb]
    crew = (
        {Grant.TEAM_TECHNICIAN, Grant.ASSIGNEE} if ticket.assignee_id else {Grant.TEAM_TECHNICIAN}
    )
    if holders & crew:
        return button
    role = "客服" if Grant.AGENT in holders else "班组长"
    return replace(button, label=f"{button.label}（{role}）")


def latest(events: Iterable[Event]) -> Event | None:
    """The last event a card tells of: one the resident could read too, so that a group
    card never shows a note or a reveal."""
    return next((e for e in reversed(list(events)) if e.kind.public), None)


def _footer(ticket: Ticket, ctx: CardContext, shown: Event | None) -> str:
    if shown is None or not shown.kind.public:
        return f"{ticket.number} · 更新于 {_local(ticket.updated_at, ctx.tz)}"
    return f"{ticket.number} · {describe(shown).title} · {_local(shown.at, ctx.tz)}"


def _header(ticket: Ticket, ctx: CardContext) -> Header:
    status_tone = {
        Status.NEW: Tone.RED if ticket.urgency is Urgency.EMERGENCY else Tone.BLUE,
        Status.COMPLETED: Tone.GREEN,
        Status.CONFIRMED: Tone.GREEN,
        Status.PAUSED: Tone.ORANGE,
    }.get(ticket.status, Tone.GREY if ticket.status in _ENDED else Tone.BLUE)
    urgency_tone = {Urgency.EMERGENCY: Tone.RED, Urgency.URGENT: Tone.ORANGE}.get(
        ticket.urgency, Tone.BLUE
    )
    status = ticket.status.label
    claimed = ctx.directory.teams[ticket.team_id].dispatch is DispatchMode.CLAIM
    if ticket.status is Status.NEW and claimed:
        status = "待接单"  # the group takes it; nobody dispatches there
    return Header(
        title=f"{ticket.category}报修 · {ticket.location}",
        subtitle=ticket.number,
        tone=Tone.GREY if ticket.status in _ENDED else urgency_tone,
        tags=(Tag(status, status_tone), Tag(ticket.urgency.label, urgency_tone)),
    )


def _fields(ticket: Ticket, ctx: CardContext, private: bool) -> tuple[Field, ...]:
    reporter = ticket.reporter
    contact = (
        f"{reporter.name} {reporter.phone}"
        if private
        else f"{mask_name(reporter.name)} {mask_phone(reporter.phone)}"
    )
    fields = [
        Field("问题", ticket.description),
        Field("位置", ticket.location),
        Field("报修人", contact),
        Field("接单人", ctx.directory.name_of(ticket.assignee_id) or "待接单"),
        Field("报修时间", f"{_local(ticket.created_at, ctx.tz)}（{ticket.channel.label}）"),
    ]
    if (due := _due(ticket)) is not None:
        fields.append(Field(due[0], _local(due[1], ctx.tz)))
    if ticket.appointment_at is not None:
        fields.insert(3, Field("预约上门", _local(ticket.appointment_at, ctx.tz)))
    if ticket.quoted_fen is not None and ticket.completed_at is None:
        fields.append(Field("报价", f"{yuan(ticket.quoted_fen)} 元（业主已同意）"))
    if ticket.completed_at is not None:
        fields += _work(ticket)
    if ticket.confirmed_at is not None and ticket.confirmed_by:
        fields.append(Field("验收", f"{ticket.confirmed_by} {_local(ticket.confirmed_at, ctx.tz)}"))
    rating = rating_of(ticket)
    if rating is not None:
        stars = rating.words() + (f"；{rating.comment}" if rating.comment else "")
        fields.append(Field("业主评价", stars))
    if ticket.closed_at is not None and ticket.closed_by:
        fields.append(Field("结单", f"{ticket.closed_by} {_local(ticket.closed_at, ctx.tz)}"))
    return tuple(fields)


def _work(ticket: Ticket) -> list[Field]:
    """The technician's record: what was found and done, what it cost, what was used."""
    fields = []
    if ticket.findings:
        fields.append(Field("检查结果", ticket.findings))
    fields.append(Field("维修结果", ticket.completion_note or "未填写"))
    if ticket.fee_lines:
        lines = "；".join(
            f"{line.name} {line.quantity}{line.unit} "
            + ("免费" if line.free else f"{yuan(line.amount_fen)} 元")
            for line in ticket.fee_lines
        )
        fields.append(Field("费用", f"{lines}；合计 {yuan(ticket.fees_total_fen)} 元"))
        fields.append(Field("收费", payment_words(ticket)))
    if ticket.materials:
        used = "；".join(
            f"{m.name} {m.quantity}{m.unit}（{m.supplied_by.label}）" for m in ticket.materials
        )
        fields.append(Field("材料", used))
    return fields


def _due(ticket: Ticket) -> tuple[str, datetime] | None:
    """The deadline the job is working towards now, named for the crew."""
    match ticket.status:
        case Status.NEW if ticket.accept_due:
            return "接单截止", ticket.accept_due
        case Status.ASSIGNED if ticket.arrive_due:
            return "到场截止", ticket.arrive_due
        case Status.IN_PROGRESS | Status.PAUSED if ticket.complete_due:
            return "完工截止", ticket.complete_due
    return None


def _notes(ticket: Ticket, ctx: CardContext) -> tuple[Note, ...]:
    notes = []
    deadline = watched(ticket)
    now = ctx.clock.now() if ctx.clock else None
    if deadline is not None and now is not None and now - deadline[1] >= timedelta(minutes=1):
        late = duration(now - deadline[1])
        notes.append(Note(f"{DEADLINE_WORDS[deadline[0]]}已超时 {late}", Tone.RED))
    if ticket.status is Status.NEW and ticket.urgency is Urgency.EMERGENCY:
        notes.append(Note("紧急报修，请立即处理", Tone.RED))
    if ticket.review is Review.PENDING:
        why = f"：{ticket.review_reason}" if ticket.review_reason else ""
        notes.append(Note(f"待班组长审核是否属于服务范围{why}", Tone.ORANGE))
    if ticket.quote_pending_fen is not None and ticket.status.is_open:
        said = f"报价 {yuan(ticket.quote_pending_fen)} 元等待业主同意"
        notes.append(Note(f"{said}（已同意 {yuan(ticket.quoted_fen or 0)} 元）", Tone.ORANGE))
    if ticket.handled_by and (ticket.status.is_open or ticket.status is Status.NEW):
        notes.append(Note(f"{ctx.directory.name_of(ticket.handled_by)}跟进中", Tone.BLUE))
    if ticket.pause_reason and ticket.status is Status.PAUSED:
        notes.append(Note(f"暂停原因：{ticket.pause_reason}", Tone.ORANGE))
    if ticket.possible_duplicate_of and ticket.status not in _ENDED:
        notes.append(Note(f"可能与 {ticket.possible_duplicate_of} 重复", Tone.ORANGE))
    if ticket.merged_into:
        notes.append(Note(f"已合并到 {ticket.merged_into}（重复报修）", Tone.GREY))
    elif ticket.cancel_reason and ticket.status is Status.CANCELLED:
        notes.append(Note(f"取消原因：{ticket.cancel_reason}", Tone.GREY))
    if ticket.rework_count:
        notes.append(Note(f"返工 {ticket.rework_count} 次", Tone.RED))
    if ticket.hurry_count and ticket.status in ALLOWED_FROM[V.HURRY]:  # while it is chased
        notes.append(Note(f"已催单 {ticket.hurry_count} 次", Tone.RED))
    return tuple(notes)


def _buttons(
    ticket: Ticket, audience: Audience, ctx: CardContext, private: bool, reader: str | None
) -> tuple[Button, ...]:
    team = ctx.directory.teams[ticket.team_id]
    if audience.is_private and not private:
        # Someone else's job: for the record only. An unheld job of a claim team can be
        # claimed from one's own chat, as the on-call technician is sent it at night.
        member = ctx.directory.members.get(reader or "")
        claimable = ticket.status is Status.NEW and team.dispatch is DispatchMode.CLAIM
        if not (claimable and member is not None and member.is_technician_of(team.id)):
            return ()
        return (
            Button(V.CLAIM.label, ActionValue(ticket.number, V.CLAIM, ticket.version), "primary"),
        )
    possible = set(possible_verbs(ticket, team))
    if audience is Audience.TEAM and team.dispatch is DispatchMode.CLAIM:
        possible.discard(V.DISPATCH)  # the group claims; dispatching is the supervisors' chat
    visiting = audience is Audience.AGENTS and awaiting_outcome(ticket)
    if private or (ticket.status in _ENDED and not visiting):  # the agent calls the resident
        possible.discard(V.REVEAL)
    if not awaiting_outcome(ticket):
        possible.discard(V.VISIT)  # nothing to record before the visit is due, or after
    if not owed(ticket):
        possible.discard(V.PAY)  # free, or paid: a correction is the API's, with a reason
    if ticket.assignee_id is None:
        possible.discard(V.RESCHEDULE)  # whoever takes the job agrees the visit
    if ticket.possible_duplicate_of is None:
        possible.discard(V.MERGE)  # another ticket is merged by number, through the API
    if audience is Audience.TEAM and ticket.status is not Status.NEW:
        possible.discard(V.MERGE)  # a group card has room for it only before the job is taken
    buttons = (
        Button(
            verb.label,
            ActionValue(ticket.number, verb, ticket.version),
            "primary" if verb in _PRIMARY else "danger" if verb in _DANGER else "default",
            _inputs(verb, ticket, ctx),
        )
        for verb in MENUS[audience]
        if verb in possible
    )
    return tuple(b for b in buttons if all(i.options for i in b.inputs if i.kind == "select"))


EXTENSIONS = ((30, "30分钟"), (60, "1小时"), (120, "2小时"), (240, "4小时"), (1440, "1天"))
"""What 延期 offers, in minutes of the ticket's clock (a working day is shorter than 24 hours
in working time: 1天 is counted as the ticket's clock counts 1,440 minutes)."""


def escalation_buttons(ticket: Ticket, ctx: CardContext) -> tuple[Button, ...]:
    """What an escalation offers the desk: move the job to someone else, call the
    technician, give the job more time with a reason, or take it over."""
    team = ctx.directory.teams[ticket.team_id]
    possible = set(possible_verbs(ticket, team))
    move = V.DISPATCH if ticket.status is Status.NEW else V.TRANSFER
    offered: tuple[tuple[Verb, str, Literal["primary", "default"]], ...] = (
        (move, "改派", "primary"),
        (V.CALL_TECHNICIAN, "联系师傅", "default"),
        (V.EXTEND, "延期", "default"),
        (V.TAKE_OVER, "我来处理", "default"),
    )
    buttons = (
        Button(label, ActionValue(ticket.number, verb, ticket.version, True), style, inputs)
        for verb, label, style in offered
        if verb in possible
        for inputs in [_inputs(verb, ticket, ctx)]
    )
    return tuple(b for b in buttons if all(i.options for i in b.inputs if i.kind == "select"))


def _reason(label: str, placeholder: str) -> Input:
    return Input("reason", label, "text", required=True, placeholder=placeholder)


def _inputs(verb: Verb, ticket: Ticket, ctx: CardContext) -> tuple[Input, ...]:
    """The form's fields; each text field says whether the resident will read it, and in
    the same brackets whether it may be left empty (转单原因（选填，仅内部可见）)."""
    seen = "业主可见" if verb.kind in RESIDENT_READS else "仅内部可见"
    return tuple(
        replace(i, label=f"{i.label}（{seen if i.required else f'选填，{seen}'}）")
        if i.name in ("reason", "note", "findings")
        else i
        for i in _form_fields(verb, ticket, ctx)
    )


def _form_fields(verb: Verb, ticket: Ticket, ctx: CardContext) -> tuple[Input, ...]:
    technicians = tuple(
        Option(m.id, m.name)
        for m in ctx.directory.technicians(ticket.team_id)
        if m.id != ticket.assignee_id
    )
    match verb:
        case V.DISPATCH:
            return (Input("to", "派给", "select", required=True, options=technicians),)
        case V.TRANSFER:
            return (
                Input("to", "转给", "select", required=True, options=technicians),
                Input(
                    "reason",
                    "转单原因",
                    "text",
                    required=False,
                    placeholder="另有急单 / 不熟悉这类故障 …",
                ),
            )
        case V.PAUSE:
            kinds = tuple(Option(k.value, k.label) for k in PauseKind)
            return (
                Input("pause_kind", "暂停类型", "select", required=True, options=kinds),
                _reason("暂停原因", "等配件 / 业主不在家 …"),
            )
        case V.FLAG:
            return (_reason("为什么不属于服务范围", "私人装修 / 业主自购电器保修 …"),)
        case V.REVIEW:
            decisions = tuple(Option(d.value, d.label) for d in Decision)
            return (
                Input("decision", "审核结果", "select", required=True, options=decisions),
                Input(
                    "reason",
                    "不属于服务范围的原因",
                    "text",
                    required=False,
                    placeholder="属于业主自用设备，请联系厂家售后 …",
                ),
            )
        case V.QUOTE:
            return (
                Input("amount", "报价金额（元）", "text", required=True, placeholder="180"),
                Input("reason", "报价说明", "text", required=False, placeholder="压缩机需更换 …"),
            )
        case V.EXTEND:
            times = tuple(Option(str(minutes), label) for minutes, label in EXTENSIONS)
            return (
                Input("minutes", "延期多久", "select", required=True, options=times),
                _reason("延期原因", "业主改约 / 需要专业公司 …"),
            )
        case V.RESCHEDULE:
            return (
                Input("at", "新的上门时间", "text", required=True, placeholder="12-03 14:00"),
                _reason("改约原因", "业主白天上班 / 等配件到货 …"),
            )
        case V.HAND_BACK:
            return (_reason("退单原因", "不是本专业 / 需要专业公司 …"),)
        case V.REOPEN:
            return (_reason("返工原因", "业主反馈仍未修好 …"),)
        case V.CONFIRM:  # staff confirm only for the resident, who agreed one way or another
            ways = tuple(Option(a.value, a.label) for a in Agreement)
            return (Input("agreed", "业主怎么确认的", "select", required=True, options=ways),)
        case V.PAY:
            methods = tuple(Option(m.value, m.label) for m in PayMethod)
            return (Input("method", "收款方式", "select", required=True, options=methods),)
        case V.CANCEL:
            return (_reason("取消原因", "业主撤销 / 重复报修 …"),)
        case V.COMPLETE:
            return (
                Input(
                    "findings",
                    "检查结果",
                    "text",
                    required=True,
                    placeholder="地漏芯老化，存水弯堵塞 …",
                ),
                Input(
                    "note", "维修结果", "text", required=False, placeholder="更换地漏芯，试水正常 …"
                ),
            )
        case V.VISIT:
            outcomes = tuple(Option(o.value, o.label) for o in VisitOutcome)
            return (
                Input("outcome", "回访结果", "select", required=True, options=outcomes),
                Input("note", "回访备注", "text", required=False, placeholder="业主说 …"),
            )
        case V.CLOSE if ticket.status is Status.COMPLETED:
            return (_reason("未经业主验收就结单的原因", "业主电话确认 / 联系不上 …"),)
        case _:
            return ()


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%m-%d %H:%M")
