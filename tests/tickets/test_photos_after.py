"""Photos after the repair, added by the assignee on their own (补充完工照片)."""

import pytest

from tests.tickets.factories import ctx, make_ticket
from tickets.actions import Command, Verb
from tickets.errors import Forbidden, IllegalTransition, InvalidInput
from tickets.events import EventKind, PhotosAdded
from tickets.machine import decide
from tickets.model import MAX_PHOTOS, Actor
from tickets.people import Directory
from tickets.states import Status

V, S = Verb, Status


def add(*photos: str, by: str = "li") -> Command:
    return Command(V.ADD_PHOTOS, Actor.member(by), photos=photos)


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.PAUSED, S.COMPLETED])
def test_the_assignee_adds_photos_to_those_the_job_has(
    directory: Directory, status: Status
) -> None:
    ticket = make_ticket(status, photos_after=("a.jpg",))
    added = decide(ticket, add("b.jpg", "c.jpg"), ctx(directory))
    assert added.ticket.photos_after == ("a.jpg", "b.jpg", "c.jpg")
    assert added.ticket.status is status
    event = added.event
    assert (event.kind, event.details, event.actor_name) == (
        EventKind.PHOTOS_ADDED,
        PhotosAdded(count=2),
        "李师傅",
    )


@pytest.mark.parametrize("status", [S.NEW, S.ASSIGNED, S.CONFIRMED, S.CLOSED, S.CANCELLED])
def test_not_before_the_work_starts_nor_once_the_resident_confirmed(
    directory: Directory, status: Status
) -> None:
    with pytest.raises(IllegalTransition, match="不能补充完工照片"):
        decide(make_ticket(status), add("b.jpg"), ctx(directory))


@pytest.mark.parametrize("member", ["wang", "chen", "lin", "admin"])
def test_only_the_assignee_may(directory: Directory, member: str) -> None:
    with pytest.raises(Forbidden) as refused:
        decide(make_ticket(S.COMPLETED), add("b.jpg", by=member), ctx(directory))
    name = directory.members[member].name
    assert refused.value.message.startswith(
        f"{name}不能补充完工照片：只有接单人（李师傅）可以补充完工照片"
    )


def test_past_the_cap_none_is_taken_and_the_refusal_says_how_many_fit(
    directory: Directory,
) -> None:
    held = tuple(f"{i}.jpg" for i in range(MAX_PHOTOS - 1))
    ticket = make_ticket(S.COMPLETED, photos_after=held)
    with pytest.raises(InvalidInput) as refused:
        decide(ticket, add("x.jpg", "y.jpg"), ctx(directory))
    assert refused.value.message == (
        f"完工照片每单最多 {MAX_PHOTOS} 张：工单BX20261128-0001已有 {MAX_PHOTOS - 1} 张，"
        "这次 2 张，最多还能添加 1 张"
    )
    full = decide(ticket, add("x.jpg"), ctx(directory)).ticket
    assert len(full.photos_after) == MAX_PHOTOS
    with pytest.raises(InvalidInput, match=f"已有 {MAX_PHOTOS} 张完工照片.*不能再添加"):
        decide(full, add("z.jpg"), ctx(directory))
    with pytest.raises(InvalidInput, match="请附上完工照片"):
        decide(make_ticket(S.IN_PROGRESS), add(), ctx(directory))


def test_completing_keeps_photos_added_while_the_job_was_worked(directory: Directory) -> None:
    worked = decide(make_ticket(S.IN_PROGRESS), add("a.jpg"), ctx(directory)).ticket
    command = Command(V.COMPLETE, Actor.member("li"), findings="阀芯磨损", photos=("b.jpg",))
    done = decide(worked, command, ctx(directory)).ticket
    assert done.photos_after == ("a.jpg", "b.jpg")
    too_many = Command(
        V.COMPLETE, Actor.member("li"), findings="阀芯磨损", photos=("b", "c", "d", "e")
    )
    with pytest.raises(InvalidInput, match="最多还能添加 3 张"):
        decide(worked, too_many, ctx(directory))
