"""A time as a person types it on a card (改约上门时间), read in the site's zone.

Chat cards have no date picker that every platform shares, so the form is a text box and
people write what they would write in a message: 12-03 14:00, 12月3日14:00, 明天 14:00. A
month and day without a year is the next such day: in December, 01-05 is January next year.
Whether the time is sensible (in the future, not too far) is the core's rule, not this one's.
"""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tickets.errors import InvalidInput

EXAMPLES = "12-03 14:00、12月3日14:00 或 明天 14:00"

_DAYS = {"今天": 0, "明天": 1, "后天": 2}
_CLOCK = r"(?P<hour>\d{1,2})(?:[:：点](?P<minute>\d{1,2})?分?|点半(?P<half>))"
_FORMS = (
    re.compile(
        rf"(?:(?P<year>\d{{4}})[-/.年])?(?P<month>\d{{1,2}})[-/.月](?P<day>\d{{1,2}})[日号]?\s*{_CLOCK}"
    ),
    re.compile(rf"(?P<relative>今天|明天|后天)\s*(?:(?:上午|早上)|(?P<pm>下午|晚上))?\s*{_CLOCK}"),
)


def read_when(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """The moment `text` names, aware, in `tz`; a precise refusal when it names none."""
    typed = " ".join(text.split())
    for form in _FORMS:
        found = form.fullmatch(typed)
        if found is not None:
            return _moment(found, tz, now.astimezone(tz).date(), typed)
    raise InvalidInput(f"看不懂「{typed}」这个时间，请写成 {EXAMPLES}", field="at")


def _moment(found: re.Match[str], tz: ZoneInfo, today: date, typed: str) -> datetime:
    parts = found.groupdict()
    hour = int(parts["hour"])
    minute = 30 if parts.get("half") is not None else int(parts["minute"] or 0)
    if parts.get("pm") and hour < 12:
        hour += 12
    try:
        if parts.get("relative"):
            day = today + timedelta(days=_DAYS[parts["relative"]])
        else:
            year = int(parts["year"]) if parts["year"] else today.year
            day = date(year, int(parts["month"]), int(parts["day"]))
            if not parts["year"] and day < today:
                day = date(year + 1, day.month, day.day)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    except ValueError:
        raise InvalidInput(
            f"「{typed}」不是一个真实的日期或时间，请写成 {EXAMPLES}", field="at"
        ) from None
