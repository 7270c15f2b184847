"""How a ticket's deadlines were reached, line by line, for `baoxiu sla explain`.

An administrator asked "why was this job due at 10:00 on Monday?" reads the promise the
ticket was held to and each change that set a deadline, in the order it happened. The lines
are worked out with the same functions the core used (`restarted`, `Policy.later`,
`Policy.stood`), under the policy in force now: if the promise was edited since, a line can
differ from the stored deadline, and the last lines say what the ticket actually holds.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tickets.deadlines import Counting, Policy, Step, restarted
from tickets.escalation import DEADLINE_WORDS, duration, watched
from tickets.events import Escalated, EventKind, Extended, Paused, Rescheduled
from tickets.model import Event, Ticket
from tickets.states import PauseKind, Status

CLOCKS = {Counting.ALWAYS: "全天计时", Counting.WORKING: "按工作时间计时"}
_DUE_STEPS = {"accept_due": Step.ACCEPT, "arrive_due": Step.ARRIVE, "complete_due": Step.COMPLETE}


def explain(policy: Policy, ticket: Ticket, events: Sequence[Event], tz: ZoneInfo) -> list[str]:
    target = policy.target(ticket.urgency, ticket.category)
    promise = "、".join(
        f"{DEADLINE_WORDS[step]} {_span(target.minutes[step], target.clock)}" for step in Step
    )
    own = "（本类别另有约定）" if ticket.category in policy.categories else ""
    lines = [
        f"{ticket.number}：{ticket.urgency.label}，{ticket.category}{own}，"
        f"{CLOCKS[target.clock]}；时限：{promise}"
    ]
    stopped: datetime | None = None
    appointment = _reported_appointment(ticket, events)
    for event in events:
        when = _local(event.at, tz)
        moved = event.from_status is not event.to_status or event.from_status is None
        resumed = event.from_status is Status.PAUSED and event.to_status is Status.IN_PROGRESS
        if (moved or event.kind is EventKind.TRANSFER) and not resumed:
            set_now = restarted(
                policy, ticket.urgency, ticket.category, event.to_status, event.at, appointment
            )
            for name, due in set_now.items():
                if due is None:
                    continue
                step = _DUE_STEPS[name]
                if step is Step.ARRIVE and due == appointment:
                    rule = f"{DEADLINE_WORDS[step]}按业主约定的上门时间"
                else:
                    rule = f"{DEADLINE_WORDS[step]}时限 {_span(target.minutes[step], target.clock)}"
                lines.append(f"{when} {event.kind.label}：{rule}，截止 {_local(due, tz)}")
        match event.details:
            case Rescheduled(at=at):
                appointment = datetime.fromisoformat(at)
                if event.to_status is Status.ASSIGNED:  # the agreed visit is the deadline
                    lines.append(
                        f"{when} {event.actor_name}改约上门时间：{DEADLINE_WORDS[Step.ARRIVE]}截止"
                        f"改为 {_local(appointment, tz)}"
                    )
            case Paused(kind=kind) if kind and PauseKind(kind).stops_clock:
                stopped = event.at
                lines.append(f"{when} 暂停（{PauseKind(kind).label}）：时钟停止")
            case Paused():
                lines.append(f"{when} 暂停（其他原因）：时钟照走")
            case Extended(deadline=which, minutes=extra, due=until):
                later = _span(extra, target.clock)
                lines.append(
                    f"{when} {event.actor_name}延期 {later}：{DEADLINE_WORDS[Step(which)]}截止改为 "
                    f"{_local(datetime.fromisoformat(until), tz)}，提醒从第 1 级重新开始"
                )
            case Escalated(step=level, to_name=to_name, deadline=which):
                words = DEADLINE_WORDS[Step(which)]
                lines.append(f"{when} {words}超时，第 {level} 级提醒：{to_name}")
        if resumed and stopped is not None:
            stood = _span(policy.stood(target, stopped, event.at), target.clock)
            lines.append(f"{when} 继续：时钟停了 {stood}，完工截止顺延 {stood}")
            stopped = None
    running = watched(ticket)
    if running is not None:
        lines.append(f"现在计时：{DEADLINE_WORDS[running[0]]}截止 {_local(running[1], tz)}")
    elif ticket.clock_stopped_at is not None:
        lines.append(f"现在：时钟停止（自 {_local(ticket.clock_stopped_at, tz)}）")
    if ticket.escalate_at is not None:
        rung = ticket.escalation_chain[ticket.escalation_step]
        lines.append(
            f"下一级提醒：第 {ticket.escalation_step + 1} 级，{_local(ticket.escalate_at, tz)}"
            f"（{rung.to}）"
        )
    return lines


def _reported_appointment(ticket: Ticket, events: Sequence[Event]) -> datetime | None:
    """The visit the resident asked for when reporting: the one the first 改约 replaced, or
    the ticket's own when it was never moved. Each change is explained with the appointment
    it was made under, as the core counted it."""
    for event in events:
        if isinstance(event.details, Rescheduled):
            before = event.details.before
            return datetime.fromisoformat(before) if before else None
    return ticket.appointment_at


def _span(minutes: int, clock: Counting) -> str:
    """Minutes of a clock: working time in hours (工作时间 24小时), not in days."""
    if clock is Counting.WORKING:
        return f"工作时间 {duration(timedelta(minutes=minutes), in_days=False)}"
    return duration(timedelta(minutes=minutes))


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
