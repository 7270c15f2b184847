"""The sandbox chat over HTTP: cards arrive, clicks act through the router, races and stale
cards are explained, and the page streams changes."""

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import pytest
from aiohttp import StreamReader, web
from aiohttp.test_utils import TestClient, TestServer

from baoxiu.app import create_app
from baoxiu.config import DatabaseConfig, DeliveryConfig, Settings, VisitConfig
from integration.sandbox.web import STREAMS_PER_CLIENT, WATCH_S
from integration.web.api import SERVICE
from storage.engine import create_engine
from storage.outbox import DeliveryStore
from storage.sandbox import SandboxMessage, SandboxStore
from tests.clock import START
from tests.reports import AGENT, draft
from tickets.actions import Command, Verb
from tickets.audience import Audience, CardAddress
from tickets.events import EventKind, details_to_json
from tickets.messages import Escalation
from tickets.model import Actor
from tickets.recipients import Reach
from tickets.service import TicketService
from tickets.states import PauseKind, Source, Status
from tickets.visits import VisitWhen

T = TypeVar("T")


class Chat:
    def __init__(
        self, client: TestClient[Any, Any], store: SandboxStore, deliveries: DeliveryStore
    ) -> None:
        self.client = client
        self.store = store
        self.deliveries = deliveries

    @property
    def service(self) -> TicketService:
        app: web.Application | None = self.client.app
        assert app is not None
        return app[SERVICE]

    async def card(self, chat: str, number: str, revision: int = 1) -> SandboxMessage:
        """The chat's message for `number`, once the worker has delivered `revision`."""

        async def found() -> SandboxMessage | None:
            for message in await self.store.messages(chat):
                if number in message.html and message.revision >= revision:
                    return message
            return None

        return await eventually(found)

    async def click(
        self, chat: str, message: SandboxMessage, label: str, member: str, **form: str
    ) -> dict[str, Any]:
        value = button_value(message.html, label)
        body = {
            "message_id": message.id,
            "value": value,
            "form": form,
            "member": member,
            "click_id": uuid.uuid4().hex,
        }
        async with self.client.post(f"/sandbox/c/{chat}/click", json=body) as response:
            answer: dict[str, Any] = await response.json()
            answer["status"] = response.status
            return answer


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout: float = 10) -> T:
    deadline = asyncio.get_running_loop().time() + timeout
    while (result := await probe()) is None:
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)
    return result


def button_value(html: str, label: str) -> dict[str, Any]:
    """The value a button (or a form's submit) with this label carries, whoever it is
    marked for (查看联系方式（客服）)."""

    def named(text: str) -> bool:
        return re.sub(r"（[^）]*）$", "", text.strip()) == label

    for match in re.finditer(r"data-value='([^']*)'[^>]*>(?:确定)?([^<]*)<", html):
        if named(match.group(2)):
            return dict(json.loads(match.group(1)))
    forms = re.findall(r"<summary[^>]*>([^<]*)</summary>\s*<form data-value='([^']*)'", html)
    for text, value in forms:
        if named(text):
            return dict(json.loads(value))
    raise AssertionError(f"no button {label!r} on the card")


@pytest.fixture
async def chat(db_url: str, demo_settings: Settings) -> AsyncIterator[Chat]:
    settings = demo_settings.model_copy(
        update={
            "database": DatabaseConfig(url=db_url),
            "delivery": DeliveryConfig(poll_interval_s=0.05),
        }
    )
    engine = create_engine(db_url)
    async with TestClient(TestServer(create_app(settings))) as client:
        yield Chat(client, SandboxStore(engine), DeliveryStore(engine))
    await engine.dispose()


async def test_pages_list_the_chats_and_show_the_cards(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    await chat.card("shuidian", number)
    async with chat.client.get("/sandbox") as index:
        page = await index.text()
        assert "水电组群" in page and "派单台（班组长）" in page and "李师傅（私聊）" in page
    async with chat.client.get("/sandbox/c/shuidian") as response:
        page = await response.text()
        assert response.status == 200 and number in page and 'data-default="li"' in page
    async with chat.client.get("/sandbox/c/nowhere") as missing:
        assert missing.status == 404


async def test_claim_race_and_a_stale_card(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    card = await chat.card("shuidian", number)
    won = await chat.click("shuidian", card, "接单", "li")
    assert (won["status"], won["level"]) == (200, "success")
    assert "李师傅" in won["html"] and "开始维修" in won["html"]
    lost = await chat.click("shuidian", card, "接单", "wang")  # wang's page still shows 接单
    assert lost["level"] == "error"
    assert lost["toast"] == "手慢了，这单已被李师傅接走"  # says all the old card missed
    assert "开始维修" in lost["html"]
    fresh = await chat.card("shuidian", number, revision=2)
    assert "接单人</dt><dd>李师傅" in fresh.html
    assert (await chat.click("shuidian", fresh, "开始维修", "li"))["level"] == "success"
    again = await chat.click("shuidian", fresh, "开始维修", "li")  # a second tab's old card
    assert again["toast"].endswith("（卡片已刷新：李师傅已到场维修）"), again["toast"]


async def test_the_click_writes_its_card_and_the_outbox_leaves_it(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    card = await chat.card("shuidian", number)
    await chat.click("shuidian", card, "接单", "li")
    ticket = (await chat.service.history(number)).ticket
    assert ticket.id is not None
    group = CardAddress("sandbox", "shuidian", Audience.TEAM)
    post = await chat.deliveries.post(ticket.id, group)
    assert post is not None and post.delivered_version == ticket.version == 2  # the answer's
    private = await chat.card("dm-li", number)
    assert "13800138000" in private.html


async def test_simultaneous_claim_clicks_have_one_winner(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    card = await chat.card("shuidian", number)
    answers = await asyncio.gather(
        *(chat.click("shuidian", card, "接单", member) for member in ["li", "wang"] * 5)
    )
    assert sorted(a["level"] for a in answers) == ["error"] * 9 + ["success"]
    ticket = (await chat.service.history(number)).ticket
    assert ticket.assignee_id in {"li", "wang"}


async def test_a_stale_but_valid_click_still_acts(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    old = await chat.card("shuidian", number)
    await chat.click("shuidian", old, "接单", "li")
    shown = await chat.click("shuidian", old, "查看联系方式", "lin")  # lin's page is behind
    assert shown["level"] == "success" and shown["toast"].startswith("卡片已刷新。报修人 张三")
    assert "开始维修" in shown["html"]


async def test_forms_ask_for_a_reason(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    await chat.click("shuidian", await chat.card("shuidian", number), "接单", "li")
    await chat.click("shuidian", await chat.card("shuidian", number, 2), "开始维修", "li")
    card = await chat.card("shuidian", number, revision=3)
    empty = await chat.click("shuidian", card, "暂停", "li")
    assert (empty["level"], empty["toast"]) == ("error", "请填写暂停原因")
    paused = await chat.click("shuidian", card, "暂停", "li", reason="等配件")
    assert paused["level"] == "success" and "暂停原因：等配件" in paused["html"]
    assert (await chat.service.history(number)).ticket.pause_reason == "等配件"


def choices(html: str, summary: str, name: str) -> list[str]:
    """The values the select `name` offers in the form behind the button `summary`."""
    form = re.search(rf"<summary[^>]*>{summary}</summary>(.*?)</form>", html, re.S)
    assert form is not None, f"no form {summary!r} on the card"
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', form.group(1), re.S)
    assert select is not None, f"no select {name!r} in the form {summary!r}"
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v]


async def test_a_pause_picks_whose_it_is(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    await chat.click("shuidian", await chat.card("shuidian", number), "接单", "li")
    await chat.click("shuidian", await chat.card("shuidian", number, 2), "开始维修", "li")
    card = await chat.card("shuidian", number, revision=3)
    assert choices(card.html, "暂停", "pause_kind") == ["parts", "resident", "other"]
    paused = await chat.click("shuidian", card, "暂停", "li", pause_kind="parts", reason="等阀门")
    assert (paused["level"], paused["toast"]) == ("success", "已暂停，暂停期间不计入完工时限")
    ticket = (await chat.service.history(number)).ticket
    assert (ticket.status, ticket.pause_kind) == (Status.PAUSED, PauseKind.PARTS)
    assert ticket.clock_stopped_at is not None


async def test_the_desk_confirms_for_the_resident_saying_how_they_agreed(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    await chat.click("shuidian", await chat.card("shuidian", number), "接单", "li")
    await chat.click("shuidian", await chat.card("shuidian", number, 2), "开始维修", "li")
    await chat.click(
        "shuidian",
        await chat.card("shuidian", number, 3),
        "完工",
        "li",
        findings="阀芯坏",
        note="换阀芯",
    )
    card = await chat.card("shuidian", number, revision=4)
    assert choices(card.html, "确认完成（客服）", "agreed") == ["in_person", "phone"]
    done = await chat.click("shuidian", card, "确认完成", "lin", agreed="phone")
    assert done["level"] == "success", done
    ticket = (await chat.service.history(number)).ticket
    assert (ticket.status, ticket.confirmed_by) == (Status.CONFIRMED, "林客服（代业主电话确认）")


async def test_an_escalation_is_answered_from_its_card(chat: Chat) -> None:
    """The desk acts from escalation cards; the answer to a click on one is the ticket as it
    is now, still with the escalation's buttons."""
    made = draft(category="门窗", description="单元门闭门器坏了")
    number = (await chat.service.open(made, AGENT, Source.API)).ticket.number
    await chat.card("dispatch", number)

    async def escalation(step: int) -> SandboxMessage:
        overdue = Escalation(f"第{step}次提醒：接单已超时", step)
        await chat.service.send(overdue, Reach.SUPERVISORS, number)

        async def posted() -> SandboxMessage | None:
            found = [m for m in await chat.store.messages("dispatch") if overdue.text in m.html]
            return found[0] if found else None

        return await eventually(posted)

    card = await escalation(1)
    assert choices(card.html, "延期", "minutes") == ["30", "60", "120", "240", "1440"]
    assert "zhang" in choices(card.html, "改派", "to")
    extended = await chat.click("dispatch", card, "延期", "chen", minutes="60", reason="业主改约")
    assert (extended["level"], extended["toast"]) == ("success", "已延期，截止时间已更新")
    for label in ("改派", "延期", "我来处理"):
        assert f">{label}<" in extended["html"]
    event = (await chat.service.history(number)).events[-1]
    assert event.kind == EventKind.EXTENDED and details_to_json(event.details)["minutes"] == 60

    moved = await chat.click("dispatch", await escalation(2), "改派", "chen", to="zhang")
    assert (moved["level"], moved["toast"]) == ("success", "已派给张师傅")
    called = await chat.click("dispatch", await escalation(3), "联系师傅", "lin")
    assert called["level"] == "success"
    assert called["toast"] == "接单人 张师傅，电话 13800000003（仅你可见，本次查看已记入工单记录）"
    assert "13800000003" not in called["html"]
    taken = await chat.click("dispatch", await escalation(4), "我来处理", "chen")
    assert (taken["level"], taken["toast"]) == ("success", "已由你接手跟进，这单不再升级提醒")
    ticket = (await chat.service.history(number)).ticket
    assert (ticket.assignee_id, ticket.handled_by) == ("zhang", "chen")


async def test_reveal_is_private_audited_and_refused_to_teammates(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    card = await chat.card("shuidian", number)
    await chat.click("shuidian", card, "接单", "li")
    card = await chat.card("shuidian", number, revision=2)
    shown = await chat.click("shuidian", card, "查看联系方式", "li")
    assert shown["level"] == "success" and "13800138000" in shown["toast"]
    assert "13800138000" not in shown["html"]  # the shared card stays masked
    refused = await chat.click("shuidian", card, "查看联系方式", "wang")
    assert refused["level"] == "error" and "13800138000" not in refused["toast"]
    events = (await chat.service.history(number)).events
    assert [(e.kind, e.actor_id, e.source) for e in events if e.kind == "reveal"] == [
        ("reveal", "li", "sandbox")
    ]


async def test_duplicate_click_takes_effect_once(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    card = await chat.card("shuidian", number)
    body = {
        "message_id": card.id,
        "value": button_value(card.html, "查看联系方式"),
        "form": {},
        "member": "lin",
        "click_id": "same-click-0001",
    }
    for _ in range(3):
        async with chat.client.post("/sandbox/c/shuidian/click", json=body) as response:
            assert (await response.json())["level"] == "success"
    events = (await chat.service.history(number)).events
    assert [e.kind for e in events] == ["create", "reveal"]


async def test_bad_clicks_are_refused_clearly(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    card = await chat.card("shuidian", number)
    stranger = await chat.click("shuidian", card, "接单", "stranger")
    assert stranger["level"] == "error" and "不是本物业" in stranger["toast"]
    wrong_chat = await chat.click("tujian", card, "接单", "li")
    assert wrong_chat["status"] == 404
    async with chat.client.post("/sandbox/c/shuidian/click", json={"value": 1}) as response:
        assert response.status == 400 and (await response.json())["level"] == "error"
    assert (await chat.service.history(number)).ticket.assignee_id is None


async def test_the_page_streams_new_and_changed_cards(chat: Chat) -> None:
    async with chat.client.get("/sandbox/c/shuidian/events") as stream:
        number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
        line = await asyncio.wait_for(_next_data(stream.content), 10)
        first = json.loads(line)
        assert number in first["html"] and first["revision"] == 1
        await chat.service.act(number, Command(Verb.CLAIM, Actor.member("li")), Source.API)
        second = json.loads(await asyncio.wait_for(_next_data(stream.content), 10))
        assert second["id"] == first["id"] and second["revision"] == 2
        assert "李师傅" in second["html"]


async def _next_data(content: StreamReader) -> str:
    while True:
        line = (await content.readline()).decode()
        if line.startswith("data: "):
            return line.removeprefix("data: ").strip()


async def test_a_page_elsewhere_cannot_click_or_frame_the_sandbox(chat: Chat) -> None:
    """The sandbox has no login: a page on another site must not act through a visitor's
    browser (a form post, or a fetch from its own origin), nor show it in a frame."""
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    card = await chat.card("shuidian", number)
    body = {
        "message_id": card.id,
        "value": button_value(card.html, "接单"),
        "form": {},
        "member": "li",
        "click_id": uuid.uuid4().hex,
    }
    url = "/sandbox/c/shuidian/click"
    as_form = {"data": json.dumps(body), "headers": {"Content-Type": "text/plain"}}
    from_elsewhere = {"json": body, "headers": {"Origin": "https://attacker.example"}}
    for attack in (as_form, from_elsewhere):
        async with chat.client.post(url, **attack) as response:
            assert response.status == 403 and "本站" in (await response.json())["toast"]
    ticket = (await chat.service.history(number)).ticket
    assert ticket.status is Status.NEW
    async with chat.client.get("/sandbox/c/shuidian") as page:
        policy = page.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy


async def test_a_message_another_process_posted_reaches_open_pages(chat: Chat) -> None:
    """One watcher per process, not a poll per page: a message written by another process
    (its own hub never told ours) still arrives."""
    await chat.store.post("management", "elsewhere-1", "<p>先到的</p>", START)
    async with chat.client.get("/sandbox/c/management/events") as stream:
        first = await asyncio.wait_for(_next_data(stream.content), 10)
        assert "先到的" in json.loads(first)["html"]  # the page is now waiting for changes
        await chat.store.post("management", "elsewhere-2", "<p>别的进程发来的</p>", START)
        line = await asyncio.wait_for(_next_data(stream.content), WATCH_S * 5)
        assert "别的进程发来的" in json.loads(line)["html"]


async def test_one_address_keeps_a_few_pages_open_not_hundreds(chat: Chat) -> None:
    async with contextlib.AsyncExitStack() as pages:
        for _ in range(STREAMS_PER_CLIENT):
            stream = await pages.enter_async_context(chat.client.get("/sandbox/c/shuidian/events"))
            assert stream.status == 200
        async with chat.client.get("/sandbox/c/shuidian/events") as refused:
            assert refused.status == 429 and "最多同时打开" in await refused.text()


async def test_clicks_and_streams_out_of_range_are_refused(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    card = await chat.card("shuidian", number)
    body = {
        "message_id": 1e23,
        "value": button_value(card.html, "接单"),
        "member": "li",
        "click_id": uuid.uuid4().hex,
    }
    async with chat.client.post("/sandbox/c/shuidian/click", json=body) as response:
        assert response.status == 400 and "message_id" in (await response.json())["toast"]
    nested = "[" * 5000 + "]" * 5000
    json_type = {"Content-Type": "application/json"}
    async with chat.client.post(
        "/sandbox/c/shuidian/click", data=nested, headers=json_type
    ) as response:
        assert response.status == 400
    for query in ["1=²", "²=1", "1=" + "9" * 5000]:
        async with chat.client.get(f"/sandbox/c/shuidian/events?{query}") as response:
            assert response.status == 400 and "数字" in await response.text()
    assert (await chat.service.history(number)).ticket.assignee_id is None


async def test_the_index_without_a_team_group_in_the_sandbox(
    db_url: str, demo_settings: Settings
) -> None:
    teams = [team.model_copy(update={"chats": []}) for team in demo_settings.teams]
    settings = demo_settings.model_copy(
        update={"database": DatabaseConfig(url=db_url), "teams": teams}
    )
    async with (
        TestClient(TestServer(create_app(settings))) as client,
        client.get("/sandbox") as response,
    ):
        assert response.status == 200, await response.text()
        assert "派单台（班组长）" in await response.text()


async def test_a_reason_with_control_characters_is_refused(chat: Chat) -> None:
    number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
    await chat.click("shuidian", await chat.card("shuidian", number), "接单", "li")
    await chat.click("shuidian", await chat.card("shuidian", number, 2), "开始维修", "li")
    card = await chat.card("shuidian", number, revision=3)
    for reason in ["等\x00配件", "等配件\x1b[2J", "等\u202e配件"]:
        refused = await chat.click("shuidian", card, "暂停", "li", reason=reason)
        assert (refused["status"], refused["level"]) == (200, "error")
        assert "原因含有不可见的控制字符" in refused["toast"]
    assert (await chat.service.history(number)).ticket.status == "in_progress"


async def test_a_return_visit_is_recorded_from_the_agents_chat(
    db_url: str, demo_settings: Settings
) -> None:
    """A closed 水电 job comes due at once (after_days = 0): its card reaches 客服群 headed by
    the call it is, and 林客服 records the outcome from the 回访 form."""
    settings = demo_settings.model_copy(
        update={
            "database": DatabaseConfig(url=db_url),
            "delivery": DeliveryConfig(poll_interval_s=0.05),
            "visits": [VisitConfig(category="水电", policy=VisitWhen.ALWAYS, after_days=0)],
        }
    )
    engine = create_engine(db_url)
    async with TestClient(TestServer(create_app(settings))) as client:
        chat = Chat(client, SandboxStore(engine), DeliveryStore(engine))
        async with client.get("/sandbox") as index:
            assert "客服群" in await index.text()
        number = (await chat.service.open(draft(), AGENT, Source.API)).ticket.number
        li = Actor.member("li")
        for command in (
            Command(Verb.CLAIM, li),
            Command(Verb.START, li),
            Command(Verb.COMPLETE, li, findings="阀芯磨损"),
            Command(Verb.CLOSE, AGENT, reason="业主电话确认"),
        ):
            await chat.service.act(number, command, Source.API)
        await chat.service.send_visit(number)
        card = await chat.card("agents", number)
        assert "回访：请致电业主，确认维修效果（第 1 次）" in card.html
        assert choices(card.html, "回访", "outcome") == ["resolved", "recurred", "unreachable"]
        done = await chat.click("agents", card, "回访", "lin", outcome="resolved", note="没再漏")
        assert (done["level"], done["toast"]) == ("success", "回访已记录：已解决")
        assert "回访：" not in done["html"] and ">回访<" not in done["html"]  # nothing left to do
        refused = await chat.click("agents", card, "回访", "li", outcome="resolved")
        assert refused["level"] == "error" and "只有客服" in refused["toast"]
        ticket = (await chat.service.history(number)).ticket
        assert (ticket.visit_outcome, ticket.visit_attempt) == ("resolved", 1)
    await engine.dispose()


async def test_a_possible_duplicate_is_merged_from_its_card(chat: Chat) -> None:
    first = (await chat.service.open(draft(description="水管爆了"), AGENT, Source.API)).ticket
    neighbour = draft(location="3号楼2单元401", description="楼上漏水")
    second = (await chat.service.open(neighbour, AGENT, Source.API)).ticket
    card = await chat.card("shuidian", second.number)
    assert f"可能与 {first.number} 重复" in card.html
    refused = await chat.click("shuidian", card, "合并", "wang")
    assert refused["level"] != "success" and "王师傅不能合并" in refused["toast"], refused
    done = await chat.click("shuidian", card, "合并", "lin")
    assert done["level"] == "success", done
    assert done["toast"] == f"已合并到 {first.number}，业主可在原报修链接查看进度"
    merged = await chat.card("shuidian", second.number, revision=2)
    assert f"已合并到 {first.number}（重复报修）" in merged.html
    ticket = (await chat.service.history(second.number)).ticket
    assert (ticket.status, ticket.merged_into) == (Status.CANCELLED, first.number)
