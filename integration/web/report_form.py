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

from integration.web.multipart import (
    TOO_LARGE,
    Budget,
    Malformed,
    Posted,
    TooLarge,
    read_part,
    read_text,
)
from integration.web.photos import Upload
from integration.web.schemas import TicketCreate, in_words
from tickets.states import Channel

MAX_AHEAD = timedelta(days=90)
"""Latest preferred visit time a resident may ask for."""

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
class ReportForm(Posted):
    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, ""))
    key: str = ""


class TooOften(Exception):
    """The client is over its report limit; `wait` is the seconds until it may report again.
    `form` holds what was typed, to give back to the resident: the text fields before the
    photos (the page sends them first), the photos left unread."""

    def __init__(self, wait: float, form: ReportForm) -> None:
        super().__init__(wait)
        self.wait = wait
        self.form = form


async def read_form(
    request: web.Request, upload: Upload, admit: Callable[[str], float]
) -> ReportForm:
    """The form as sent; `admit(key)` counts the report before anything past the key is read,
    answering 0 or the seconds to wait, which are raised as TooOften."""
    form = ReportForm()
    budget = Budget()
    reader = await request.multipart()
    try:
        part = await reader.next()
        if isinstance(part, BodyPartReader) and part.name == "key":
            form.key = await read_text(part, budget)
            part = await reader.next()
        wait = admit(form.key if _KEY.fullmatch(form.key) else secrets.token_urlsafe(24))
        while part is not None:
            if not isinstance(part, BodyPartReader):
                raise Malformed
            if wait and (part.filename is not None or part.name not in form.values):
                form.photos += bool(part.filename)  # to be chosen again: say so
                break  # the text typed goes back to the resident; nothing more is read
            await read_part(part, form, upload, budget)
            part = await reader.next()
    except TooLarge:
        form.errors["photos"] = TOO_LARGE
    if wait:
        raise TooOften(wait, form)
    return form


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
