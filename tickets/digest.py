"""A team's daily digest (今日待办): its open jobs, the most overdue first.

A team that asks for one (`[[teams]] digest = "08:00"`) gets it in its group each morning:
what nobody must forget today, in the order it hurts. A job is late by how long ago the
deadline it works towards passed (tickets/escalation.py `watched`); the late come first, the
longest late at the top, then the rest by how soon they are due, then those with no
deadline, oldest first. The resident's name and phone never appear: the group reads it.
"""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from tickets.escalation import DEADLINE_WORDS, duration, watched
from tickets.messages import Report, Section
from tickets.model import Ticket
from tickets.people import Directory
from tickets.states import UNFINISHED, Status

SHOWN = 20
"""Jobs listed one by one; the rest are counted."""


def _order(ticket: Ticket, now: datetime) -> tuple[int, float]:
    w = watched(ticket)
    if w is None:
        return (2, ticket.created_at.timestamp())
    late = (now - w[1]).total_seconds()
    return (0, -late) if late > 0 else (1, -late)


def _line(ticket: Ticket, directory: Directory, now: datetime, tz: ZoneInfo) -> str:
    who = directory.name_of(ticket.assignee_id)
    where = f"{ticket.number} {ticket.category}·{ticket.location}"
    line = f"{where} {who} {ticket.status.label}" if who else f"{where} {ticket.status.label}"
    w = watched(ticket)
    if w is None:
        return line
    step, due = w
    if due < now:
        return f"{line}，{DEADLINE_WORDS[step]}已超时{duration(now - due)}"
    return f"{line}，{DEADLINE_WORDS[step]}截止 {due.astimezone(tz):%m-%d %H:%M}"


def digest(
    team_name: str, tickets: Sequence[Ticket], directory: Directory, now: datetime, tz: ZoneInfo
) -> Report | None:
    """The digest of the team's `tickets` (its open ones are read); None when it has none."""
    jobs = sorted((t for t in tickets if t.status in UNFINISHED), key=lambda t: _order(t, now))
    if not jobs:
        return None
    late = sum(1 for t in jobs if _order(t, now)[0] == 0)
    waiting = sum(1 for t in jobs if t.status is Status.NEW)
    lines = tuple(_line(t, directory, now, tz) for t in jobs[:SHOWN])
    if len(jobs) > SHOWN:
        lines += (f"另有 {len(jobs) - SHOWN} 单未列出，请在工单列表中查看",)
    local = now.astimezone(tz)
    return Report(
        title=f"{team_name}今日待办",
        period=f"{local.month}月{local.day}日 {local:%H:%M}",
        figures=(
            ("未完成", f"{len(jobs)} 单"),
            ("已超时", f"{late} 单"),
            ("待接单", f"{waiting} 单"),
        ),
        sections=(Section("超时的排在最前", lines),),
    )
