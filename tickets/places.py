"""Where a fault is, as one key however it was typed: 3栋2单元501, 3号楼2单元501室, 3幢2单元501,
三栋二单元五零一, ３栋２单元５０１ and 3-2-501 are all the place "3栋2单元501".

Residents, the desk and QR posters spell a place many ways; duplicate reports and hot spots
compare places, so they compare these keys. What follows a flat's number (厨房, 卫生间) is left
out of the key: a leak in 501's kitchen and one in its bathroom are at the same flat. Text
before the building (an estate or phase, 阳光花园二期) is kept, so two estates of one site stay
apart. A location with no building in it (地下车库, 南门岗亭) is its own key, without spaces.
"""

import re
import unicodedata
from dataclasses import dataclass

_NUM = "[0-9零〇一二两三四五六七八九十百]+"
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_PLACE = re.compile(
    rf"""
    (?P<prefix>.*?)
    (?<![A-Za-z0-9])(?P<building>{_NUM}|[A-Z])(?:号楼|栋|幢|座|号|\#|-)
    (?:(?P<unit>{_NUM})(?:单元|-))?
    (?:(?P<floor>{_NUM})(?:楼|层|F)(?![0-9]))?
    (?:(?P<room>[0-9]+|[零〇一二三四五六七八九]{{3,4}})(?:室|房|号)?)?
    (?P<rest>.*)
    """,
    re.VERBOSE,
)
_NOISE = re.compile(r"[\s·.,，。、:：()（）]+")


@dataclass(frozen=True)
class Place:
    key: str
    """The canonical spelling: the same for every way of writing the place."""
    building: str | None = None
    """The building's key (阳光花园3栋); None for a place outside any building."""
    unit: int | None = None
    floor: int | None = None
    """From a flat's number (501 is on floor 5) or an explicit floor (5楼)."""


def place(text: str) -> Place:
    """The place a location names (see the module's docstring)."""
    plain = _NOISE.sub("", unicodedata.normalize("NFKC", text)).upper()
    plain = re.sub(f"第(?={_NUM})", "", plain)
    found = _PLACE.fullmatch(plain)
    if found is None or not plain:
        return Place(plain)
    building = f"{found['prefix']}{_token(found['building'])}栋"
    unit = _number(found["unit"]) if found["unit"] else None
    room = _number(found["room"]) if found["room"] else None
    floor = _number(found["floor"]) if found["floor"] else None
    if floor is None and room is not None and room >= 100:
        floor = room // 100
    key = building + (f"{unit}单元" if unit is not None else "")
    if room is not None:
        key += str(room)
    else:
        key += (f"{floor}层" if floor is not None else "") + found["rest"]
    return Place(key, building, unit, floor)


def place_key(text: str) -> str:
    """The key tickets store (`Ticket.place`) and the hot spots group by."""
    return place(text).key


def neighbours(a: Place, b: Place) -> bool:
    """Whether a fault at `a` may be the one reported at `b`: the same place, or in the same
    building the same unit (where both say) on the same or an adjacent floor. A part of a
    building with no floor (its lobby, its lift, a unit's stairwell) neighbours anything in
    it: a burst pipe floods the lobby as well as the flats."""
    if a.key == b.key:
        return True
    if a.building is None or a.building != b.building:
        return False
    if a.unit is not None and b.unit is not None and a.unit != b.unit:
        return False
    if a.floor is None or b.floor is None:
        return True
    return abs(a.floor - b.floor) <= 1


def _token(text: str) -> str:
    return text if text.isalpha() and text.isascii() else str(_number(text))


def _number(text: str) -> int:
    """Arabic or Chinese: 12, 十二, 二十一, 一百零一; digit by digit (五零一) when it has no
    十 or 百."""
    if text.isdecimal():
        return int(text)
    if "十" not in text and "百" not in text:
        return int("".join(str(_DIGITS[c]) for c in text))
    total = current = 0
    for c in text:
        if c in _DIGITS:
            current = _DIGITS[c]
        else:
            total += (current or 1) * (100 if c == "百" else 10)
            current = 0
    return total + current
