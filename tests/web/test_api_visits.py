"""The return visit (回访) through the API: the agent records the outcome with `visit`; a
recurred problem answers with the new ticket, which names the one it follows up."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from baoxiu.config import Settings, VisitConfig
from integration.web.api import SERVICE
from tests.web.conftest import Api, ApiFor
from tickets.visits import VisitWhen


@pytest.fixture
async def api(api_for: ApiFor, demo_settings: Settings) -> AsyncIterator[Api]:
    """The demo site, where a closed 水电 job's visit is due at once."""
    at_once = [VisitConfig(category="水电", policy=VisitWhen.ALWAYS, after_days=0)]
    async with api_for(demo_settings.model_copy(update={"visits": at_once})) as api:
        yield api


async def visited(api: Api) -> str:
    """A 水电 job done, closed, and its visit put on the agents' chat."""
    number = str((await api.create())["number"])
    for action, actor, extra in (
        ("claim", "li", {}),
        ("start", "li", {}),
        ("complete", "li", {"findings": "阀芯磨损"}),
        ("close", "lin", {"reason": "业主电话确认"}),
    ):
        status, answer = await api.act(number, action, actor, **extra)
        assert status == 200, answer
    app: web.Application | None = api.client.app
    assert app is not None
    assert await app[SERVICE].send_visit(number) is not None
    return number


async def ticket(api: Api, number: str) -> dict[str, Any]:
    status, found = await api.call("GET", f"/api/v1/tickets/{number}")
    assert status == 200
    return dict(found)


async def test_a_recurred_problem_answers_with_its_new_ticket(api: Api) -> None:
    number = await visited(api)
    assert (await ticket(api, number))["visit"] == {
        "due_at": None,
        "attempts": 1,
        "outcome": None,
    }
    status, answer = await api.act(number, "visit", "lin", outcome="recurred", note="又滴水了")
    assert status == 200, answer
    assert answer["visit"]["outcome"] == "recurred" and answer["follow_up"]
    opened = await ticket(api, answer["follow_up"])
    assert (opened["status"], opened["parent_number"], opened["location"]) == (
        "new",
        number,
        "3栋2单元501",
    )
    visited_event = (await ticket(api, number))["events"][-1]
    assert visited_event["text"] == "林客服回访：问题复发（又滴水了）"


@pytest.mark.parametrize(
    ("extra", "status", "message"),
    [
        ({"outcome": "maybe"}, 422, "回访结果只能是 resolved、recurred、unreachable"),
        ({}, 422, "请选择回访结果：已解决、问题复发或联系不上"),
    ],
)
async def test_a_bad_outcome_is_named_and_changes_nothing(
    api: Api, extra: dict[str, Any], status: int, message: str
) -> None:
    number = await visited(api)
    got, answer = await api.act(number, "visit", "lin", **extra)
    assert got == status, answer
    assert message in str(answer)
    assert (await ticket(api, number))["visit"]["outcome"] is None
