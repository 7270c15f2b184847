"""Duplicates and hot spots at the edges: the API's merge and hot spots (checked against the
OpenAPI document), and the merged reporter's status page."""

from tests.reports import AGENT, draft
from tests.web.conftest import Api
from tests.web.test_resident import Site, site
from tickets.actions import Command, Verb
from tickets.model import Actor, Reporter
from tickets.states import Source

__all__ = ["site"]  # the fixture


async def test_a_duplicate_is_marked_and_merged_through_the_api(api: Api) -> None:
    first = await api.create()
    second = await api.create(location="3号楼2单元401", description="楼上漏水")
    assert (second["place"], second["possible_duplicate_of"]) == ("3栋2单元401", first["number"])
    status, refused = await api.act(second["number"], "merge", "wang")
    assert status == 403, refused
    status, merged = await api.act(second["number"], "merge", "chen")
    assert status == 200, merged
    assert (merged["status"], merged["merged_into"]) == ("cancelled", first["number"])
    status, survivor = await api.call("GET", f"/api/v1/tickets/{first['number']}")
    assert survivor["events"][-1]["kind"] == "merged_in"
    assert survivor["events"][-1]["text"] == f"陈班长合并了 {second['number']}（重复报修）"


async def test_hot_spots_through_the_api(api: Api) -> None:
    numbers = []
    for _ in range(3):  # each one fixed and closed before the next: none is a duplicate
        numbers.append((await api.create())["number"])
        for action, actor, extra in [
            ("claim", "li", {}),
            ("start", "li", {}),
            ("complete", "li", {"findings": "三通开裂"}),
            ("close", "chen", {"reason": "业主电话确认"}),
        ]:
            status, answer = await api.act(numbers[-1], action, actor, **extra)
            assert status == 200, answer
    status, found = await api.call("GET", "/api/v1/stats/hotspots?days=7")
    assert status == 200, found
    assert (found["days"], found["min_count"]) == (7, 3)
    [spot] = found["items"]
    assert (spot["place"], spot["building"], spot["category"], spot["count"]) == (
        "3栋2单元501",
        "3栋",
        "水电",
        3,
    )
    assert spot["numbers"] == list(reversed(numbers))
    status, refused = await api.call("GET", "/api/v1/stats/hotspots?days=0")
    assert status == 422, refused


async def test_the_merged_reporters_page_follows_the_surviving_ticket(site: Site) -> None:
    service = site.service
    first = (await service.open(draft(description="水管爆了"), AGENT, Source.API)).ticket
    neighbour = draft(
        location="3栋2单元401", description="楼上漏水", reporter=Reporter("李四", "13900139000")
    )
    second = (await service.open(neighbour, AGENT, Source.API)).ticket
    await service.act(first.number, Command(Verb.CLAIM, Actor.member("li")), Source.API)
    await service.act(second.number, Command(Verb.MERGE, AGENT), Source.API)
    response, page = await site.page(f"/r/t/{second.public_token}")
    assert response.status == 200
    assert f"您的报修（{second.number}）与 {first.number} 是同一问题，已合并处理" in page
    assert "师傅已接单" in page  # the surviving ticket's headline
    assert "李师傅" in page
    assert "李四" in page and "张三" not in page  # the resident's own report, not the other's
    assert first.public_token not in page
    assert "/hurry" not in page and "/confirm" not in page


async def test_a_page_follows_a_surviving_ticket_merged_in_turn(site: Site) -> None:
    service = site.service
    first = (await service.open(draft(description="水管爆了"), AGENT, Source.API)).ticket
    second = (await service.open(draft(location="3栋2单元401"), AGENT, Source.API)).ticket
    third = (await service.open(draft(location="8栋1单元101"), AGENT, Source.API)).ticket
    await service.act(second.number, Command(Verb.MERGE, AGENT), Source.API)
    await service.act(first.number, Command(Verb.MERGE, AGENT, into=third.number), Source.API)
    followed = await service.followed((await service.history(second.number)).ticket)
    assert followed is not None and followed.ticket.number == third.number
    _, page = await site.page(f"/r/t/{second.public_token}")
    assert f"与 {third.number} 是同一问题" in page
