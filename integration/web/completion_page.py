"""The technician's completion page (完工单) at /w/{number}/{key}: what a chat card's form
cannot hold, on the phone the technician already has in hand.

The assignee's own card links here (cards/build.py). The page records the completion the
card's 完工 would, with the fee lines picked from the schedule for the job's category, the
materials used and who supplied them, and photos taken after the repair, as the assignee:
the key is theirs alone (tickets/work_key.py), and the core decides as for any click. Each
fee line is priced by the schedule before anything is sent, so a problem is shown beside
its own row; nothing is stored until the whole form is right, and a refused form keeps what
was typed (the photos are chosen again, as on the report form).
"""

import re
from dataclasses import dataclass

from aiohttp import web

from integration.web.api import SERVICE
from integration.web.multipart import Malformed, Posted, read_posted
from integration.web.photos import MAX_BYTES, MAX_PHOTOS
from integration.web.resident import RESIDENT, _message, _page, from_our_page
from tickets.actions import Command, Verb
from tickets.errors import IllegalTransition, InvalidInput, NotFound, TicketError
from tickets.fees import (
    FeeRequest,
    FeeSchedule,
    Material,
    SuppliedBy,
    fen,
    quantity,
    yuan,
)
from tickets.machine import ALLOWED_FROM
from tickets.model import Actor, Ticket
from tickets.states import Source, Status
from tickets.work_key import KEY_LENGTH, opens

FEE_ROWS = 4
MATERIAL_ROWS = 3
_KEY = re.compile(rf"[A-Za-z0-9_-]{{{KEY_LENGTH}}}")
_NUMBER = re.compile(r"[A-Z0-9-]{1,32}")
_OPEN_AGAIN = "打开聊天里的工单卡片，点「填写完工单」"
_GONE = (
    "链接无效或已失效",
    f"这张工单可能已转给别人。请{_OPEN_AGAIN}。",
)


def _fields() -> dict[str, str]:
    names = ["findings", "note"]
    fee_parts, material_parts = ("code", "qty", "price"), ("name", "qty", "unit", "by")
    names += [f"fee_{part}_{i}" for i in range(1, FEE_ROWS + 1) for part in fee_parts]
    names += [f"mat_{part}_{i}" for i in range(1, MATERIAL_ROWS + 1) for part in material_parts]
    values = dict.fromkeys(names, "")
    values.update({f"fee_qty_{i}": "1" for i in range(1, FEE_ROWS + 1)})
    return values


@dataclass(frozen=True)
class Read:
    """The rows as the core takes them."""

    fees: tuple[FeeRequest, ...]
    materials: tuple[Material, ...]


async def completion_form(request: web.Request) -> web.Response:
    ticket = await _ticket(request)
    if ticket is None:
        return _message(request.app[RESIDENT], 404, *_GONE)
    return _answer(request, ticket, Posted(_fields()))


async def complete(request: web.Request) -> web.Response:
    resident = request.app[RESIDENT]
    ticket = await _ticket(request)
    if ticket is None:
        return _message(resident, 404, *_GONE)
    if not from_our_page(request, "multipart/form-data"):
        return _message(
            resident, 403, "请在完工单页面上提交", "请打开工单卡片上的「填写完工单」再提交。"
        )
    form = Posted(_fields())
    with resident.photos.upload() as upload:
        try:
            await read_posted(request, form, upload)
        except (Malformed, ValueError):
            return _message(
                resident, 400, "提交的内容无法识别", "请回到完工单页面，重新填写后提交。"
            )
        read = _read(form, ticket, request.app[SERVICE].fees)
        if form.errors:
            return _answer(request, ticket, form, 422)
        command = Command(
            Verb.COMPLETE,
            Actor.member(ticket.assignee_id or ""),
            findings=form.values["findings"],
            note=form.values["note"] or None,
            fees=read.fees,
            materials=read.materials,
            photos=upload.publish(),
        )
        try:
            await request.app[SERVICE].act(ticket.number, command, Source.WEB)
        except (InvalidInput, IllegalTransition) as error:
            form.errors[_field_of(error)] = error.message
            return _answer(
                request, ticket, form, 409 if isinstance(error, IllegalTransition) else 422
            )
        except TicketError as error:
            return _message(resident, 403, "没能完工", error.message)
        upload.keep()
    path = request.path
    return web.Response(status=303, headers={"Location": path})


def _field_of(error: InvalidInput | IllegalTransition) -> str:
    """Where the page shows a refusal: beside the field the core named, else at the top."""
    named = error.field if isinstance(error, InvalidInput) else None
    return named if named in ("findings", "note") else "form"


async def _ticket(request: web.Request) -> Ticket | None:
    """The job the link opens; None for no ticket, or a key not its assignee's."""
    number, key = request.match_info["number"], request.match_info["key"]
    if not _NUMBER.fullmatch(number) or not _KEY.fullmatch(key):
        return None
    try:
        ticket = (await request.app[SERVICE].history(number)).ticket
    except NotFound:
        return None
    return ticket if opens(ticket, key) else None


_WAIT = {
    Status.ASSIGNED: "请先在工单卡片上点「开始维修」，修好后再填写完工单。",
    Status.PAUSED: "这张工单已暂停。请先在工单卡片上点「继续」，修好后再填写完工单。",
}
_RECORDED = frozenset({Status.COMPLETED, Status.CONFIRMED, Status.CLOSED})


def _read(form: Posted, ticket: Ticket, schedule: FeeSchedule) -> Read:
    """The fee requests and materials the rows hold, each row's problem kept beside it."""
    values, errors = form.values, form.errors
    if not values["findings"].strip():
        errors["findings"] = "请填写检查结果：故障原因是什么"
    fees: list[FeeRequest] = []
    for i in range(1, FEE_ROWS + 1):
        code = values[f"fee_code_{i}"].strip()
        if not code:
            continue
        try:
            price = values[f"fee_price_{i}"].strip()
            request = FeeRequest(
                code,
                quantity(values[f"fee_qty_{i}"]),
                fen(price, what="单价") if price else None,
            )
            schedule.line(request.code, request.quantity, request.price_fen, ticket.category)
            fees.append(request)
        except InvalidInput as error:
            errors[f"fee_{i}"] = error.message
    materials: list[Material] = []
    for i in range(1, MATERIAL_ROWS + 1):
        name = values[f"mat_name_{i}"].strip()
        if not name:
            continue
        unit = values[f"mat_unit_{i}"].strip()
        try:
            amount = quantity(values[f"mat_qty_{i}"], what=f"「{name}」的数量")
            if not unit:
                raise InvalidInput(f"请填写「{name}」的单位，如 个、米", field="materials")
            supplied = SuppliedBy(values[f"mat_by_{i}"])
        except InvalidInput as error:
            errors[f"mat_{i}"] = error.message
            continue
        except ValueError:
            errors[f"mat_{i}"] = f"请选择「{name}」是业主自备还是物业提供"
            continue
        materials.append(Material(name, amount, unit, supplied))
    return Read(tuple(fees), tuple(materials))


def _answer(request: web.Request, ticket: Ticket, form: Posted, status: int = 200) -> web.Response:
    resident = request.app[RESIDENT]
    service = request.app[SERVICE]
    return _page(
        "completion.html",
        status,
        site_name=resident.site_name,
        ticket=ticket,
        open=ticket.status in ALLOWED_FROM[Verb.COMPLETE],
        recorded=ticket.status in _RECORDED,
        wait=_WAIT.get(ticket.status, f"这张工单{ticket.status.label}，不能再填写完工单。"),
        assignee=service.directory.name_of(ticket.assignee_id),
        items=service.fees.for_category(ticket.category),
        form=form,
        fee_rows=range(1, FEE_ROWS + 1),
        material_rows=range(1, MATERIAL_ROWS + 1),
        suppliers=list(SuppliedBy),
        yuan=yuan,
        photos=[resident.photos.url(name) for name in ticket.photos_after],
        max_photos=MAX_PHOTOS,
        max_bytes=MAX_BYTES,
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/w/{number}/{key}", completion_form)
    app.router.add_post("/w/{number}/{key}", complete)
