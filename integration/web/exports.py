"""GET /api/v1/tickets/export?from=&to=&format=csv|xlsx: the tickets of a period as a file,
behind the API key like the rest of the API (`integration/export.py` says what is in it).

The answer is streamed, so memory stays flat whatever the period: CSV goes out batch by batch
as the tickets are read (chunked; a failure half-way cuts the connection, and an unterminated
chunked answer tells the client the file is incomplete). A workbook can only be sent once
whole (its index comes last), so it is written to a temporary file first, then sent from it.
"""

import asyncio
import tempfile
from pathlib import Path

from aiohttp import web

from integration.export import MEDIA_TYPES, TicketExport, file_name, kind, period
from integration.web.api import SERVICE
from tickets.errors import InvalidInput

PATH = "/api/v1/tickets/export"
PARAMETERS = ("from", "to", "format")
CHUNK = 64 * 1024


async def export_tickets(request: web.Request) -> web.StreamResponse:
    for name in request.query:
        if name not in PARAMETERS:
            raise InvalidInput(f"没有「{name[:40]}」这一项，请删掉", field=name[:40])
    service = request.app[SERVICE]
    asked = period(request.query.get("from"), request.query.get("to"), service.tz)
    wanted = kind(request.query.get("format", "csv"))
    export = TicketExport(service, asked)
    named = f"{file_name(asked, service.tz)}.{wanted}"
    response = web.StreamResponse(
        headers={
            "Content-Disposition": f'attachment; filename="{named}"',
            "Cache-Control": "no-store",
        }
    )
    response.content_type = MEDIA_TYPES[wanted]
    if wanted == "csv":
        response.charset = "utf-8"
        await response.prepare(request)
        async for chunk in export.csv():
            await response.write(chunk)
    else:
        with tempfile.TemporaryDirectory(prefix="baoxiu-export-") as folder:
            path = Path(folder) / "export.xlsx"
            await export.xlsx(path)
            response.content_length = path.stat().st_size
            await response.prepare(request)
            with path.open("rb") as file:
                while chunk := await asyncio.to_thread(file.read, CHUNK):
                    await response.write(chunk)
    await response.write_eof()
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get(PATH, export_tickets)
