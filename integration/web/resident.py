"""The resident's pages: the report form, the private status page, and the photos they show.

There is no login. A resident opens the form from a lobby QR poster (`?loc=` fills in where
the poster hangs), and the status page is reached only through the ticket's unguessable token.
Everything a resident types is text: the templates autoescape it and the pages allow no inline
script (Content-Security-Policy), so no report can add markup to a page.

The form carries a random key per page load; a second submission with the same key (a
double tap, a resent request) returns the first ticket instead of making another one.

Reports are rate-limited per client address, in this process only: several replicas each
count on their own; a shared limiter belongs with the production set-up. The address is
`request.remote`. X-Forwarded-For is not trusted, so behind a reverse proxy every resident
shares the proxy's address and its limit; a trusted-proxy setting is needed there first.
"""

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import BodyPartReader, web
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import ValidationError

from cards.mask import mask_phone
from integration.web.api import SERVICE
from integration.web.photos import MAX_BYTES, MAX_PHOTOS, PhotoRejected, PhotoStore, Upload
from integration.web.schemas import MAX_DESCRIPTION, TicketCreate
from tickets.actions import Verb
from tickets.errors import NotFound
from tickets.model import Actor, Event
from tickets.service import utc_now
from tickets.states import Channel, Source, Status

RESIDENT_ACTOR = Actor(member_id=None, name="业主", source=Source.WEB)
REPORT_LIMIT = 5
REPORT_WINDOW_S = 600.0
REFRESH_S = 30
MAX_AHEAD = timedelta(days=90)
"""Latest preferred visit time a resident may ask for."""

MAX_REQUEST = 48 * 1024 * 1024
"""Bytes read from one submission at most: room to refuse oversized photos with a proper
answer, while a runaway upload is cut off."""
MAX_PARTS = 32
TEXT_BYTES = 16 * 1024
"""Kept of a text field: more than any limit allows, so an overlong value still fails."""

FIELDS = ("name", "phone", "location", "category", "description", "appointment_at")
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
_FIELD_OF = {
    ("reporter", "name"): "name",
    ("reporter", "phone"): "phone",
    ("location",): "location",
    ("category",): "category",
    ("description",): "description",
}
_LABELS = {
    "name": "姓名",
    "phone": "手机号",
    "location": "位置",
    "category": "报修类型",
    "description": "问题描述",
    "appointment_at": "期望上门时间",
    "photos": "现场照片",
}
_EMPTY = {
    "name": "请填写您的姓名",
    "location": "请填写报修位置，例如 3栋2单元501",
    "category": "请选择报修类型",
    "description": "请简单描述一下问题",
}
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self' blob:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
_PHOTO_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}


class ReportLimiter:
    """At most `limit` reports per client in a sliding window of `window` seconds.

    A report is counted by its form key, so resending the same form costs nothing more.
    `limits`, the well-kept library for this, counts hits rather than distinct forms, and
    would be a new dependency for a dozen lines.
    """

    def __init__(
        self,
        limit: int = REPORT_LIMIT,
        window: float = REPORT_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[str, dict[str, float]] = {}

    def take(self, client: str, key: str) -> float:
        """Count the report and answer 0, or answer the seconds until the client may report."""
        now = self._clock()
        self._forget(now - self.window)
        mine = self._seen.setdefault(client, {})
        if key in mine:
            return 0.0
        if len(mine) >= self.limit:
            return min(mine.values()) + self.window - now
        mine[key] = now
        return 0.0

    def _forget(self, before: float) -> None:
        for client, keys in list(self._seen.items()):
            kept = {key: at for key, at in keys.items() if at > before}
            if kept:
                self._seen[client] = kept
            else:
                del self._seen[client]


@dataclass(frozen=True)
class Resident:
    site_name: str
    tz: ZoneInfo
    categories: tuple[str, ...]
    """In config order, as the form offers them."""
    photos: PhotoStore
    photo_route: str
    limiter: ReportLimiter = field(default_factory=ReportLimiter)

    def photo_url(self, name: str) -> str:
        return f"{self.photo_route}/{name}"


RESIDENT = web.AppKey("resident", Resident)

_pages = Environment(
    loader=PackageLoader("integration.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _page(template: str, status: int = 200, **context: Any) -> web.Response:
    html = _pages.get_template(template).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", headers=_HEADERS)


def _message(resident: Resident, status: int, title: str, text: str) -> web.Response:
    return _page("message.html", status, site_name=resident.site_name, title=title, text=text)


@dataclass
class _Form:
    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, ""))
    key: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    """Field name, or "form" for the form as a whole, to the message shown beside it."""
    photos: int = 0


class _Malformed(Exception):
    """Not what a browser sends for this form."""


class _TooLarge(Exception):
    """The submission went past MAX_REQUEST."""


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_REQUEST
        self.parts = 0

    async def read(self, part: BodyPartReader, limit: int) -> bytes:
        """The part's bytes, cut a little past `limit`: longer than `limit` means too long."""
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise _Malformed
        data = bytearray()
        while chunk := await part.read_chunk():
            self.left -= len(chunk)
            if self.left < 0:
                raise _TooLarge
            if len(data) <= limit:
                data += chunk
        return bytes(data)


async def report_form(request: web.Request) -> web.Response:
    resident = request.app[RESIDENT]
    form = _Form()
    form.values["location"] = request.query.get("loc", "").strip()[:200]
    form.key = secrets.token_urlsafe(24)
    return _form_page(resident, form)


def _form_page(resident: Resident, form: _Form, status: int = 200) -> web.Response:
    return _page(
        "new.html",
        status,
        site_name=resident.site_name,
        categories=resident.categories,
        form=form,
        labels=_LABELS,
        earliest=utc_now().astimezone(resident.tz).strftime("%Y-%m-%dT%H:%M"),
        max_photos=MAX_PHOTOS,
        max_bytes=MAX_BYTES,
        max_description=MAX_DESCRIPTION,
    )


async def submit_report(request: web.Request) -> web.Response:
    resident = request.app[RESIDENT]
    if request.content_type != "multipart/form-data":
        return _message(resident, 400, "提交方式不对", "请回到报修页面重新填写提交。")
    with resident.photos.upload() as upload:
        try:
            form = await _read_form(request, upload)
        except (_Malformed, ValueError):
            return _message(resident, 400, "提交的内容无法识别", "请回到报修页面重新填写提交。")
        body = _validate(form, resident)
        if body is None:
            return _form_page(resident, form, status=422)
        wait = resident.limiter.take(request.remote or "", form.key)
        if wait:
            minutes = max(1, round(wait / 60))
            response = _message(
                resident,
                429,
                "提交得太频繁了",
                f"同一网络 {round(REPORT_WINDOW_S / 60)} 分钟内最多提交 {REPORT_LIMIT} 次报修，"
                f"请 {minutes} 分钟后再试。紧急情况请直接联系物业服务中心。",
            )
            response.headers["Retry-After"] = str(round(wait))
            return response
        draft = replace(body.draft(), photos=upload.publish())
        service = request.app[SERVICE]
        ticket = await service.open(draft, RESIDENT_ACTOR, submission_key=form.key)
        if ticket.photos == draft.photos:  # else a resent form: the first one's photos stand
            upload.keep()
    return web.Response(status=303, headers={"Location": f"/r/t/{ticket.public_token}"})


async def _read_form(request: web.Request, upload: Upload) -> _Form:
    form = _Form()
    budget = _Budget()
    reader = await request.multipart()
    try:
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise _Malformed
            if part.name == "photos" and part.filename is not None:
                await _read_photo(part, form, upload, budget)
                continue
            text = (await budget.read(part, TEXT_BYTES))[:TEXT_BYTES]
            value = text.decode("utf-8", "replace").replace("\r\n", "\n")
            if part.name == "key":
                form.key = value
            elif part.name in form.values:
                form.values[part.name] = value
    except _TooLarge:
        form.errors["photos"] = f"照片太大了：最多 {MAX_PHOTOS} 张，每张不超过 5 MB"
    return form


async def _read_photo(part: BodyPartReader, form: _Form, upload: Upload, budget: _Budget) -> None:
    data = await budget.read(part, MAX_BYTES)
    if not data and not part.filename:
        return  # a file input left empty
    form.photos += 1
    name = part.filename or "照片"
    name = name if len(name) <= 40 else name[:37] + "…"
    if form.photos > MAX_PHOTOS:
        form.errors["photos"] = f"最多上传 {MAX_PHOTOS} 张照片"
    elif "photos" in form.errors:
        return
    elif len(data) > MAX_BYTES:
        form.errors["photos"] = f"「{name}」超过 5 MB，请换一张或压缩后再传"
    else:
        try:
            await upload.add(data)
        except PhotoRejected as error:
            form.errors["photos"] = f"「{name}」{error}"


def _validate(form: _Form, resident: Resident) -> TicketCreate | None:
    """The report, or None with `form.errors` saying what to fix; the API's limits apply."""
    errors = form.errors
    values = form.values
    if not _KEY.fullmatch(form.key):
        errors["form"] = "页面已过期，请检查后再提交一次"
        form.key = secrets.token_urlsafe(24)
    if values["category"] not in resident.categories:
        errors["category"] = _EMPTY["category"]
    appointment = _appointment(values["appointment_at"], resident.tz, errors)
    try:
        body = TicketCreate.model_validate(
            {
                "reporter": {"name": values["name"], "phone": values["phone"]},
                "location": values["location"],
                "category": values["category"],
                "description": values["description"],
                "channel": Channel.WEB,
                "appointment_at": appointment,
            }
        )
    except ValidationError as error:
        for item in error.errors():
            name = _FIELD_OF[tuple(str(part) for part in item["loc"])]
            errors.setdefault(name, _problem(name, item))
        return None
    return None if errors else body


def _problem(name: str, item: Any) -> str:
    if item["type"] == "value_error":  # the phone check, already in Chinese
        return str(item["msg"]).removeprefix("Value error, ")
    if item["type"] == "string_too_long":
        limit = item["ctx"]["max_length"]
        return f"{_LABELS[name]}最多 {limit} 字，现在 {len(item['input'].strip())} 字"
    return _EMPTY[name]


def _appointment(raw: str, tz: ZoneInfo, errors: dict[str, str]) -> datetime | None:
    """A `datetime-local` value, read in the site's zone; today's past minutes are refused."""
    if not raw.strip():
        return None
    try:
        local = datetime.fromisoformat(raw.strip())
    except ValueError:
        local = None
    if local is None or local.tzinfo is not None:
        errors["appointment_at"] = "请选择日期和时间"
        return None
    moment = local.replace(tzinfo=tz)
    now = utc_now().astimezone(tz).replace(second=0, microsecond=0)
    if moment < now:
        errors["appointment_at"] = "这个时间已经过去了，请选择以后的时间"
    elif moment > now + MAX_AHEAD:
        errors["appointment_at"] = f"请选择 {MAX_AHEAD.days} 天以内的时间"
    return moment


@dataclass(frozen=True)
class Step:
    """One line of the resident's timeline."""

    at: str
    title: str
    detail: str | None = None


_HEADLINES = {
    Status.NEW: "已受理，正在安排师傅",
    Status.ASSIGNED: "师傅已接单",
    Status.IN_PROGRESS: "维修中",
    Status.PAUSED: "暂停维修",
    Status.COMPLETED: "维修完成，请您验收",
    Status.CONFIRMED: "已验收",
    Status.CLOSED: "已结单",
    Status.CANCELLED: "已取消",
}
_ENDED = frozenset({Status.CLOSED, Status.CANCELLED})


async def ticket_status(request: web.Request) -> web.Response:
    resident = request.app[RESIDENT]
    service = request.app[SERVICE]
    try:
        history = await service.public_history(request.match_info["token"])
    except NotFound:
        return _message(resident, 404, "没有找到这张报修单", "请检查链接是否完整，或重新扫码报修。")
    ticket = history.ticket
    steps = [s for e in reversed(history.events) if (s := _step(e, resident.tz)) is not None]
    return _page(
        "status.html",
        site_name=resident.site_name,
        ticket=ticket,
        headline=_HEADLINES[ticket.status],
        assignee=service.directory.name_of(ticket.assignee_id),
        phone=mask_phone(ticket.reporter.phone),
        steps=steps,
        local=lambda moment: _local(moment, resident.tz),
        photos=[resident.photo_url(name) for name in ticket.photos],
        refresh_s=None if ticket.status in _ENDED else REFRESH_S,
    )


def _step(event: Event, tz: ZoneInfo) -> Step | None:
    """The event in a resident's words; staff-only events (notes, reveals) are left out."""
    details = event.details
    reason = details.get("reason")
    match event.action:
        case "create":
            return Step(_local(event.at, tz), "已受理", "报修已提交，正在安排维修师傅")
        case Verb.CLAIM:
            title = f"{event.actor_name}已接单"
        case Verb.DISPATCH:
            title = f"已安排{details.get('to_name', '维修师傅')}为您维修"
        case Verb.TRANSFER if "to_name" in details:
            title = f"已改由{details['to_name']}为您维修"
        case Verb.TRANSFER | Verb.HAND_BACK:
            title = "正在重新安排维修师傅"
        case Verb.START:
            title = f"{event.actor_name}已到场维修"
        case Verb.PAUSE:
            return Step(_local(event.at, tz), f"暂停：{reason}")
        case Verb.RESUME:
            title = "继续维修"
        case Verb.COMPLETE:
            note = details.get("note")
            return Step(
                _local(event.at, tz), "维修完成，请您验收", f"维修结果：{note}" if note else None
            )
        case Verb.CONFIRM:
            title = "已验收"
        case Verb.REOPEN:
            return Step(_local(event.at, tz), "已安排返工", f"原因：{reason}")
        case Verb.CLOSE:
            title = "已结单"
        case Verb.CANCEL:
            return Step(_local(event.at, tz), "已取消", f"原因：{reason}")
        case _:
            return None
    return Step(_local(event.at, tz), title)


def _local(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


async def photo(request: web.Request) -> web.StreamResponse:
    resident = request.app[RESIDENT]
    path = resident.photos.path(request.match_info["name"])
    if path is None or not path.is_file():
        return _message(resident, 404, "没有这张照片", "照片不存在或链接不完整。")
    return web.FileResponse(path, headers=_PHOTO_HEADERS)


def add_routes(app: web.Application, resident: Resident) -> None:
    app[RESIDENT] = resident
    app.router.add_get("/r/new", report_form)
    app.router.add_post("/r/new", submit_report)
    app.router.add_get("/r/t/{token}", ticket_status)
    app.router.add_get(f"{resident.photo_route}/{{name}}", photo)
    app.router.add_static("/r/static", Path(__file__).parent / "static")
