"""Ticket numbers: `BX` + the site's local date + `-` + a daily sequence, e.g. BX20261128-0007.

Short enough to read over the phone, sortable, and telling the day at a glance. The sequence
itself comes from storage, which makes it unique under concurrent creation.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

PREFIX = "BX"


def local_day(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def format_number(day: date, sequence: int) -> str:
    return f"{PREFIX}{day:%Y%m%d}-{sequence:04d}"
