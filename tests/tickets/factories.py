"""Tickets in any state, built without a database."""

from dataclasses import replace
from datetime import UTC, datetime

from tickets.model import Reporter, Ticket
from tickets.states import Channel, Status, Urgency

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
