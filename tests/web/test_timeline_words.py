"""Every kind of timeline event reads the same in the CLI, the API, the cards and, where the
resident may see it, on the resident's page: all of them print `tickets.words`."""

import asyncio
import html
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from baoxiu.cli import app
from baoxiu.config import Settings
from baoxiu.wiring import card_context
from cards.build import latest, ticket_card
from cards.render_html import render_card
from integration.web.photos import PhotoStore
from storage.engine import create_engine
from storage.uow import SqlUnitOfWorkFactory
from tests.web.conftest import Api
from tickets.audience import Audience
from tickets.events import (
    Assigned,
    CardReposted,
    Closed,
    Completed,
    Confirmed,
    Consented,
    Created,
    DeliveryFailed,
    Details,
    Escalated,
    EventKind,
    Extended,
    Merged,
    NoDetails,
    Note,
    Paid,
    Paused,
    PhotosAdded,
    Quoted,
    Rated,
    Reason,
    Reopened,
    Rescheduled,
    Revealed,
    Reviewed,
    SlaBreached,
    Transferred,
    Unknown,
    VisitDue,
    Visited,
)
from tickets.model import Event
from tickets.states import Source, Status
from tickets.words import describe, for_resident

K = EventKind
SAMPLES: Mapping[EventKind, Details] = {
    K.CREATED: Created(channel="phone", urgency="emergency"),
    K.CLAIM: NoDetails(),
    K.DISPATCH: Assigned(to="wang", to_name="王师傅", over_cap=True),
    K.AUTO_ASSIGNED: Assigned(to="liu", to_name="刘师傅"),
    K.TRANSFER: Transferred(from_id="li", to="wang", to_name="王师傅", reason="李师傅请假"),
    K.HAND_BACK: Reason("需要电工证"),
    K.START: NoDetails(),
    K.PAUSE: Paused("等配件", "parts"),
    K.RESUME: Note("配件到了"),
    K.COMPLETE: Completed("更换阀芯", "阀芯磨损", 3000),
    K.CONFIRM: Confirmed(on_behalf=True, agreed="phone"),
    K.REOPEN: Reopened(reason="还在滴水", rework=1),
    K.CLOSE: Closed(reason="联系不上业主", unconfirmed=True),
    K.CANCEL: Reason("业主撤销"),
    K.COMMENT: Note("业主下午在家"),
    K.REVEAL: Revealed(),
    K.DELIVERY_FAILED: DeliveryFailed("feishu", "oc_1", "230002 bot not in chat"),
    K.CARD_REPOSTED: CardReposted("feishu", "oc_1", "卡片已被撤回（飞书错误 230011）"),
    K.SLA_BREACHED: SlaBreached(deadline="accept"),
    K.ESCALATED: Escalated(step=2, to="supervisors", to_name="班组长", deadline="accept"),
    K.HURRIED: NoDetails(),
    K.EXTENDED: Extended("arrive", 120, "2026-11-28T12:00:00+08:00", "业主改约"),
    K.TAKEN_OVER: NoDetails(),
    K.FLAGGED: Reason("业主自购热水器，在厂家保修期内"),
    K.REVIEWED: Reviewed("decline", "热水器在厂家保修期内，请联系厂家售后"),
    K.QUOTED: Quoted(15000, pending=True, reason="压缩机需更换"),
    K.CONSENTED: Consented(15000, "phone"),
    K.RESCHEDULED: Rescheduled("2026-12-03T14:00:00+08:00", None, "业主白天上班"),
    K.RATED: Rated(overall=4, speed=5, attitude=5, comment="师傅很专业", agreed="phone"),
    K.PAID: Paid("wechat", 11050, "选错了付款方式"),
    K.VISIT_DUE: VisitDue(attempt=2),
    K.VISITED: Visited("unreachable", 2, "电话无人接听", "2026-12-04T10:00:00+08:00"),
    K.PHOTOS_ADDED: PhotosAdded(count=2),
    K.MERGED: Merged(into="BX20261128-0001"),
    K.MERGED_IN: Merged(duplicate="BX20261128-0003"),
}
"""One event of every kind but UNKNOWN, which only a stored row of a newer version makes."""


def test_every_kind_has_a_sample_and_its_own_words() -> None:
    assert set(SAMPLES) | {K.UNKNOWN} == set(EventKind)
    for kind, details in SAMPLES.items():
        assert isinstance(details, kind.details_type), kind
    titles = [describe(_event(kind, details)).title for kind, details in SAMPLES.items()]
    assert len(set(titles)) == len(titles), "two kinds read alike"


def test_a_visit_reads_as_the_agent_records_it() -> None:
    due = _event(K.VISIT_DUE, SAMPLES[K.VISIT_DUE])
    assert str(describe(due)) == "待回访（第 2 次），已发到客服群"
    assert str(describe(_event(K.VISITED, SAMPLES[K.VISITED]))) == (
        "李师傅回访：联系不上（第 2 次），12月4日 10:00再回访（电话无人接听）"
    )
    resolved = _event(K.VISITED, Visited("resolved", 1))
    assert (str(describe(resolved)), for_resident(resolved)) == ("李师傅回访：已解决", None)


def _event(kind: EventKind, details: Details) -> Event:
    return Event(kind, _AT, "li", "李师傅", Source.API, Status.NEW, Status.NEW, details)


_AT = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


async def test_every_event_kind_reads_the_same_everywhere(
    api: Api,
    db_url: str,
    demo_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = (await api.create())["number"]
    engine = create_engine(db_url)
    try:
        units = SqlUnitOfWorkFactory(engine)
        async with units() as unit:
            ticket = await unit.tickets.get(number)
            assert ticket is not None
            for i, (kind, details) in enumerate(SAMPLES.items()):
                at = ticket.created_at + timedelta(minutes=i + 1)
                event = Event(kind, at, "li", "李师傅", Source.API, Status.NEW, Status.NEW, details)
                await unit.tickets.append_event(ticket, event)
            await (await unit._session.connection()).execute(  # a kind from a newer baoxiu
                text(
                    "INSERT INTO ticket_event (ticket_id, kind, at, actor_name, source,"
                    " to_status, details) VALUES (:t, 'future_kind', :at, '系统', 'job', 'new',"
                    " '{\"x\": 1}')"
                ),
                {"t": ticket.id, "at": ticket.created_at + timedelta(hours=1)},
            )
        async with units(readonly=True) as unit:
            events = await unit.tickets.events(ticket)
    finally:
        await engine.dispose()
    assert [e.kind for e in events[1:]] == [*SAMPLES, K.UNKNOWN]
    assert events[-1].details == Unknown("future_kind", {"x": 1})
    words = [str(describe(e)) for e in events]

    status, detail = await api.call("GET", f"/api/v1/tickets/{number}")
    assert status == 200
    assert [(e["kind"], e["label"], e["text"]) for e in detail["events"]] == [
        (e.kind.value, e.kind.label, w) for e, w in zip(events, words, strict=True)
    ]

    page = await _resident_page(api, ticket.public_token)
    for event in events:
        shown = for_resident(event)
        title = describe(event).title
        if shown is None:
            assert title not in page, f"{event.kind} is staff business"
        else:
            assert shown.title == title and title in page, event.kind

    context = card_context(demo_settings)
    for event in events:
        card = render_card(
            ticket_card(ticket, Audience.TEAM, context, shown=latest([event])), PhotoStore.url
        )
        title = describe(event).title
        assert (title in html.unescape(card)) is event.kind.public, event.kind

    monkeypatch.setenv("BAOXIU_DATABASE__URL", db_url)
    monkeypatch.setenv("COLUMNS", "400")  # one table row per event, nothing wrapped
    output = await asyncio.to_thread(_cli_show, number, tmp_path)  # the CLI runs its own loop
    for event, line in zip(events, words, strict=True):
        assert line in output, event.kind  # the words say what the kind is


async def _resident_page(api: Api, token: str) -> str:
    async with api.client.get(f"/r/t/{token}") as response:
        assert response.status == 200
        return html.unescape(await response.text())


def _cli_show(number: str, tmp_path: Path) -> str:
    config = tmp_path / "cli" / "baoxiu.toml"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--demo", "--config", str(config)]).exit_code == 0
    result = runner.invoke(app, ["tickets", "show", number, "--config", str(config)])
    assert result.exit_code == 0, result.output
    return result.output
