"""The published fee schedule (维修服务项目及收费标准) at /r/fees, for residents.

A resident should know what a repair costs before reporting it, and the property company
must publish its prices. The page lists the schedule of the config file grouped by the
category each item applies to, in the order the report form offers the categories, with the
items for any category last, each priced in the schedule's own words (`FeeItem.price_words`).
It is public, like the report form it is linked from.
"""

from dataclasses import dataclass

from aiohttp import web

from integration.web.resident import RESIDENT, _page
from tickets.fees import FeeItem, FeeSchedule

FEES = web.AppKey("fees", FeeSchedule)
ANY = "各类报修通用"


@dataclass(frozen=True)
class Group:
    title: str
    items: list[FeeItem]


def groups(schedule: FeeSchedule, categories: tuple[str, ...]) -> list[Group]:
    """The schedule's items under their category, in the form's order; empty ones left out."""
    items = list(schedule.items.values())
    found = [Group(c, [i for i in items if i.category == c]) for c in categories]
    found.append(Group(ANY, [i for i in items if i.category is None]))
    return [group for group in found if group.items]


async def fees_page(request: web.Request) -> web.Response:
    resident = request.app[RESIDENT]
    return _page(
        "fees.html",
        site_name=resident.site_name,
        hotline=resident.hotline,
        groups=groups(request.app[FEES], resident.categories),
    )


def add_routes(app: web.Application, schedule: FeeSchedule) -> None:
    app[FEES] = schedule
    app.router.add_get("/r/fees", fees_page)
