"""The ticket state machine: an explicit transition table and one pure `decide` function.

`decide` checks, in this order: that the action applies to the ticket's state (409-style
`IllegalTransition`, or `AlreadyTaken` for a lost claim race), that the actor holds a grant for
it (`Forbidden`), and the action's own inputs and rules (team dispatch mode, technician caps,
required reasons). State comes first so that everyone who loses a claim race hears who won,
whatever else is true of them.
"""

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from tickets.actions import MAX_TEXT, Command, Verb
from tickets.deadlines import Policy, restarted
from tickets.errors import (
    AlreadyTaken,
    CapacityReached,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NothingDue,
    TooSoon,
)
from tickets.escalation import audience_words, duration, follow, watched
from tickets.events import (
    Assigned,
    CardReposted,
    Closed,
    Completed,
    Confirmed,
    Consented,
    Created,
    DeliveryFailed,
    Details,
    Escalated,
    EventKind,
    Extended,
    Merged,
    NoDetails,
    Note,
    Paid,
    Paused,
    PhotosAdded,
    Quoted,
    Rated,
    Reason,
    Reopened,
    Rescheduled,
    Revealed,
    Reviewed,
    Transferred,
    VisitDue,
    Visited,
)
from tickets.fees import MAX_FEN, FeeSchedule, total, yuan
from tickets.model import MAX_PHOTOS, Actor, ActorKind, Event, Ticket
from tickets.payment import owed
from tickets.people import Directory, DispatchMode, Member, Team
from tickets.permissions import (
    PERMISSIONS,
    RESIDENT_NAME,
    SYSTEM_NAME,
    Grant,
    Who,
    is_dispatcher,
    may,
)
from tickets.rating import PARTS, STARS, Agreement, Rating
from tickets.states import Decision, PauseKind, Review, Source, Status
from tickets.visits import VisitOutcome, VisitPolicy, awaiting_outcome, recorded

_ACTIVE = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.PAUSED})
_ANY = frozenset(Status)

ALLOWED_FROM: Mapping[Verb, frozenset[Status]] = {
    Verb.CLAIM: frozenset({Status.NEW}),
    Verb.DISPATCH: frozenset({Status.NEW}),
    Verb.TRANSFER: _ACTIVE,
    Verb.HAND_BACK: _ACTIVE,
    Verb.START: frozenset({Status.ASSIGNED}),
    Verb.PAUSE: frozenset({Status.IN_PROGRESS}),
    Verb.RESUME: frozenset({Status.PAUSED}),
    Verb.COMPLETE: frozenset({Status.IN_PROGRESS}),
    Verb.CONFIRM: frozenset({Status.COMPLETED}),
    Verb.REOPEN: frozenset({Status.COMPLETED, Status.CONFIRMED}),
    Verb.CLOSE: frozenset({Status.COMPLETED, Status.CONFIRMED}),
    Verb.CANCEL: frozenset({Status.NEW}) | _ACTIVE,
    Verb.COMMENT: _ANY,
    Verb.REVEAL: _ANY,
    Verb.AUTO_ASSIGN: frozenset({Status.NEW}),
    Verb.RECORD_DELIVERY_FAILURE: _ANY,
    Verb.RECORD_CARD_REPOST: _ANY,
    Verb.ESCALATE: frozenset({Status.NEW}) | _ACTIVE,
    Verb.RELEASE: frozenset({Status.ASSIGNED}),
    Verb.EXTEND: frozenset({Status.NEW}) | _ACTIVE,
    Verb.TAKE_OVER: frozenset({Status.NEW}) | _ACTIVE,
    Verb.CALL_TECHNICIAN: _ACTIVE,
    Verb.HURRY: frozenset({Status.NEW}) | _ACTIVE,
    Verb.FLAG: frozenset({Status.NEW, Status.ASSIGNED}),
    Verb.REVIEW: frozenset({Status.NEW, Status.ASSIGNED}),
    Verb.QUOTE: _ACTIVE,
    Verb.CONSENT: _ACTIVE,
    Verb.RESCHEDULE: frozenset({Status.NEW}) | _ACTIVE,
    Verb.RATE: frozenset({Status.CONFIRMED, Status.CLOSED}),
    Verb.PAY: frozenset({Status.COMPLETED, Status.CONFIRMED, Status.CLOSED}),
    Verb.SEND_VISIT: frozenset({Status.CLOSED}),
    Verb.VISIT: frozenset({Status.CLOSED}),
    Verb.ADD_PHOTOS: frozenset({Status.IN_PROGRESS, Status.PAUSED, Status.COMPLETED}),
    Verb.MERGE: frozenset({Status.NEW, Status.ASSIGNED}),
}
"""For each verb, the states it applies in. Every other (state, verb) pair is illegal."""

ESCALATION_VERBS = frozenset({Verb.EXTEND, Verb.TAKE_OVER, Verb.CALL_TECHNICIAN})
_NOT_SUGGESTED = ESCALATION_VERBS | {
    Verb.COMMENT,
    Verb.FLAG,
    Verb.QUOTE,
    Verb.ADD_PHOTOS,
    Verb.MERGE,
}
"""Not what a refused member should be told to do instead: the side business of a job, and
photos, which are posted in the card's thread rather than tapped."""
"""What the desk does about an overdue job, offered on its escalation card (not the job's)."""


@dataclass(frozen=True)
class Transition:
    ticket: Ticket
    event: Event


@dataclass(frozen=True)
class Context:
    """What `decide` needs beyond the ticket, loaded by the service in the same transaction."""

    directory: Directory
    now: datetime
    source: Source
    open_jobs: Mapping[str, int]
    """Open tickets held by each member named in the command (actor or target)."""
    policy: Policy | None = None
    """The SLA the due times are counted by; without one a ticket carries none."""
    fees: FeeSchedule = dataclasses.field(default_factory=lambda: FeeSchedule({}))
    """What a job may be charged; an empty schedule allows no fee line."""
    visits: VisitPolicy = dataclasses.field(default_factory=lambda: VisitPolicy({}))
    """Which closed jobs get a return visit, and when; an empty policy, none."""
    survivor: Ticket | None = None
    """The ticket a MERGE folds this one into, loaded by the service."""


def available_verbs(status: Status) -> list[Verb]:
    """Verbs that apply in this state, whoever asks."""
    return [verb for verb in Verb if status in ALLOWED_FROM[verb]]


def possible_verbs(ticket: Ticket, team: Team) -> list[Verb]:
    """Verbs someone could do to this ticket now: the most a card may offer."""
    return [
        v
        for v in available_verbs(ticket.status)
        if _mode_refusal(v, team) is None and _waiting_refusal(v, ticket) is None
    ]


_HELD_BACK = frozenset({Verb.CLAIM, Verb.DISPATCH, Verb.AUTO_ASSIGN, Verb.START})
"""What waits while a report's place in the service catalogue is being reviewed."""


def _waiting_refusal(verb: Verb, ticket: Ticket) -> str | None:
    """Why the verb does not apply while the ticket waits for a decision, or None: nobody
    works a report under review, only a pending quote can be agreed to, and only one can
    wait at a time."""
    under_review = ticket.review is Review.PENDING
    if verb in _HELD_BACK and under_review:
        return f"工单{ticket.number}在等班组长审核是否属于服务范围，审核通过后才能{verb.label}"
    if verb is Verb.FLAG and ticket.review is not None:
        said = "在等班组长审核" if under_review else "已经审核过"
        return f"工单{ticket.number}{said}服务范围"
    if verb is Verb.REVIEW and not under_review:
        return f"工单{ticket.number}没有待审核的服务范围问题"
    if verb is Verb.CONSENT and ticket.quote_pending_fen is None:
        return f"工单{ticket.number}没有等待业主同意的报价"
    if verb is Verb.QUOTE and ticket.quote_pending_fen is not None:
        return f"工单{ticket.number}的报价 {yuan(ticket.quote_pending_fen)} 元还在等业主同意"
    return None


def _mode_refusal(verb: Verb, team: Team) -> str | None:
    """Why the team's dispatch mode rules the verb out for everyone, or None."""
    if verb is Verb.CLAIM and team.dispatch is not DispatchMode.CLAIM:
        return f"{team.name}由班组长派单，不能抢单"
    if verb is Verb.HAND_BACK and team.dispatch is DispatchMode.ASSIGN:
        return f"{team.name}是派单模式，不能退单，请联系班组长转单"
    if verb is Verb.AUTO_ASSIGN and team.dispatch is not DispatchMode.ROUND_ROBIN:
        return f"{team.name}不是轮派模式，不能自动派单"
    return None


def decide(ticket: Ticket, command: Command, ctx: Context) -> Transition:
    who = _resolve(command.actor, ctx.directory)
    _check_state(ticket, command.verb, ctx.directory)
    if not may(who, command.verb, ticket):
        raise Forbidden(_forbidden_message(command.verb, who, ticket, ctx.directory))
    team = ctx.directory.teams[ticket.team_id]
    refusal = _mode_refusal(command.verb, team)
    if refusal is not None:
        raise Forbidden(refusal)
    waiting = _waiting_refusal(command.verb, ticket)
    if waiting is not None:
        raise IllegalTransition(waiting)
    changes, details = _RULES[command.verb](ticket, command, who, team, ctx)
    to_status = changes.pop("status", ticket.status)
    changed = to_status is not ticket.status or command.verb is Verb.TRANSFER
    resumed = ticket.status is Status.PAUSED and to_status is Status.IN_PROGRESS
    restart = ctx.policy is not None and changed and not resumed  # a pause's clock runs on
    if ctx.policy is not None and restart:
        appointment = ticket.appointment_at
        changes.update(
            restarted(ctx.policy, ticket.urgency, ticket.category, to_status, ctx.now, appointment)
        )
    event = Event(
        kind=command.verb.kind,
        at=ctx.now,
        actor_id=who.member.id if who.member else None,
        actor_name=who.name,
        source=ctx.source,
        from_status=ticket.status,
        to_status=to_status,
        details=details,
    )
    if not changes and to_status is ticket.status:
        return Transition(ticket=ticket, event=event)  # only the timeline grows
    if ctx.policy is not None and to_status is not ticket.status:
        changes["auto_close_at"] = _auto_close_at(ctx.policy, to_status, ctx.now)
    next_ticket = replace(ticket, status=to_status, updated_at=ctx.now, **changes)
    if ctx.policy is not None:
        rescheduled = command.verb is Verb.RESCHEDULE and "arrive_due" in changes
        restart = restart or command.verb is Verb.EXTEND or rescheduled
        next_ticket = follow(ctx.policy, ticket, next_ticket, restart=restart)
    return Transition(ticket=next_ticket, event=event)


def _auto_close_at(policy: Policy, status: Status, now: datetime) -> datetime | None:
    """A completed job waits `auto_close_after` for the resident; any other state, no one."""
    if status is not Status.COMPLETED or policy.auto_close_after is None:
        return None
    return now + policy.auto_close_after


def created(ticket: Ticket, actor: Actor, directory: Directory, source: Source) -> Event:
    """The first line of a new ticket's timeline."""
    who = _resolve(actor, directory)
    return Event(
        kind=EventKind.CREATED,
        at=ticket.created_at,
        actor_id=who.member.id if who.member else None,
        actor_name=who.name,
        source=source,
        from_status=None,
        to_status=ticket.status,
        details=Created(channel=ticket.channel.value, urgency=ticket.urgency.value),
    )


def merged_in(survivor: Ticket, merged: Event, duplicate: str) -> Event:
    """The line the surviving ticket gets when `duplicate` is merged into it, by the same
    person at the same moment; it changes nothing else on that ticket."""
    return replace(
        merged,
        kind=EventKind.MERGED_IN,
        from_status=survivor.status,
        to_status=survivor.status,
        details=Merged(duplicate=duplicate),
    )


def _resolve(actor: Actor, directory: Directory) -> Who:
    if actor.kind is ActorKind.SYSTEM:
        return Who(actor, SYSTEM_NAME)
    if actor.kind is ActorKind.RESIDENT:
        return Who(actor, RESIDENT_NAME)
    member = directory.members.get(actor.member_id or "")
    if member is None:
        raise Forbidden(f"未登记的成员：{actor.member_id}，请联系管理员把你加入 baoxiu 配置")
    return Who(actor, member.name, member)


def _check_state(ticket: Ticket, verb: Verb, directory: Directory) -> None:
    if ticket.status in ALLOWED_FROM[verb]:
        return
    if verb is Verb.CLAIM and ticket.status.is_open and ticket.assignee_id is not None:
        raise AlreadyTaken(directory.name_of(ticket.assignee_id) or ticket.assignee_id)
    raise IllegalTransition(f"工单{ticket.number}当前为「{ticket.status.label}」，不能{verb.label}")


def _forbidden_message(verb: Verb, who: Who, ticket: Ticket, directory: Directory) -> str:
    """Who may, and what the refused member may do instead: a group card is one card for
    everyone, so a tap on someone else's button should still lead somewhere."""
    team = directory.teams[ticket.team_id]
    holder = directory.name_of(ticket.assignee_id)
    names = {
        Grant.TEAM_TECHNICIAN: f"{team.name}的维修师傅",
        Grant.ASSIGNEE: f"接单人（{holder}）" if holder else "接单人",
        Grant.TEAM_SUPERVISOR: f"{team.name}班组长",
        Grant.AGENT: "客服",
        Grant.MANAGER: "物业经理",
        Grant.ADMIN: "管理员",
        Grant.SYSTEM: SYSTEM_NAME,
        Grant.RESIDENT: RESIDENT_NAME,
    }
    allowed = "、".join(names[grant] for grant in Grant if grant in PERMISSIONS[verb])
    refusal = f"{who.name}不能{verb.label}：只有{allowed}可以{verb.label}"
    if who.member is None:
        return refusal
    yours = [
        v.label
        for v in possible_verbs(ticket, team)
        if v not in (verb, *_NOT_SUGGESTED) and may(who, v, ticket)
    ]
    if yours:
        return f"{refusal}。你在这单上可以：{'、'.join(yours)}"
    return f"{refusal}。这单现在没有需要你做的；有问题请联系{team.name}班组长"


def _text(value: str | None, field: str, *, required: bool, what: str) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidInput(f"请填写{what}", field=field)
        return None
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{what}最多 {MAX_TEXT} 字，现在 {len(text)} 字", field=field)
    return text


def _technician(directory: Directory, member_id: str | None, team: Team) -> Member:
    member = directory.members.get(member_id or "")
    if member is None:
        raise InvalidInput(f"没有这位成员：{member_id}", field="to")
    if not member.is_technician_of(team.id):
        raise InvalidInput(f"{member.name}不是{team.name}的维修师傅", field="to")
    return member


def _over_cap(member: Member, team: Team, ctx: Context, *, allowed: bool) -> bool:
    """True when the assignment goes past the cap and a dispatcher decided so."""
    held = ctx.open_jobs.get(member.id, 0)
    if held < team.max_open_per_technician:
        return False
    if allowed:
        return True
    raise CapacityReached(
        f"{member.name}手上已有 {held} 单未完成（{team.name}上限 "
        f"{team.max_open_per_technician} 单），请先完成手上的工单"
    )


_Changes = tuple[dict[str, Any], Details]


def _claim(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    assert who.member is not None  # only technicians hold the grant
    _over_cap(who.member, team, ctx, allowed=False)
    changes = {"status": Status.ASSIGNED, "assignee_id": who.member.id, "accepted_at": ctx.now}
    return changes, NoDetails()


def _dispatch(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    target = _technician(ctx.directory, c.to, team)
    over = _over_cap(target, team, ctx, allowed=True)
    changes = {"status": Status.ASSIGNED, "assignee_id": target.id, "accepted_at": ctx.now}
    return changes, Assigned(to=target.id, to_name=target.name, over_cap=over)


def _auto_assign(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """Round-robin: the service picked a technician under the cap; the cap is still the rule."""
    target = _technician(ctx.directory, c.to, team)
    _over_cap(target, team, ctx, allowed=False)
    changes = {"status": Status.ASSIGNED, "assignee_id": target.id, "accepted_at": ctx.now}
    return changes, Assigned(to=target.id, to_name=target.name)


def _transfer(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    reason = _text(c.reason, "reason", required=False, what="转单原因")
    new_team = team
    if c.team is not None and c.team != team.id:
        found = ctx.directory.teams.get(c.team)
        if found is None:
            raise InvalidInput(f"没有这个班组：{c.team}", field="team")
        new_team = found
    if c.to is None:
        if new_team is team:
            raise InvalidInput("请选择转给哪位师傅或哪个班组", field="to")
        changes: dict[str, Any] = {
            "status": Status.NEW,
            "team_id": new_team.id,
            "assignee_id": None,
            "accepted_at": None,
            "pause_reason": None,
        }
        return changes, Transferred(
            from_id=t.assignee_id, team=new_team.id, team_name=new_team.name, reason=reason
        )
    target = _technician(ctx.directory, c.to, new_team)
    if target.id == t.assignee_id:
        raise InvalidInput(f"工单已经在{target.name}手上", field="to")
    over = _over_cap(target, new_team, ctx, allowed=is_dispatcher(who, t))
    changes = {
        "status": Status.ASSIGNED,
        "team_id": new_team.id,
        "assignee_id": target.id,
        "accepted_at": ctx.now,
        "pause_reason": None,
    }
    moved = new_team is not team
    details = Transferred(
        from_id=t.assignee_id,
        to=target.id,
        to_name=target.name,
        team=new_team.id if moved else None,
        team_name=new_team.name if moved else None,
        reason=reason,
        over_cap=over,
    )
    return changes, details


def _hand_back(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    reason = _text(c.reason, "reason", required=True, what="退单原因")
    changes = {
        "status": Status.NEW,
        "assignee_id": None,
        "accepted_at": None,
        "pause_reason": None,
    }
    return changes, Reason(reason)


def _start(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    return {"status": Status.IN_PROGRESS, "started_at": ctx.now}, NoDetails()


def _pause(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    reason = _text(c.reason, "reason", required=True, what="暂停原因")
    kind = c.pause_kind or PauseKind.OTHER
    changes = {
        "status": Status.PAUSED,
        "pause_reason": reason,
        "pause_kind": kind,
        "clock_stopped_at": ctx.now if kind.stops_clock else None,
    }
    return changes, Paused(reason, kind.value)


def _resume(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """A clock stopped by the pause starts again where it stood: the deadline to complete
    moves by the time it stood still, counted as that clock counts."""
    note = _text(c.note, "note", required=False, what="备注")
    changes: dict[str, Any] = {
        "status": Status.IN_PROGRESS,
        "pause_reason": None,
        "pause_kind": None,
        "clock_stopped_at": None,
    }
    if ctx.policy is not None and t.clock_stopped_at is not None and t.complete_due is not None:
        target = ctx.policy.target(t.urgency, t.category)
        stood = ctx.policy.stood(target, t.clock_stopped_at, ctx.now)
        changes["complete_due"] = ctx.policy.later(target, t.complete_due, stood)
    return changes, Note(note)


MAX_LINES = 20
"""Fee lines or materials on one job: a repair, not an inventory."""


def _complete(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """The technician's record of the job: what was found (required), what was done, the
    fee lines priced by the schedule and the materials used, and photos after the repair."""
    findings = _text(c.findings, "findings", required=True, what="检查结果（故障原因）")
    note = _text(c.note, "note", required=False, what="维修结果")
    if len(c.fees) > MAX_LINES or len(c.materials) > MAX_LINES:
        raise InvalidInput(f"收费项目和材料各最多 {MAX_LINES} 项", field="fees")
    lines = tuple(ctx.fees.line(f.code, f.quantity, f.price_fen, t.category) for f in c.fees)
    for material in c.materials:
        _text(material.name, "materials", required=True, what="材料名称")
        _text(material.unit, "materials", required=True, what=f"「{material.name}」的单位")
    charged = total(lines)
    if t.quote_pending_fen is not None:
        said = f"报价 {yuan(t.quote_pending_fen)} 元还没有业主同意"
        raise InvalidInput(f"{said}：请先取得业主同意再完工", field="fees")
    if t.quoted_fen is not None and charged > t.quoted_fen:
        said = f"费用 {yuan(charged)} 元超过业主同意的 {yuan(t.quoted_fen)} 元"
        raise InvalidInput(f"{said}：请先报价并取得业主同意", field="fees")
    changes = {
        "status": Status.COMPLETED,
        "completed_at": ctx.now,
        "completion_note": note,
        "findings": findings,
        "fee_lines": lines,
        "fees_total_fen": charged,
        "materials": c.materials,
        "photos_after": _photos_after(t, c.photos),
    }
    return changes, Completed(note, findings, charged)


def _add_photos(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """Photos after the repair, sent on their own (in the card's thread) while the job is
    worked or waits for the resident; added to those the job already has."""
    if not c.photos:
        raise InvalidInput("请附上完工照片", field="photos")
    return {"photos_after": _photos_after(t, c.photos)}, PhotosAdded(len(c.photos))


def _photos_after(t: Ticket, added: tuple[str, ...]) -> tuple[str, ...]:
    """The job's photos after the repair with `added`; past MAX_PHOTOS none of them is taken."""
    held = len(t.photos_after)
    if held + len(added) <= MAX_PHOTOS:
        return t.photos_after + added
    if held >= MAX_PHOTOS:
        message = f"工单{t.number}已有 {held} 张完工照片，每单最多 {MAX_PHOTOS} 张，不能再添加"
    else:
        message = (
            f"完工照片每单最多 {MAX_PHOTOS} 张：工单{t.number}已有 {held} 张，"
            f"这次 {len(added)} 张，最多还能添加 {MAX_PHOTOS - held} 张"
        )
    raise InvalidInput(message, field="photos")


def _confirm(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """The resident signs and rates on their page; staff confirm only for a resident who
    agreed in person or by phone, and say which (a rating given then may come with it)."""
    note = _text(c.note, "note", required=False, what="备注")
    resident = who.actor.kind is ActorKind.RESIDENT
    by = who.name
    if resident:
        if not c.signature:
            raise InvalidInput("请先在签名框里签名，再确认修好", field="signature")
        if c.rating is None:
            raise InvalidInput("请给这次维修打分后再确认", field="rating")
    else:
        if not c.on_behalf:
            raise InvalidInput("工作人员只能代业主确认，请注明是代业主确认", field="on_behalf")
        if c.agreed is None:
            raise InvalidInput("代业主确认请注明业主是怎么同意的：当面或电话", field="agreed")
        if c.signature:
            raise InvalidInput("签名只能由业主本人在报修页面上签", field="signature")
        by = f"{who.name}（代业主{c.agreed.label}确认）"
    changes: dict[str, Any] = {
        "status": Status.CONFIRMED,
        "confirmed_at": ctx.now,
        "confirmed_by": by,
        "signature": c.signature if resident else None,
    }
    rating = _rating(c.rating) if c.rating is not None else None
    if rating is not None:
        changes.update(_rated(rating, ctx.now))
    details = Confirmed(
        note=note,
        on_behalf=not resident,
        agreed=c.agreed.value if c.agreed and not resident else None,
        signed=bool(c.signature) and resident,
        **_stars(rating),
    )
    return changes, details


def _rating(rating: Rating) -> Rating:
    """The rating with its comment trimmed; refused when a part is not 1 to 5 stars."""
    for part, what in PARTS.items():
        stars = getattr(rating, part)
        if isinstance(stars, bool) or not isinstance(stars, int) or stars not in STARS:
            raise InvalidInput(f"请给{what}打 1 到 5 星", field=f"rating.{part}")
    comment = _text(rating.comment, "rating.comment", required=False, what="评价")
    return replace(rating, comment=comment)


def _rated(rating: Rating, now: datetime) -> dict[str, Any]:
    return {
        "rating_overall": rating.overall,
        "rating_speed": rating.speed,
        "rating_attitude": rating.attitude,
        "rating_comment": rating.comment,
        "rated_at": now,
    }


def _stars(rating: Rating | None) -> dict[str, Any]:
    if rating is None:
        return {}
    return {
        "overall": rating.overall,
        "speed": rating.speed,
        "attitude": rating.attitude,
        "comment": rating.comment,
    }


def _rate(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """A rating the resident gave by phone, recorded by the desk; the resident's own stars
    are theirs and are not written over."""
    if c.rating is None:
        raise InvalidInput("请填写业主的评价：总体、响应速度、师傅态度各 1 到 5 星", field="rating")
    if t.rated_at is not None:
        raise InvalidInput(f"工单{t.number}已经有业主的评价了", field="rating")
    rating = _rating(c.rating)
    agreed = c.agreed.value if c.agreed else None
    return _rated(rating, ctx.now), Rated(**_stars(rating), agreed=agreed)


def _reopen(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    if who.actor.kind is ActorKind.RESIDENT and t.status is not Status.COMPLETED:
        raise IllegalTransition("您已经确认修好了；如果又出现问题，请重新报修或致电物业服务中心")
    what = "没修好的情况" if who.actor.kind is ActorKind.RESIDENT else "返工原因"
    reason = _text(c.reason, "reason", required=True, what=what)
    changes = {
        "status": Status.ASSIGNED,
        "rework_count": t.rework_count + 1,
        "completed_at": None,
        "confirmed_at": None,
        "completion_note": None,
        "confirmed_by": None,
        "findings": None,  # the job is done again, and recorded again
        "fee_lines": (),
        "fees_total_fen": 0,
        "materials": (),
        "photos_after": (),
        "signature": None,
    }
    return changes, Reopened(reason=reason, rework=t.rework_count + 1)


AUTO_CLOSED = "系统自动结单（业主未确认）"


def _close(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """baoxiu closes only a completed job whose resident let `auto_close_at` pass: asked
    twice (two watchers, a late run), the second finds it closed."""
    unconfirmed = t.status is Status.COMPLETED
    if who.actor.kind is ActorKind.SYSTEM:
        if not unconfirmed or t.auto_close_at is None or t.auto_close_at > ctx.now:
            raise NothingDue(f"工单{t.number}还不到自动结单的时候")
        changes = {"status": Status.CLOSED, "closed_at": ctx.now, "closed_by": who.name}
        return changes, Closed(AUTO_CLOSED, unconfirmed=True)
    reason = _text(c.reason, "reason", required=unconfirmed, what="未经业主验收就结单的原因")
    changes = {"status": Status.CLOSED, "closed_at": ctx.now, "closed_by": who.name}
    changes["visit_due_at"] = ctx.visits.due(t, ctx.now)
    return changes, Closed(reason, unconfirmed)


def _cancel(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    reason = _text(c.reason, "reason", required=True, what="取消原因")
    return {"status": Status.CANCELLED, "cancel_reason": reason}, Reason(reason)


def _merge(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """A duplicate report folded into the ticket it repeats, only by a person (baoxiu only
    marks one), and only before anyone works it (new or just accepted): a job in progress is
    no duplicate to drop. It ends as cancelled with `merged_into` set rather than in a state
    of its own: everywhere that counts or shows ended tickets (cards, the status page, the
    statistics) already reads 已取消 right, and the reason says why (与 BX… 重复，已合并);
    its reporter's page then follows the surviving ticket."""
    survivor = ctx.survivor
    if survivor is None:
        raise InvalidInput("请填写合并到哪张工单", field="into")
    if survivor.number == t.number:
        raise InvalidInput(f"工单{t.number}不能合并到它自己", field="into")
    if survivor.merged_into is not None:
        said = f"工单{survivor.number}已合并到{survivor.merged_into}"
        raise InvalidInput(f"{said}，请合并到{survivor.merged_into}", field="into")
    if survivor.status is Status.CANCELLED:
        raise InvalidInput(f"工单{survivor.number}已取消，不能合并到它", field="into")
    changes = {
        "status": Status.CANCELLED,
        "merged_into": survivor.number,
        "cancel_reason": f"与 {survivor.number} 重复，已合并",
    }
    return changes, Merged(into=survivor.number)


def _comment(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    return {}, Note(_text(c.note, "note", required=True, what="备注内容"))


def _reveal(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    return {}, Revealed(field="reporter")


def _record_delivery_failure(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    if not isinstance(c.details, DeliveryFailed):
        raise InvalidInput("发送失败的记录缺少平台、群和错误", field="details")
    return {}, replace(c.details, error=c.details.error[:MAX_TEXT])


def _record_card_repost(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    if not isinstance(c.details, CardReposted):
        raise InvalidInput("卡片重发的记录缺少平台、群和原因", field="details")
    return {}, replace(c.details, reason=c.details.reason[:MAX_TEXT])


def _escalate(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """The next step of the chain, if it is due: asked twice (two watchers, a late run), the
    second finds it sent and nothing due."""
    deadline = watched(t)
    if t.escalate_at is None or t.escalate_at > ctx.now or deadline is None:
        raise NothingDue(f"工单{t.number}现在没有要发的升级提醒")
    step = t.escalation_step + 1
    rung = t.escalation_chain[step - 1]
    given = c.details.to_name if isinstance(c.details, Escalated) else ""
    details = Escalated(
        step=step,
        to=rung.to,
        to_name=given or audience_words(rung, t, ctx.directory),
        deadline=deadline[0].value,
        due=deadline[1].isoformat(),
    )
    return {"escalation_step": step}, details


def _release(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    deadline = watched(t)
    if deadline is None or deadline[1] > ctx.now:
        raise NothingDue(f"工单{t.number}还没到到场时限")
    changes = {"status": Status.NEW, "assignee_id": None, "accepted_at": None}
    return changes, Reason(f"{ctx.directory.name_of(t.assignee_id)}超过到场时限仍未开始维修")


EXTEND_MAX_MINUTES = 30 * 24 * 60


def _extend(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """A later deadline for the one watched now, counted in the ticket's clock from the
    old deadline or from now, whichever is later; its chain starts again."""
    reason = _text(c.reason, "reason", required=True, what="延期原因")
    if c.minutes is None or not 0 < c.minutes <= EXTEND_MAX_MINUTES:
        raise InvalidInput("请选择延期多久（最长 30 天）", field="minutes")
    deadline = watched(t)
    if ctx.policy is None or deadline is None:
        raise InvalidInput(f"工单{t.number}现在没有可以延期的时限", field="minutes")
    target = ctx.policy.target(t.urgency, t.category)
    due = ctx.policy.later(target, max(deadline[1], ctx.now), c.minutes)
    details = Extended(deadline[0].value, c.minutes, due.isoformat(), reason)
    return {f"{deadline[0].value}_due": due}, details


def _take_over(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    assert who.member is not None  # only dispatchers hold the grant
    if t.handled_by == who.member.id:
        raise InvalidInput(f"你已经在跟进工单{t.number}", field="verb")
    return {"handled_by": who.member.id, "escalation_step": len(t.escalation_chain)}, NoDetails()


def _call_technician(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    member = ctx.directory.members.get(t.assignee_id or "")
    if member is None or not member.phone:
        name = ctx.directory.name_of(t.assignee_id) or "接单人"
        raise InvalidInput(f"{name}没有登记电话，请管理员在配置里补上", field="verb")
    return {}, Revealed(field="assignee")


HURRY_EVERY = timedelta(minutes=30)
"""One hurry-up per ticket per half hour: a worried resident tapping again rings nobody twice."""


def _hurry(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    if t.hurried_at is not None and ctx.now < t.hurried_at + HURRY_EVERY:
        left = t.hurried_at + HURRY_EVERY - ctx.now
        wait = timedelta(minutes=math.ceil(left.total_seconds() / 60))
        if who.actor.kind is ActorKind.RESIDENT:
            whom = "维修师傅" if t.assignee_id else "物业客服"
            message = (
                f"已经收到您的催单，我们已提醒{whom}尽快处理。如仍未处理，请{duration(wait)}后再催"
            )
        else:
            message = f"工单{t.number}刚催过单，{duration(wait)}后可以再催"
        raise TooSoon(message, wait)
    return {"hurry_count": t.hurry_count + 1, "hurried_at": ctx.now}, NoDetails()


RESCHEDULE_AHEAD = timedelta(days=30)
"""How far ahead an appointment may be made: any later is a typo (a wrong month)."""


def _reschedule(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """A new appointment with the resident; while the job is accepted it is the arrive
    deadline (an agreed visit is the promise), and that deadline's chain starts again."""
    reason = _text(c.reason, "reason", required=True, what="改约原因")
    if c.at is None or c.at.tzinfo is None:
        raise InvalidInput("请填写新的上门时间", field="at")
    if c.at <= ctx.now:
        raise InvalidInput("新的上门时间已经过去了，请填写以后的时间", field="at")
    if c.at > ctx.now + RESCHEDULE_AHEAD:
        raise InvalidInput(f"新的上门时间请约在 {RESCHEDULE_AHEAD.days} 天以内", field="at")
    if c.at == t.appointment_at:
        raise InvalidInput("和现在约好的上门时间一样，不用改约", field="at")
    changes: dict[str, Any] = {"appointment_at": c.at}
    if t.status is Status.ASSIGNED and ctx.policy is not None:
        changes["arrive_due"] = c.at
    before = t.appointment_at.isoformat() if t.appointment_at else None
    return changes, Rescheduled(c.at.isoformat(), before, reason)


def _flag(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    reason = _text(c.reason, "reason", required=True, what="为什么不属于服务范围")
    return {"review": Review.PENDING, "review_reason": reason}, Reason(reason)


def _review(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """The supervisor's word on a flagged report: approved, it is worked as any other;
    declined, it is cancelled with a reason the resident reads on their page."""
    if c.decision is None:
        raise InvalidInput("请选择是否属于服务范围", field="decision")
    if c.decision is Decision.APPROVE:
        reason = _text(c.reason, "reason", required=False, what="审核意见")
        return {"review": Review.APPROVED}, Reviewed(c.decision.value, reason)
    reason = _text(c.reason, "reason", required=True, what="不属于服务范围的原因")
    changes = {
        "status": Status.CANCELLED,
        "review": Review.DECLINED,
        "review_reason": reason,
        "cancel_reason": reason,
    }
    return changes, Reviewed(c.decision.value, reason)


def _quote(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """The price the resident is told. The first stands as told; a higher one than they
    agreed to waits for their consent, and the job cannot be completed above it meanwhile."""
    if c.amount_fen is None or not 0 < c.amount_fen <= MAX_FEN:
        raise InvalidInput("请填写报价金额（元）", field="amount")
    reason = _text(c.reason, "reason", required=False, what="报价说明")
    if t.quoted_fen is not None and c.amount_fen > t.quoted_fen:
        return {"quote_pending_fen": c.amount_fen}, Quoted(c.amount_fen, True, reason)
    return {"quoted_fen": c.amount_fen}, Quoted(c.amount_fen, False, reason)


def _consent(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """The resident's yes to the higher price: on their own page, or taken by staff, in
    person (the technician on site, unless they say otherwise) or on the phone (the desk).
    A yes to an amount (`amount_fen`, the one the resident's page showed) is a yes to that
    price only: a page left open while the price changed agrees to nothing unseen."""
    assert t.quote_pending_fen is not None  # `_waiting_refusal` saw to it
    if c.amount_fen is not None and c.amount_fen != t.quote_pending_fen:
        said = f"报价已经改为 {yuan(t.quote_pending_fen)} 元"
        raise InvalidInput(f"{said}，请看清新的报价后再同意", field="amount")
    if who.actor.kind is ActorKind.RESIDENT:
        agreed = "page"
    elif c.agreed is not None:
        agreed = c.agreed.value
    else:
        on_site = t.assignee_id == who.actor.member_id
        agreed = (Agreement.IN_PERSON if on_site else Agreement.PHONE).value
    changes = {"quoted_fen": t.quote_pending_fen, "quote_pending_fen": None}
    return changes, Consented(t.quote_pending_fen, agreed)


def _pay(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """The resident paid what is owed, by `method`: the job's total, or after a rework the
    balance, which adds to what was received. Nothing owed, a second record (the wrong
    method picked) replaces the last one's method only with a reason, kept on the timeline."""
    if t.fees_total_fen <= 0:
        raise InvalidInput(f"工单{t.number}没有要收的费用", field="action")
    if c.method is None:
        raise InvalidInput("请选择收费方式：现金、微信、支付宝或转账", field="method")
    paid = t.paid_fen or 0
    received = {"paid_at": ctx.now, "paid_method": c.method, "paid_by": who.name}
    if (balance := owed(t)) > 0:
        return {**received, "paid_fen": paid + balance}, Paid(c.method.value, balance)
    assert t.paid_method is not None  # a charged job owes nothing only once paid
    said = f"{t.paid_by}已记录收费 {yuan(paid)} 元（{t.paid_method.label}）"
    correction = _text(c.reason, "reason", required=False, what="更正原因")
    if correction is None:
        raise InvalidInput(f"工单{t.number}{said}；如需更正，请填写更正原因", field="reason")
    return received, Paid(c.method.value, paid, correction)


def _send_visit(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    """The due visit goes on the agents' chat once: asked twice (two watchers, a late
    run), the second finds the due time cleared and nothing due."""
    if t.visit_due_at is None or t.visit_due_at > ctx.now:
        raise NothingDue(f"工单{t.number}现在没有要做的回访")
    attempt = t.visit_attempt + 1
    return {"visit_due_at": None, "visit_attempt": attempt}, VisitDue(attempt)


def _visit(t: Ticket, c: Command, who: Who, team: Team, ctx: Context) -> _Changes:
    if not awaiting_outcome(t):
        if t.visit_outcome:
            done = VisitOutcome(t.visit_outcome).label
            raise IllegalTransition(f"工单{t.number}的回访已经记录为「{done}」")
        raise IllegalTransition(f"工单{t.number}现在没有待记录的回访")
    if c.outcome is None:
        raise InvalidInput("请选择回访结果：已解决、问题复发或联系不上", field="outcome")
    note = _text(c.note, "note", required=False, what="回访备注")
    changes = recorded(t, c.outcome, ctx.now)
    again = changes.get("visit_due_at")
    again_at = again.isoformat() if isinstance(again, datetime) else None
    return changes, Visited(c.outcome.value, t.visit_attempt, note, again_at)


_RULES: Mapping[Verb, Callable[[Ticket, Command, Who, Team, Context], _Changes]] = {
    Verb.CLAIM: _claim,
    Verb.DISPATCH: _dispatch,
    Verb.TRANSFER: _transfer,
    Verb.HAND_BACK: _hand_back,
    Verb.START: _start,
    Verb.PAUSE: _pause,
    Verb.RESUME: _resume,
    Verb.COMPLETE: _complete,
    Verb.CONFIRM: _confirm,
    Verb.REOPEN: _reopen,
    Verb.CLOSE: _close,
    Verb.CANCEL: _cancel,
    Verb.COMMENT: _comment,
    Verb.REVEAL: _reveal,
    Verb.AUTO_ASSIGN: _auto_assign,
    Verb.RECORD_DELIVERY_FAILURE: _record_delivery_failure,
    Verb.RECORD_CARD_REPOST: _record_card_repost,
    Verb.ESCALATE: _escalate,
    Verb.RELEASE: _release,
    Verb.EXTEND: _extend,
    Verb.TAKE_OVER: _take_over,
    Verb.CALL_TECHNICIAN: _call_technician,
    Verb.HURRY: _hurry,
    Verb.FLAG: _flag,
    Verb.REVIEW: _review,
    Verb.QUOTE: _quote,
    Verb.CONSENT: _consent,
    Verb.RESCHEDULE: _reschedule,
    Verb.RATE: _rate,
    Verb.PAY: _pay,
    Verb.SEND_VISIT: _send_visit,
    Verb.VISIT: _visit,
    Verb.ADD_PHOTOS: _add_photos,
    Verb.MERGE: _merge,
}
