"""REST API v1 handlers: thin translations between JSON and `TicketService` calls."""

import base64
import binascii
import re
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel

from integration.web.errors import BadRequest
from integration.web.schemas import (
    ActionOut,
    ActionRequest,
    EventOut,
    FiguresOut,
    Health,
    HotspotList,
    HotspotOut,
    HotspotsQuery,
    StatsOut,
    StatsQuery,
    TicketCreate,
    TicketDetail,
    TicketListQuery,
    TicketOut,
    TicketPage,
)
from tickets.actions import Verb
from tickets.errors import InvalidInput
from tickets.model import SYSTEM, Actor
from tickets.ports import TicketQuery
from tickets.service import TicketService
from tickets.states import Source

SERVICE = web.AppKey("service", TicketService)
NUMBER = "{number:[A-Za-z0-9-]{1,32}}"
"""A ticket number's characters: any other path is no ticket's, and is not worth a query
(PostgreSQL refuses a NUL byte in one)."""
_ID = re.compile(r"[0-9]{1,18}")
"""A row id in a cursor: a few digits, never past what a database integer holds."""

M = TypeVar("M", bound=BaseModel)


def _service(request: web.Request) -> TicketService:
    return request.app[SERVICE]


def _json(model: BaseModel, status: int = 200) -> web.Response:
    return web.json_response(text=model.model_dump_json(), status=status)


async def _body(request: web.Request, model: type[M]) -> M:
    try:
        data: Any = await request.json()
    except (ValueError, RecursionError):  # RecursionError: nested deeper than json can read
        raise BadRequest("请求体不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("请求体须是一个 JSON 对象")
    return model.model_validate(data)


async def create_ticket(request: web.Request) -> web.Response:
    body = await _body(request, TicketCreate)
    service = _service(request)
    actor = Actor.member(body.actor) if body.actor else SYSTEM
    ticket = (await service.open(body.draft(), actor, Source.API)).ticket
    response = _json(TicketOut.of(ticket, service.directory), status=201)
    response.headers["Location"] = f"/api/v1/tickets/{ticket.number}"
    return response


async def get_ticket(request: web.Request) -> web.Response:
    service = _service(request)
    history = await service.history(request.match_info["number"])
    detail = TicketDetail(
        **TicketOut.of(history.ticket, service.directory).model_dump(),
        events=[EventOut.of(e) for e in history.events],
    )
    return _json(detail)


async def list_tickets(request: web.Request) -> web.Response:
    service = _service(request)
    raw: dict[str, Any] = {k: v for k, v in request.query.items() if k != "status"}
    statuses = [s for v in request.query.getall("status", []) for s in v.split(",") if s]
    query = TicketListQuery.model_validate({**raw, "status": statuses})
    page = await service.search(
        TicketQuery(
            statuses=frozenset(query.status),
            team_id=query.team,
            assignee_id=query.assignee,
            created_from=_instant(query.created_from, service.tz, end_of_day=False),
            created_to=_instant(query.created_to, service.tz, end_of_day=True),
            after_id=_decode_cursor(query.cursor),
            limit=query.limit,
        )
    )
    items = [TicketOut.of(t, service.directory) for t in page.items]
    cursor = _encode_cursor(page.next_after_id) if page.next_after_id is not None else None
    return _json(TicketPage(items=items, next_cursor=cursor))


async def act_on_ticket(request: web.Request) -> web.Response:
    """The ticket after the action; 联系师傅 (call_technician) answers with the technician's
    phone too, as a click on the card does, the look recorded on the timeline."""
    body = await _body(request, ActionRequest)
    service = _service(request)
    outcome = await service.act(request.match_info["number"], body.command(), Source.API)
    ticket = outcome.ticket
    phone = None
    if body.action is Verb.CALL_TECHNICIAN:
        phone = service.directory.members[ticket.assignee_id or ""].phone
    out = TicketOut.of(ticket, service.directory)
    follow_up = outcome.follow_up.number if outcome.follow_up else None
    return _json(ActionOut(**out.model_dump(), assignee_phone=phone, follow_up=follow_up))


async def stats(request: web.Request) -> web.Response:
    """The figures of a period, for the whole site and, when asked, per group."""
    service = _service(request)
    query = StatsQuery.model_validate(dict(request.query))
    period = query.period(service.tz)
    found = await service.figures(period, query.group_by)
    return _json(
        StatsOut(
            from_=period.start,
            to=period.end,
            total=FiguresOut.of(found.total),
            groups=[FiguresOut.of(g) for g in found.groups],
        )
    )


async def hotspots(request: web.Request) -> web.Response:
    """Places and buildings with repeated faults of one category in the last `days`."""
    service = _service(request)
    query = HotspotsQuery.model_validate(dict(request.query))
    rule = service.hotspot_rule
    days = query.days or rule.window_days
    found = await service.hotspots(service.clock.now(), days, rule.min_count)
    items = [HotspotOut.of(spot) for spot in found]
    return _json(HotspotList(days=days, min_count=rule.min_count, items=items))


async def health(request: web.Request) -> web.Response:
    return _json(Health(status="ok"))


def _instant(value: datetime | date | None, tz: ZoneInfo, *, end_of_day: bool) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end_of_day else value
    return datetime.combine(day, time.min, tzinfo=tz)


def _encode_cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(f"t:{after_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "t" or not _ID.fullmatch(number):
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("cursor is not one this API returned", field="cursor") from None


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", health)
    app.router.add_post("/api/v1/tickets", create_ticket)
    app.router.add_get("/api/v1/tickets", list_tickets)
    app.router.add_get("/api/v1/stats", stats)
    app.router.add_get("/api/v1/stats/hotspots", hotspots)
    app.router.add_get(f"/api/v1/tickets/{NUMBER}", get_ticket)
    app.router.add_post(f"/api/v1/tickets/{NUMBER}/actions", act_on_ticket)
