"""Duplicate reports on real databases: marked when they open, merged only by a person."""

import pytest

from tests.clock import FakeClock as Clock
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.errors import Forbidden, IllegalTransition, InvalidInput
from tickets.events import EventKind
from tickets.model import Actor
from tickets.service import TicketService
from tickets.states import Source, Status

BURST = [
    ("3栋2单元501", "水电", "卫生间水管爆了，水流得到处都是"),
    ("3号楼2单元401", "水电", "楼上漏水，天花板一直在滴水"),
    ("3栋2单元601室", "水电", "家里进水了，好像是楼上水管爆裂"),
    ("三栋二单元502", "水电", "隔壁水管破裂，漏水到我家墙上"),
    ("3栋2单元 楼道", "公共设施", "楼道里全是水，像是水管爆裂了"),
]
CHEN = Actor.member("chen")  # 班组长 of every team


async def test_five_neighbours_reporting_one_burst_pipe_repeat_the_first(
    service: TicketService, clock: Clock
) -> None:
    opened = []
    for location, category, description in BURST:
        report = draft(category, description, location=location)
        opened.append((await service.open(report, AGENT, Source.API)).ticket)
        clock.advance(minutes=12)
    first = opened[0]
    assert [t.possible_duplicate_of for t in opened] == [None] + [first.number] * 4
    assert [t.place for t in opened[:3]] == ["3栋2单元501", "3栋2单元401", "3栋2单元601"]
    assert {t.building for t in opened} == {"3栋"}
    stored = await service.history(opened[1].number)
    assert stored.ticket.possible_duplicate_of == first.number


async def test_unrelated_faults_in_one_building_and_old_reports_are_not_duplicates(
    service: TicketService, clock: Clock
) -> None:
    lift = await service.open(
        draft("电梯", "电梯不动了，按钮没反应", location="3栋电梯"), AGENT, Source.API
    )
    tap = await service.open(
        draft("水电", "厨房水龙头一直滴水", location="3栋2单元501"), AGENT, Source.API
    )
    assert (lift.ticket.possible_duplicate_of, tap.ticket.possible_duplicate_of) == (None, None)
    clock.advance(hours=25)  # [duplicates] window_hours = 24
    again = await service.open(draft(location="3栋2单元501"), AGENT, Source.API)
    assert again.ticket.possible_duplicate_of is None


async def _pair(service: TicketService) -> tuple[str, str]:
    first = await service.open(draft(description="水管爆了"), AGENT, Source.API)
    second = await service.open(
        draft(location="3栋2单元401", description="楼上漏水"), AGENT, Source.API
    )
    assert second.ticket.possible_duplicate_of == first.ticket.number
    return first.ticket.number, second.ticket.number


async def test_merging_closes_the_duplicate_and_both_timelines_say_so(
    service: TicketService,
) -> None:
    first, second = await _pair(service)
    outcome = await service.act(second, Command(Verb.MERGE, AGENT), Source.API)
    merged = outcome.ticket
    assert (merged.status, merged.merged_into) == (Status.CANCELLED, first)
    assert merged.cancel_reason == f"与 {first} 重复，已合并"
    duplicate = (await service.history(second)).events[-1]
    assert (duplicate.kind, duplicate.actor_name) == (EventKind.MERGED, "林客服")
    survivor = await service.history(first)
    assert survivor.ticket.status is Status.NEW
    last = survivor.events[-1]
    assert (last.kind, last.actor_id) == (EventKind.MERGED_IN, "lin")
    assert getattr(last.details, "duplicate", None) == second


async def test_merge_is_for_the_desk_and_only_before_the_work_starts(
    service: TicketService,
) -> None:
    first, second = await _pair(service)
    with pytest.raises(Forbidden):
        await service.act(second, Command(Verb.MERGE, Actor.member("wang")), Source.API)
    await service.act(second, Command(Verb.CLAIM, Actor.member("wang")), Source.API)
    await service.act(second, Command(Verb.START, Actor.member("wang")), Source.API)
    with pytest.raises(IllegalTransition):
        await service.act(second, Command(Verb.MERGE, CHEN), Source.API)
    with pytest.raises(InvalidInput, match="不能合并到它自己"):
        await service.act(first, Command(Verb.MERGE, CHEN, into=first), Source.API)
    with pytest.raises(InvalidInput, match="请填写合并到哪张工单"):
        await service.act(first, Command(Verb.MERGE, CHEN), Source.API)
    with pytest.raises(InvalidInput, match="没有这张工单"):
        await service.act(first, Command(Verb.MERGE, CHEN, into="BX20200101-0001"), Source.API)
    assert (await service.history(first)).ticket.status is Status.NEW  # nothing half-written


async def test_a_ticket_merged_away_takes_no_more_merges(service: TicketService) -> None:
    first, second = await _pair(service)
    third = (await service.open(draft(description="漏水"), AGENT, Source.API)).ticket.number
    await service.act(second, Command(Verb.MERGE, CHEN), Source.API)
    with pytest.raises(InvalidInput, match=f"已合并到{first}"):
        await service.act(third, Command(Verb.MERGE, CHEN, into=second), Source.API)
