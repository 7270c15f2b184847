"""Reading and checking the resident's report form: streamed multipart, the API's limits,
answers in Chinese beside each field.

The client's report limit is taken before the photos are read, let alone decoded: a client over
its limit must cost nothing but a few bytes. The limiter counts forms by their key, so that a
form sent again (a double tap, a correction after an error) costs nothing more; the key is the
form's first field (a browser sends the fields in page order), so it is read first and counted
at once. Counting the client alone before the body and the key after would refuse a resent form
once the limit is reached, which is exactly the resend the key is there to allow. A request that
does not open with a key of the form's shape (not what our page sends) is counted as a report
of its own under a key nobody will send again.
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiohttp import BodyPartReader, web
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from integration.web.photos import MAX_BYTES, MAX_PHOTOS, PhotoRejected, Upload
from integration.web.schemas import TicketCreate, in_words
from tickets.states import Channel

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
_EMPTY = {
    "name": "请填写您的姓名",
    "location": "请填写报修位置，例如 3栋2单元501",
    "category": "请选择报修类型",
    "description": "请简单描述一下问题",
}


@dataclass
class ReportForm:
    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, ""))
    key: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    """Field name, or "form" for the form as a whole, to the message shown beside it."""
    photos: int = 0


class Malformed(Exception):
    """Not what a browser sends for this form."""


class TooOften(Exception):
    """The client is over its report limit; `wait` is the seconds until it may report again.
    `form` holds what was typed, to give back to the resident: the text fields before the
    photos (the page sends them first), the photos left unread."""

    def __init__(self, wait: float, form: ReportForm) -> None:
        super().__init__(wait)
        self.wait = wait
        self.form = form


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
            raise Malformed
        data = bytearray()
        while chunk := await part.read_chunk():
            self.left -= len(chunk)
            if self.left < 0:
                raise _TooLarge
            if len(data) <= limit:
                data += chunk
        return bytes(data)


async def read_form(
    request: web.Request, upload: Upload, admit: Callable[[str], float]
) -> ReportForm:
    """The form as sent; `admit(key)` counts the report before anything past the key is read,
    answering 0 or the seconds to wait, which are raised as TooOften."""
    form = ReportForm()
    budget = _Budget()
    reader = await request.multipart()
    try:
        part = await reader.next()
        if isinstance(part, BodyPartReader) and part.name == "key":
            form.key = await _text(part, budget)
            part = await reader.next()
        wait = admit(form.key if _KEY.fullmatch(form.key) else secrets.token_urlsafe(24))
        while part is not None:
            if not isinstance(part, BodyPartReader):
                raise Malformed
            if wait and (part.filename is not None or part.name not in form.values):
                form.photos += bool(part.filename)  # to be chosen again: say so
                break  # the text typed goes back to the resident; nothing more is read
            if part.name == "photos" and part.filename is not None:
                await _read_photo(part, form, upload, budget)
            elif part.name in form.values:
                form.values[part.name] = await _text(part, budget)
            else:
                await _text(part, budget)  # counted against the budget all the same
            part = await reader.next()
    except _TooLarge:
        form.errors["photos"] = f"照片太大了：最多 {MAX_PHOTOS} 张，每张不超过 5 MB"
    if wait:
        raise TooOften(wait, form)
    return form


async def _text(part: BodyPartReader, budget: _Budget) -> str:
    text = (await budget.read(part, TEXT_BYTES))[:TEXT_BYTES]
    return text.decode("utf-8", "replace").replace("\r\n", "\n")


async def _read_photo(
    part: BodyPartReader, form: ReportForm, upload: Upload, budget: _Budget
) -> None:
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


def validate(
    form: ReportForm, categories: tuple[str, ...], tz: ZoneInfo, now: datetime
) -> TicketCreate | None:
    """The report, or None with `form.errors` saying what to fix; the API's limits apply."""
    errors = form.errors
    values = form.values
    if not _KEY.fullmatch(form.key):
        errors["form"] = "页面已过期，请检查后再提交一次"
        form.key = secrets.token_urlsafe(24)
    if values["category"] not in categories:
        errors["category"] = _EMPTY["category"]
    appointment = _appointment(values["appointment_at"], tz, now, errors)
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


def _problem(name: str, item: ErrorDetails) -> str:
    """An empty field gets an example of what to write; anything else, the schema's words."""
    if item["type"] in ("value_error", "string_too_long"):
        return in_words(item)
    return _EMPTY[name]


def _appointment(raw: str, tz: ZoneInfo, at: datetime, errors: dict[str, str]) -> datetime | None:
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
    now = at.astimezone(tz).replace(second=0, microsecond=0)
    if moment < now:
        errors["appointment_at"] = "这个时间已经过去了，请选择以后的时间"
    elif moment > now + MAX_AHEAD:
        errors["appointment_at"] = f"请选择 {MAX_AHEAD.days} 天以内的时间"
    return moment
