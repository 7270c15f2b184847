"""What the resident's page promises next: the ticket's due time for the step it waits on."""

from zoneinfo import ZoneInfo

from integration.web.timeline import promise
from tests.tickets.factories import make_ticket
from tickets.states import Status

BEIJING = ZoneInfo("Asia/Shanghai")


def test_the_promise_follows_the_step_the_ticket_waits_on() -> None:
    at = make_ticket().created_at  # 10:00 in Beijing
    assert promise(make_ticket(accept_due=at), BEIJING) == "预计 11月28日 10:00 前安排好师傅"
    waiting = make_ticket(Status.ASSIGNED, arrive_due=at)
    assert promise(waiting, BEIJING) == "师傅预计 11月28日 10:00 前上门"
    assert promise(make_ticket(Status.IN_PROGRESS, complete_due=at), BEIJING) == (
        "预计 11月28日 10:00 前修好"
    )
    assert promise(make_ticket(Status.COMPLETED, complete_due=at), BEIJING) is None
    assert promise(make_ticket(), BEIJING) is None  # no SLA, no promise
