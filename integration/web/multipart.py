"""Reading a page's multipart form with photos: streamed, within a byte budget, each photo
checked and staged as it arrives, problems kept to be shown beside the field.

Both pages that take photos (the resident's report, the technician's completion) read their
forms here, so an oversized or hostile upload is refused the same way on each.
"""

from dataclasses import dataclass, field

from aiohttp import BodyPartReader, web

from integration.web.photos import MAX_BYTES, MAX_PHOTOS, PhotoRejected, Upload

MAX_REQUEST = 48 * 1024 * 1024
"""Bytes read from one submission at most: room to refuse oversized photos with a proper
answer, while a runaway upload is cut off."""
MAX_PARTS = 64
TEXT_BYTES = 16 * 1024
"""Kept of a text field: more than any limit allows, so an overlong value still fails."""
TOO_LARGE = f"照片太大了：最多 {MAX_PHOTOS} 张，每张不超过 5 MB"


@dataclass
class Posted:
    """A form as sent: the text of each field named in `values` beforehand (others are read
    and dropped), how many photos came, and field name ("form" for the whole form) to the
    message shown beside it."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    photos: int = 0


class Malformed(Exception):
    """Not what a browser sends for this form."""


class TooLarge(Exception):
    """The submission went past MAX_REQUEST."""


class Budget:
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
                raise TooLarge
            if len(data) <= limit:
                data += chunk
        return bytes(data)


async def read_posted(request: web.Request, form: Posted, upload: Upload) -> None:
    """Fill `form` from the request; the photos (field `photos`) are staged in `upload`."""
    budget = Budget()
    reader = await request.multipart()
    try:
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise Malformed
            await read_part(part, form, upload, budget)
    except TooLarge:
        form.errors["photos"] = TOO_LARGE


async def read_part(part: BodyPartReader, form: Posted, upload: Upload, budget: Budget) -> None:
    if part.name == "photos" and part.filename is not None:
        await _read_photo(part, form, upload, budget)
    elif part.name in form.values:
        form.values[part.name] = await read_text(part, budget)
    else:
        await read_text(part, budget)  # counted against the budget all the same


async def read_text(part: BodyPartReader, budget: Budget) -> str:
    text = (await budget.read(part, TEXT_BYTES))[:TEXT_BYTES]
    return text.decode("utf-8", "replace").replace("\r\n", "\n")


async def _read_photo(part: BodyPartReader, form: Posted, upload: Upload, budget: Budget) -> None:
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
