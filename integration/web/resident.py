"""The resident's pages: the report form, the private status page, and the photos they show.

There is no login. A resident opens the form from a lobby QR poster (`?loc=` fills in where
the poster hangs), and the status page is reached only through the ticket's unguessable token.
Everything a resident types is text: the templates autoescape it and the pages allow no inline
script (Content-Security-Policy), so no report can add markup to a page.

The form carries a random key per page load; a second submission with the same key (a
double tap, a resent request) returns the first ticket instead of making another one.
"""

import re
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from cards.mask import mask_phone
from integration.hotline import call_us
from integration.web import signatures
from integration.web.api import SERVICE
from integration.web.multipart import Malformed
from integration.web.photos import MAX_BYTES, MAX_PHOTOS, ROUTE, PhotoStore
from integration.web.ratelimit import REPORT_LIMIT, REPORT_WINDOW_S, ReportLimiter
from integration.web.report_form import (
    ReportForm,
    TooOften,
    read_form,
    validate,
)
from integration.web.schemas import LABELS, MAX_DESCRIPTION
from integration.web.signatures import SignatureRejected
from integration.web.timeline import ENDED, HEADLINES, local, promise, step
from tickets.actions import Command, Verb
from tickets.clock import Clock
from tickets.errors import IllegalTransition, InvalidInput, NotFound, TooSoon
from tickets.events import EventKind, Quoted
from tickets.fees import yuan
from tickets.machine import ALLOWED_FROM
from tickets.model import RESIDENT as RESIDENT_ACTOR
from tickets.rating import PARTS, Rating, rating_of
from tickets.service import TicketHistory
from tickets.states import Source

REFRESH_S = 30
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,32}")
"""The shape of a status-page token (`secrets.token_urlsafe`); anything else is no ticket's,
and is not worth a query (PostgreSQL refuses a NUL byte in one)."""
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


@dataclass(frozen=True)
class Resident:
    site_name: str
    hotline: str | None
    tz: ZoneInfo
    categories: tuple[str, ...]
    """In config order, as the form offers them."""
    photos: PhotoStore
    clock: Clock
    limiter: ReportLimiter


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


async def report_form(request: web.Request) -> web.Response:
    resident = request.app[RESIDENT]
    form = ReportForm()
    form.values["location"] = request.query.get("loc", "").strip()[:200]
    form.key = secrets.token_urlsafe(24)
    return _form_page(resident, form)


def _form_page(resident: Resident, form: ReportForm, status: int = 200) -> web.Response:
    return _page(
        "new.html",
        status,
        site_name=resident.site_name,
        hotline=resident.hotline,
        categories=resident.categories,
        form=form,
        labels=LABELS,
        earliest=resident.clock.now().astimezone(resident.tz).strftime("%Y-%m-%dT%H:%M"),
        max_photos=MAX_PHOTOS,
        max_bytes=MAX_BYTES,
        max_description=MAX_DESCRIPTION,
    )


async def submit_report(request: web.Request) -> web.Response:
    resident = request.app[RESIDENT]
    if request.content_type != "multipart/form-data":
        return _message(resident, 400, "提交方式不对", "请回到报修页面，重新填写后提交。")
    client = request.remote or ""
    with resident.photos.upload() as upload:
        try:
            form = await read_form(request, upload, lambda key: resident.limiter.take(client, key))
        except TooOften as refused:
            return _too_often(resident, refused)
        except (Malformed, ValueError):
            return _message(resident, 400, "提交的内容无法识别", "请回到报修页面，重新填写后提交。")
        body = validate(form, resident.categories, resident.tz, resident.clock.now())
        if body is None:
            return _form_page(resident, form, status=422)
        draft = replace(body.draft(), photos=upload.publish())
        service = request.app[SERVICE]
        opened = await service.open(draft, RESIDENT_ACTOR, Source.WEB, submission_key=form.key)
        if opened.created:  # else a resent form: the first one's photos stand
            upload.keep()
    return web.Response(status=303, headers={"Location": f"/r/t/{opened.ticket.public_token}"})


def _too_often(resident: Resident, refused: TooOften) -> web.Response:
    """The form again, as typed, with why it must wait: nothing to type twice."""
    minutes = max(1, round(refused.wait / 60))
    form = refused.form
    form.errors["form"] = (
        f"提交得太频繁了：同一网络 {round(REPORT_WINDOW_S / 60)} 分钟内最多提交 {REPORT_LIMIT} "
        f"次报修，请 {minutes} 分钟后再提交。紧急情况{call_us(resident.hotline)}。"
    )
    response = _form_page(resident, form, status=429)
    response.headers["Retry-After"] = str(round(refused.wait))
    return response


async def ticket_status(request: web.Request) -> web.Response:
    hurried = request.query.get("hurried") == "1"
    return await _status_page(
        request, _HURRIED if hurried else _NOTICES.get(request.query.get("done", ""))
    )


_HURRIED = "已收到您的催单，我们已提醒负责的人员尽快处理。"


async def _status_page(request: web.Request, notice: str | None, status: int = 200) -> web.Response:
    """The ticket's page, with what the resident's last tap did (`notice`)."""
    resident = request.app[RESIDENT]
    service = request.app[SERVICE]
    token = request.match_info["token"]
    try:
        history = await service.public_history(token) if _TOKEN.fullmatch(token) else None
    except NotFound:
        history = None
    if history is None:
        return _message(resident, 404, "没有找到这张报修单", "请检查链接是否完整，或重新扫码报修。")
    merged = history.ticket if history.ticket.merged_into else None
    followed = await service.followed(history.ticket)
    if followed is not None:  # the report was merged: its resident follows the surviving one
        history = followed
    ticket = history.ticket
    if notice is _HURRIED and not ticket.hurry_count:
        notice = None  # a link with ?hurried=1 that no tap made
    if notice is _SIGNED and ticket.signature is None:
        notice = None
    if notice is _REOPENED and not ticket.rework_count:
        notice = None
    if notice is _CONSENTED and not any(e.kind is EventKind.CONSENTED for e in history.events):
        notice = None
    # the resident's own report: a merged one's page shows the surviving ticket's progress,
    # never that ticket's reporter, photos, signature or private link
    own = merged or ticket
    signing = merged is None and ticket.status in ALLOWED_FROM[Verb.CONFIRM]
    steps = [s for e in reversed(history.events) if (s := step(e, resident.tz)) is not None]
    return _page(
        "status.html",
        status,
        notice=notice,
        merged=merged,
        can_hurry=merged is None and ticket.status in ALLOWED_FROM[Verb.HURRY],
        quote_reason=_quote_reason(history),
        site_name=resident.site_name,
        hotline=resident.hotline,
        ticket=ticket,
        headline=HEADLINES[ticket.status],
        promise=promise(ticket, resident.tz),
        assignee=service.directory.name_of(ticket.assignee_id),
        own=own,
        token=own.public_token,
        phone=mask_phone(own.reporter.phone),
        steps=steps,
        local=lambda moment: local(moment, resident.tz),
        photos=[resident.photos.url(name) for name in own.photos],
        photos_after=[] if merged else [resident.photos.url(n) for n in ticket.photos_after],
        signing=signing,
        parts=PARTS,
        rating=None if merged else rating_of(ticket),
        signature=resident.photos.url(ticket.signature)
        if ticket.signature and not merged
        else None,
        yuan=yuan,
        # a refresh would wipe a half-drawn signature: the page waits for the resident
        refresh_s=None if ticket.status in ENDED or signing else REFRESH_S,
    )


def _quote_reason(history: TicketHistory) -> str | None:
    """Why the price waiting for the resident's consent is higher, in the quote's own words."""
    if history.ticket.quote_pending_fen is None:
        return None
    quotes = (e.details for e in reversed(history.events) if isinstance(e.details, Quoted))
    return next((q.reason for q in quotes if q.pending), None)


_SIGNED = "感谢您的确认和评价！"
_REOPENED = "已收到，我们会安排师傅重新上门处理。"
_CONSENTED = "您已同意新的报价，师傅会按这个价格继续维修。"
_NOTICES = {"signed": _SIGNED, "reopened": _REOPENED, "consented": _CONSENTED}


async def confirm(request: web.Request) -> web.Response:
    """「已修好，确认」: the resident's signature (the canvas's PNG) and three ratings."""
    resident = request.app[RESIDENT]
    token = request.match_info["token"]
    refused = _refusal(request, token, "确认")
    if refused is not None:
        return refused
    form = await request.post()
    try:
        rating = Rating(
            _stars(form.get("overall")),
            _stars(form.get("speed")),
            _stars(form.get("attitude")),
            str(form.get("comment") or "") or None,
        )
        name = await signatures.keep(resident.photos, str(form.get("signature") or ""))
    except SignatureRejected as error:
        return await _status_page(request, str(error), 422)
    command = Command(Verb.CONFIRM, RESIDENT_ACTOR, rating=rating, signature=name)
    answer = await _act(request, token, command)
    if answer is not None:
        resident.photos.discard(name)
        return answer
    return web.Response(status=303, headers={"Location": f"/r/t/{token}?done=signed"})


async def reopen(request: web.Request) -> web.Response:
    """「没修好」: the job goes back to the crew as rework, with what is still wrong."""
    token = request.match_info["token"]
    refused = _refusal(request, token, "反馈")
    if refused is not None:
        return refused
    form = await request.post()
    reason = str(form.get("reason") or "")
    answer = await _act(request, token, Command(Verb.REOPEN, RESIDENT_ACTOR, reason=reason))
    if answer is not None:
        return answer
    return web.Response(status=303, headers={"Location": f"/r/t/{token}?done=reopened"})


async def consent(request: web.Request) -> web.Response:
    """「同意」: the resident agrees to the higher price their page showed (`amount`, in fen).
    A second tap, or a page left open after it was agreed, finds that price agreed already and
    is answered as the first was; a price changed since the page loaded is refused."""
    token = request.match_info["token"]
    refused = _refusal(request, token, "同意报价")
    if refused is not None:
        return refused
    form = await request.post()
    amount = _fen(form.get("amount"))
    try:
        ticket = (await request.app[SERVICE].public_history(token)).ticket
    except NotFound:
        ticket = None
    if ticket is None or ticket.quote_pending_fen is not None or ticket.quoted_fen != amount:
        command = Command(Verb.CONSENT, RESIDENT_ACTOR, amount_fen=amount)
        answer = await _act(request, token, command)
        if answer is not None:
            return answer
    return web.Response(status=303, headers={"Location": f"/r/t/{token}?done=consented"})


def _fen(value: object) -> int:
    """A whole number of fen as the page's form sends it; 0 (no price) for anything else."""
    text = str(value or "")
    return int(text) if text.isdecimal() and len(text) <= 12 else 0


def _stars(value: object) -> int:
    """A star radio's value; 0 (refused by the core, by name) when none was picked."""
    text = str(value or "")
    return int(text) if text.isdecimal() and len(text) == 1 else 0


def _refusal(request: web.Request, token: str, what: str) -> web.Response | None:
    """The answer to a post that is no link's or not from our own page; None for a good one:
    the page's link is the resident's secret, and only a form on our own page may use it."""
    resident = request.app[RESIDENT]
    if not _TOKEN.fullmatch(token):
        return _message(resident, 404, "没有找到这张报修单", "请检查链接是否完整，或重新扫码报修。")
    if not from_our_page(request):
        return _message(
            resident, 403, f"请在报修进度页面上{what}", f"请打开您的报修进度页面再{what}。"
        )
    return None


async def _act(request: web.Request, token: str, command: Command) -> web.Response | None:
    """The resident's command applied; the page to answer with when it was refused."""
    resident = request.app[RESIDENT]
    try:
        await request.app[SERVICE].act_as_resident(token, command, Source.WEB)
    except NotFound:
        return _message(resident, 404, "没有找到这张报修单", "请检查链接是否完整，或重新扫码报修。")
    except InvalidInput as error:
        return await _status_page(request, error.message, 422)
    except IllegalTransition as error:
        return await _status_page(request, error.message, 409)
    return None


async def hurry(request: web.Request) -> web.Response:
    """The resident's 催单 button. The page's link is the resident's secret: only a form on
    our own page posts it (a page elsewhere names its origin, and is refused), and the core's
    half-hour rule makes a second tap harmless."""
    resident = request.app[RESIDENT]
    token = request.match_info["token"]
    elsewhere = _refusal(request, token, "催单")
    if elsewhere is not None:
        return elsewhere
    command = Command(Verb.HURRY, RESIDENT_ACTOR)
    try:
        await request.app[SERVICE].act_as_resident(token, command, Source.WEB)
    except NotFound:
        return _message(resident, 404, "没有找到这张报修单", "请检查链接是否完整，或重新扫码报修。")
    except TooSoon as refused:
        response = await _status_page(request, refused.message, 429)
        response.headers["Retry-After"] = str(round(refused.wait.total_seconds()))
        return response
    except IllegalTransition:
        return await _status_page(request, "这张报修单已经处理完毕，不需要再催单了。", 409)
    return web.Response(status=303, headers={"Location": f"/r/t/{token}?hurried=1"})


def from_our_page(
    request: web.Request, content_type: str = "application/x-www-form-urlencoded"
) -> bool:
    """A form post from a page of this host: a browser names the page's origin (`Origin`,
    `Sec-Fetch-Site`) on every cross-site post, so a post without either is no browser's."""
    if request.content_type != content_type:
        return False
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin == "null":  # our pages' `no-referrer` policy hides the origin of their own posts
        return request.headers.get("Sec-Fetch-Site") == "same-origin"
    return origin is None or urlsplit(origin).netloc.lower() == request.host.lower()


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
    app.router.add_post("/r/t/{token}/hurry", hurry)
    app.router.add_post("/r/t/{token}/confirm", confirm)
    app.router.add_post("/r/t/{token}/reopen", reopen)
    app.router.add_post("/r/t/{token}/consent", consent)
    app.router.add_get(f"{ROUTE}/{{name}}", photo)
    app.router.add_static("/r/static", Path(__file__).parent / "static")
