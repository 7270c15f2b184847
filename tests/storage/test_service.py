"""The ticket service on real databases: numbering, the life cycle, races, rollbacks, search."""

import asyncio
import itertools
from datetime import timedelta

import pytest

from baoxiu.config import Settings
from tests.clock import FakeClock as Clock
from tests.reports import AGENT, crew, draft
from tests.storage.conftest import ServiceFor
from tickets.actions import Command, Verb
from tickets.errors import AlreadyTaken, CapacityReached, Forbidden, InvalidInput, NotFound
from tickets.events import Assigned, Paused
from tickets.model import RESIDENT, Actor
from tickets.ports import TicketQuery
from tickets.rating import Agreement, Rating
from tickets.service import Outcome, TicketService
from tickets.states import Source, Status, Urgency

LI = Actor.member("li")


async def test_numbers_follow_the_local_day(service: TicketService, clock: Clock) -> None:
    numbers = [(await service.open(draft(), AGENT, Source.API)).ticket.number for _ in range(3)]
    assert numbers == ["BX20261128-0001", "BX20261128-0002", "BX20261128-0003"]
    clock.advance(hours=14)  # 00:00 on the 29th in Shanghai, still the 28th in UTC
    assert (await service.open(draft(), AGENT, Source.API)).ticket.number == "BX20261129-0001"


async def test_concurrent_creation_gives_unique_numbers(service: TicketService) -> None:
    opened = await asyncio.gather(*(service.open(draft(), AGENT, Source.API) for _ in range(40)))
    numbers = sorted(o.ticket.number for o in opened)
    assert numbers == [f"BX20261128-{n:04d}" for n in range(1, 41)]


async def test_open_routes_and_suggests_urgency(service: TicketService) -> None:
    ticket = (await service.open(draft("燃气", "厨房燃气味很重"), AGENT, Source.API)).ticket
    assert (ticket.team_id, ticket.urgency, ticket.urgency_suggested) == (
        "shuidian",
        Urgency.EMERGENCY,
        True,
    )
    given = (
        await service.open(draft(urgency=Urgency.NORMAL, description="漏水"), AGENT, Source.API)
    ).ticket
    assert (given.urgency, given.urgency_suggested) == (Urgency.NORMAL, False)
    history = await service.history(ticket.number)
    assert [(e.kind, e.actor_id, e.source) for e in history.events] == [("create", "lin", "api")]


ON_BEHALF = Command(Verb.CONFIRM, Actor.member("lin"), on_behalf=True, agreed=Agreement.PHONE)


async def test_whole_life_cycle_is_on_the_timeline(service: TicketService, clock: Clock) -> None:
    number = (await service.open(draft(), AGENT, Source.API)).ticket.number
    steps = [
        (Command(Verb.CLAIM, Actor.member("li")), Source.FEISHU, Status.ASSIGNED),
        (Command(Verb.START, Actor.member("li")), Source.API, Status.IN_PROGRESS),
        (Command(Verb.PAUSE, Actor.member("li"), reason="等配件"), Source.CLI, Status.PAUSED),
        (Command(Verb.RESUME, Actor.member("li")), Source.API, Status.IN_PROGRESS),
        (
            Command(Verb.COMPLETE, LI, findings="阀芯坏", note="换了阀芯"),
            Source.API,
            Status.COMPLETED,
        ),
        (Command(Verb.REOPEN, Actor.member("lin"), reason="还在滴"), Source.API, Status.ASSIGNED),
        (Command(Verb.START, Actor.member("li")), Source.API, Status.IN_PROGRESS),
        (Command(Verb.COMPLETE, LI, findings="阀芯坏"), Source.API, Status.COMPLETED),
        (ON_BEHALF, Source.API, Status.CONFIRMED),
        (Command(Verb.CLOSE, Actor.member("chen")), Source.API, Status.CLOSED),
    ]
    for command, source, status in steps:
        clock.advance(minutes=10)
        ticket = (await service.act(number, command, source)).ticket
        assert ticket.status is status
    history = await service.history(number)
    assert history.ticket == ticket
    assert history.ticket.rework_count == 1 and history.ticket.version == len(steps) + 1
    assert [(e.kind, e.actor_id, e.source, e.to_status) for e in history.events[1:]] == [
        (c.verb.kind, c.actor.member_id, s, st) for c, s, st in steps
    ]
    assert history.events[3].details == Paused("等配件", "other")
    assert [e.at for e in history.events] == sorted(e.at for e in history.events)
    assert all(e.at.tzinfo is not None for e in history.events)


async def test_fifty_simultaneous_claims_have_one_winner(
    service_for: ServiceFor, demo_settings: Settings
) -> None:
    async with service_for(crew(demo_settings, 50)) as service:
        number = (await service.open(draft(), AGENT, Source.API)).ticket.number
        results = await asyncio.gather(
            *(
                service.act(number, Command(Verb.CLAIM, Actor.member(f"t{i}")), Source.API)
                for i in range(50)
            ),
            return_exceptions=True,
        )
        winners = [r.ticket for r in results if isinstance(r, Outcome)]
        losers = [r for r in results if isinstance(r, AlreadyTaken)]
        assert len(winners) == 1 and len(losers) == 49, results
        winner = service.directory.members[winners[0].assignee_id or ""].name
        assert {loser.message for loser in losers} == {f"手慢了，这单已被{winner}接走"}
        history = await service.history(number)
        assert [e.kind for e in history.events] == ["create", "claim"]
        assert history.ticket.version == 2


async def test_racing_comments_all_land(service: TicketService) -> None:
    """Comments only grow the timeline: they neither conflict nor make cards stale."""
    number = (await service.open(draft(), AGENT, Source.API)).ticket.number
    await asyncio.gather(
        *(
            service.act(
                number, Command(Verb.COMMENT, Actor.member("lin"), note=f"第{i}条"), Source.API
            )
            for i in range(12)
        )
    )
    history = await service.history(number)
    assert history.ticket.version == 1
    assert sorted(str(getattr(e.details, "note", "")) for e in history.events[1:]) == sorted(
        f"第{i}条" for i in range(12)
    )


async def test_round_robin_team_assigns_on_creation(service: TicketService) -> None:
    lift = [
        (await service.open(draft("电梯", "电梯门关不上"), AGENT, Source.API)).ticket
        for _ in range(7)
    ]
    assignees = [t.assignee_id for t in lift]
    assert assignees[:6].count("liu") == 3 and assignees[:6].count("sun") == 3
    assert assignees[0] != assignees[1]
    assert lift[6].status is Status.NEW and lift[6].assignee_id is None  # both at the cap of 3
    history = await service.history(lift[0].number)
    auto = history.events[1]
    assert (auto.kind, auto.actor_id, auto.actor_name) == ("auto_assigned", None, "系统")
    assert isinstance(auto.details, Assigned) and auto.details.to == lift[0].assignee_id


async def test_claim_cap_counts_open_jobs(service: TicketService) -> None:
    numbers = [(await service.open(draft(), AGENT, Source.API)).ticket.number for _ in range(6)]
    for number in numbers[:5]:
        await service.act(number, Command(Verb.CLAIM, Actor.member("li")), Source.API)
    with pytest.raises(InvalidInput.__mro__[1]) as capped:  # IllegalTransition family
        await service.act(numbers[5], Command(Verb.CLAIM, Actor.member("li")), Source.API)
    assert "5 单" in capped.value.args[0]
    await service.act(numbers[0], Command(Verb.START, Actor.member("li")), Source.API)
    await service.act(numbers[0], Command(Verb.COMPLETE, LI, findings="漏水"), Source.API)
    assert (
        await service.act(numbers[5], Command(Verb.CLAIM, Actor.member("li")), Source.API)
    ).ticket.assignee_id


async def test_refused_input_stores_nothing(service: TicketService) -> None:
    with pytest.raises(InvalidInput):
        await service.open(draft("飞机"), AGENT, Source.API)
    assert (await service.search(TicketQuery())).items == []
    number = (await service.open(draft(), AGENT, Source.API)).ticket.number
    assert number.endswith("-0001")
    await service.act(number, Command(Verb.CLAIM, Actor.member("li")), Source.API)
    await service.act(number, Command(Verb.START, Actor.member("li")), Source.API)
    with pytest.raises(InvalidInput):
        await service.act(number, Command(Verb.PAUSE, Actor.member("li")), Source.API)
    history = await service.history(number)
    assert history.ticket.status is Status.IN_PROGRESS and history.ticket.version == 3
    assert len(history.events) == 3
    with pytest.raises(NotFound):
        await service.act("BX20990101-0001", Command(Verb.CLAIM, Actor.member("li")), Source.API)


async def test_search_filters_and_pages(service: TicketService, clock: Clock) -> None:
    made = []
    for i in range(7):
        clock.advance(hours=1)
        made.append(
            (await service.open(draft("门窗" if i % 2 else "水电"), AGENT, Source.API)).ticket
        )
    await service.act(made[0].number, Command(Verb.CLAIM, Actor.member("wang")), Source.API)
    pages, cursor = [], None
    while True:
        page = await service.search(TicketQuery(limit=3, after_id=cursor))
        pages.append([t.number for t in page.items])
        cursor = page.next_after_id
        if cursor is None:
            break
    assert [len(p) for p in pages] == [3, 3, 1]
    assert list(itertools.chain(*pages)) == [t.number for t in reversed(made)]
    by_team = await service.search(TicketQuery(team_id="tujian"))
    assert {t.number for t in by_team.items} == {made[i].number for i in (1, 3, 5)}
    mine = await service.search(TicketQuery(assignee_id="wang"))
    assert [t.number for t in mine.items] == [made[0].number]
    waiting = await service.search(TicketQuery(statuses=frozenset({Status.NEW})))
    assert len(waiting.items) == 6
    window = await service.search(
        TicketQuery(created_from=made[2].created_at, created_to=made[4].created_at)
    )
    assert [t.number for t in window.items] == [made[3].number, made[2].number]
    assert made[2].created_at + timedelta(hours=1) == made[3].created_at


async def test_simultaneous_claims_of_different_tickets_stop_at_the_cap(
    service_for: ServiceFor, demo_settings: Settings
) -> None:
    """Each claim alone sees room under the cap; counted one after another, only 3 fit."""
    teams = [t.model_copy(update={"max_open_per_technician": 3}) for t in demo_settings.teams]
    async with service_for(demo_settings.model_copy(update={"teams": teams})) as service:
        numbers = [
            (await service.open(draft(), AGENT, Source.API)).ticket.number for _ in range(20)
        ]
        claim = Command(Verb.CLAIM, Actor.member("li"))
        results = await asyncio.gather(
            *(service.act(number, claim, Source.API) for number in numbers),
            return_exceptions=True,
        )
        won = [r for r in results if isinstance(r, Outcome)]
        refused = [r for r in results if isinstance(r, CapacityReached)]
        assert (len(won), len(refused)) == (3, 17), results
        held = await service.search(TicketQuery(assignee_id="li"))
        assert len(held.items) == 3


async def test_a_claim_and_a_transfer_to_one_technician_stop_at_the_cap(
    service_for: ServiceFor, demo_settings: Settings
) -> None:
    teams = [t.model_copy(update={"max_open_per_technician": 1}) for t in demo_settings.teams]
    async with service_for(demo_settings.model_copy(update={"teams": teams})) as service:
        first, second = [
            (await service.open(draft(), AGENT, Source.API)).ticket.number for _ in range(2)
        ]
        claim = Command(Verb.CLAIM, Actor.member("li"))
        transfer = Command(Verb.TRANSFER, Actor.member("wang"), to="li")
        await service.act(second, Command(Verb.CLAIM, Actor.member("wang")), Source.API)
        results = await asyncio.gather(
            service.act(first, claim, Source.API),
            service.act(second, transfer, Source.API),  # a peer's transfer respects the cap
            return_exceptions=True,
        )
        assert sum(isinstance(r, Outcome) for r in results) == 1, results
        assert sum(isinstance(r, CapacityReached) for r in results) == 1, results


async def test_the_resident_confirms_through_their_link_and_only_there(
    service: TicketService,
) -> None:
    number = (await service.open(draft(), AGENT, Source.API)).ticket.number
    for verb in (Verb.CLAIM, Verb.START, Verb.COMPLETE):
        await service.act(number, Command(verb, LI, findings="阀芯坏"), Source.API)
    confirm = Command(Verb.CONFIRM, RESIDENT, signature="s.png", rating=Rating(5, 5, 5))
    with pytest.raises(Forbidden, match="报修链接"):
        await service.act(number, confirm, Source.WEB)
    with pytest.raises(NotFound):
        await service.act_as_resident("not-the-token", confirm, Source.WEB)
    token = (await service.history(number)).ticket.public_token
    done = await service.act_as_resident(token, confirm, Source.WEB)
    assert done.ticket.status is Status.CONFIRMED
    assert done.event is not None and (done.event.actor_id, done.event.actor_name) == (None, "业主")
    with pytest.raises(NotFound):  # a member's command cannot ride on the resident's link
        await service.act_as_resident(token, Command(Verb.CLOSE, Actor.member("lin")), Source.WEB)
