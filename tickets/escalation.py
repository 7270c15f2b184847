"""Escalation: the deadline a ticket is watched against, and when its chain's next step is due.

A ticket copies the chain in force when it opens, so editing the config changes no running
escalation. The deadline watched is the one the job works towards now: to accept while it is
new, to arrive while it is accepted, to complete while it is in progress or paused on the
crew's time (a pause for parts or for the resident stops the clock and the chain with it).
Step k of the chain is due `after_minutes` of the ticket's clock after that deadline.

The ticket keeps how many steps were sent for the deadline (`escalation_step`) and when the
next is due (`escalate_at`), and `decide` rewrites both with every change: meeting a deadline,
even late, ends its chain, and the next deadline starts a chain of its own. The watcher
(`jobs/`) finds due tickets through the index on `escalate_at` and asks the core to ESCALATE
each; the core re-checks under the row lock, so a second watcher, a restart or a late run
sends no step twice.
"""

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from tickets.deadlines import Policy, Rung, Step
from tickets.model import Ticket
from tickets.people import Directory, DispatchMode, Team
from tickets.recipients import Reach
from tickets.states import Status

WATCHED: Mapping[Status, Step] = {
    Status.NEW: Step.ACCEPT,
    Status.ASSIGNED: Step.ARRIVE,
    Status.IN_PROGRESS: Step.COMPLETE,
    Status.PAUSED: Step.COMPLETE,
}
"""The deadline each open state works towards."""

DEADLINE_WORDS: Mapping[Step, str] = {
    Step.ACCEPT: "接单",
    Step.ARRIVE: "到场",
    Step.COMPLETE: "完工",
}


def watched(ticket: Ticket) -> tuple[Step, datetime] | None:
    """The deadline the clock is running towards now, or None (no deadline, or stopped)."""
    step = WATCHED.get(ticket.status)
    if step is None or ticket.clock_stopped_at is not None:
        return None
    due: datetime | None = getattr(ticket, f"{step.value}_due")
    return (step, due) if due is not None else None


def follow(policy: Policy, before: Ticket | None, after: Ticket, *, restart: bool) -> Ticket:
    """`after` with its place on the chain brought up to date: back to the first step when
    the job now works towards another deadline, or when `restart` says its deadline was set
    anew (a transfer, a rework, an extension)."""
    step = after.escalation_step
    moved = before is None or WATCHED.get(before.status) is not WATCHED.get(after.status)
    if restart or moved:
        step = 0
    return replace(after, escalation_step=step, escalate_at=_next(policy, after, step))


def _next(policy: Policy, ticket: Ticket, step: int) -> datetime | None:
    deadline = watched(ticket)
    if deadline is None or step >= len(ticket.escalation_chain):
        return None
    target = policy.target(ticket.urgency, ticket.category)
    return policy.later(target, deadline[1], ticket.escalation_chain[step].after_minutes)


def releases(policy: Policy, ticket: Ticket, team: Team, now: datetime) -> bool:
    """Whether the job goes back to the pool instead of climbing the chain: a claimed job
    nobody started by its arrive deadline, where the site asks for that (on-call tools'
    auto-unacknowledge). Only a claim team's: a dispatched job stays with its dispatcher."""
    deadline = watched(ticket)
    return (
        policy.release_unstarted
        and team.dispatch is DispatchMode.CLAIM
        and deadline is not None
        and deadline[0] is Step.ARRIVE
        and deadline[1] <= now
    )


def reach(rung: Rung, ticket: Ticket) -> Reach | str:
    """Whom a step goes to, in the planner's terms: a member id for `member:<id>`. A job
    nobody holds is the team's to take, so its `assignee` step goes to the team's chat.
    `on_duty` is the service's to resolve against the rota: until then, the supervisors."""
    if rung.to.startswith("member:"):
        return rung.to.removeprefix("member:")
    if rung.to == Reach.ASSIGNEE and ticket.assignee_id is None:
        return Reach.TEAM
    if rung.to == "on_duty":
        return Reach.SUPERVISORS
    return Reach(rung.to)


def audience_words(rung: Rung, ticket: Ticket, directory: Directory) -> str:
    """Whom a step went to, as the timeline says it (李师傅, 班组长, 管理层)."""
    match reach(rung, ticket):
        case Reach.ASSIGNEE:
            return directory.name_of(ticket.assignee_id) or "接单人"
        case Reach.TEAM:
            return directory.teams[ticket.team_id].name
        case Reach.SUPERVISORS:
            return "班组长"
        case Reach.MANAGEMENT:
            return "管理层"
        case str(member) if rung.to.startswith("member:"):
            return directory.name_of(member) or member
    return "值班人员"


def overdue_text(step: Step, due: datetime, now: datetime, ticket: Ticket, who: str) -> str:
    """Why an escalation was sent, in the words its reader acts on."""
    late = f"已超时{duration(now - due)}" if now - due >= timedelta(minutes=1) else "已到时限"
    match step:
        case Step.ACCEPT:
            return f"接单{late}，仍无人接单"
        case Step.ARRIVE:
            return f"到场{late}，{who}还未开始维修"
    return f"完工{late}，{who}仍未完工"


def duration(span: timedelta, *, in_days: bool = True) -> str:
    """A span as people say it: 2小时5分钟, 3天2小时, 40分钟; `in_days=False` keeps to
    hours, for working time, where a day is not 24 hours."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60) if in_days else (0, minutes)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分钟" if minutes else f"{hours}小时"
    return f"{minutes}分钟"
