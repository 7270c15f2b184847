"""The forms that pick something other than a person reach the core from Feishu: a pause's
kind on the job's card, an extension's length on an escalation's, a return visit's outcome on
the agents' chat."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from baoxiu.config import ChatBinding, VisitConfig
from integration.web.api import SERVICE
from tests.fakes.feishu import FakeFeishu
from tests.feishu.company import DISPATCH, TUJIAN, Company, settings_for, tenant
from tests.office import technician
from tests.waiting import eventually
from tickets.actions import Command, Verb
from tickets.messages import Escalation
from tickets.model import Actor
from tickets.recipients import Reach
from tickets.states import Source
from tickets.visits import VisitWhen


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            yield from _nodes(child)


def options(card: dict[str, Any], name: str) -> list[str]:
    """The values the card's select `name` offers (nothing when it has no such select)."""
    for node in _nodes(card):
        if node.get("tag") == "select_static" and node.get("name") == name:
            return [str(o["value"]) for o in node["options"]]
    return []


async def test_a_pause_says_whose_it_is(company: Company) -> None:
    number = await company.report(category="门窗", description="单元门闭门器坏了")
    await company.card_in(TUJIAN, number)
    await company.click("chen", number, Verb.DISPATCH, 1, form={"to": "zhang"}, chat=TUJIAN)
    await company.click("zhang", number, Verb.START, 2, chat=TUJIAN)
    card = await company.card_in(TUJIAN, number)
    assert options(card, "pause_pause_kind") == ["parts", "resident", "other"]
    form = {"pause_kind": "resident", "reason": "业主出差，周五回来"}
    answer = await company.click("zhang", number, Verb.PAUSE, 3, form=form, chat=TUJIAN)
    assert answer["toast"] == {"type": "success", "content": "已暂停，暂停期间不计入完工时限"}
    event = (await company.ticket(number))["events"][-1]
    assert event["details"] == {"reason": "业主出差，周五回来", "kind": "resident"}
    assert event["text"] == "因业主原因暂停维修（原因：业主出差，周五回来）"


async def test_an_escalation_is_answered_by_extending_the_job(company: Company) -> None:
    service = company.client.app[SERVICE]
    number = await company.report(category="门窗", description="单元门闭门器坏了")
    await company.card_in(DISPATCH, number)
    await service.send(Escalation("接单已超时30分钟，仍无人接单", 1), Reach.SUPERVISORS, number)
    await eventually(lambda: len(company.fake.messages(DISPATCH)) == 2)
    escalation = company.fake.messages(DISPATCH)[1]
    assert options(escalation.card, "extend_minutes") == ["30", "60", "120", "240", "1440"]
    assert "zhang" in options(escalation.card, "dispatch_to")

    clicked = {"chat": DISPATCH, "message_id": escalation.message_id}
    form = {"minutes": "60", "reason": "业主改约"}
    answer = await company.click("chen", number, Verb.EXTEND, 1, form=form, **clicked)
    assert answer["toast"] == {"type": "success", "content": "已延期，截止时间已更新"}
    event = (await company.ticket(number))["events"][-1]
    assert (event["kind"], event["actor_name"]) == ("extended", "陈班长")
    assert event["details"]["minutes"] == 60 and event["details"]["reason"] == "业主改约"


AGENTS = "oc_5ad11d72b830411d72b836c20a1b0007"


async def test_a_return_visit_is_recorded_with_its_outcome_picker(
    fake: FakeFeishu, db_url: str, tmp_path: Path
) -> None:
    base = settings_for(fake, db_url, tmp_path)
    chats = base.chats.model_copy(
        update={"agents": [ChatBinding(platform="feishu", chat_id=AGENTS)]}
    )
    at_once = [VisitConfig(category="水电", policy=VisitWhen.ALWAYS, after_days=0)]
    settings = base.model_copy(update={"chats": chats, "visits": at_once})
    tenant(fake, settings)
    async with TestClient(TestServer(create_app(settings))) as client:
        company = Company(fake, client, settings)
        service = client.app[SERVICE]
        number = await company.report()
        holder = Actor.member(technician(1))
        for command in (
            Command(Verb.CLAIM, holder),
            Command(Verb.START, holder),
            Command(Verb.COMPLETE, holder, findings="水管接头老化"),
            Command(Verb.CLOSE, Actor.member("lin"), reason="业主电话确认"),
        ):
            await service.act(number, command, Source.API)
        await service.send_visit(number)
        await eventually(lambda: len(fake.messages(AGENTS)) == 1)
        visit = fake.messages(AGENTS)[0]
        assert options(visit.card, "visit_outcome") == ["resolved", "recurred", "unreachable"]
        clicked = {"chat": AGENTS, "message_id": visit.message_id}
        form = {"outcome": "unreachable", "note": "电话无人接听"}
        version = (await service.history(number)).ticket.version
        answer = await company.click("lin", number, Verb.VISIT, version, form=form, **clicked)
        assert answer["toast"] == {
            "type": "success",
            "content": "已记录联系不上，明天再回访（已回访 1 次）",
        }
        ticket = (await service.history(number)).ticket
        assert (ticket.visit_outcome, ticket.visit_attempt) == (None, 1)
        assert ticket.visit_due_at is not None
