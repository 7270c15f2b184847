"""The work order (《工作服务单》) for staff and finance: a printable page and a PDF.

Both sit under the API (/api/v1/tickets/{number}/work-order.html and .pdf), behind the same
API key as the ticket's JSON: the order is the whole record of a job, for staff, not a
resident's page. A tool or the office's intranet fetches them with the key; the page needs
nothing else (its stylesheet and the signature image are served without the key, as a
resident's page serves them). The PDF is drawn on a worker thread: fontTools reading a CJK
font takes a few hundred milliseconds that other requests should not wait for.
"""

import asyncio

from aiohttp import web

from cards.fonts import FontNotFoundError, find_font
from cards.render_pdf import work_order_pdf
from cards.work_order import WorkOrder, work_order
from integration.web.api import NUMBER, SERVICE
from integration.web.errors import error_response
from integration.web.photos import PhotoStore
from integration.web.resident import RESIDENT, _page

PATH = f"/api/v1/tickets/{NUMBER}/work-order"


async def _order(request: web.Request) -> WorkOrder:
    service = request.app[SERVICE]
    resident = request.app[RESIDENT]
    ticket = (await service.history(request.match_info["number"])).ticket
    return work_order(ticket, service.directory, resident.tz, resident.site_name)


async def work_order_page(request: web.Request) -> web.Response:
    order = await _order(request)
    signature = PhotoStore.url(order.signature) if order.signature else None
    return _page("work_order.html", site_name=order.site_name, order=order, signature=signature)


async def work_order_file(request: web.Request) -> web.Response:
    order = await _order(request)
    stored = request.app[RESIDENT].photos.path(order.signature) if order.signature else None
    signature = stored.read_bytes() if stored is not None and stored.is_file() else None
    try:
        font = find_font(truetype=True)
    except FontNotFoundError as error:
        return error_response(503, "no_font", str(error))
    pdf = await asyncio.to_thread(work_order_pdf, order, signature, font)
    return web.Response(
        body=pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="work-order-{order.number}.pdf"',
            "Cache-Control": "no-store",
        },
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get(f"{PATH}.html", work_order_page)
    app.router.add_get(f"{PATH}.pdf", work_order_file)
