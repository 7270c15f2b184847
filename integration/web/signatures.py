"""The resident's signature: a PNG drawn on the status page's canvas, checked and stored.

The canvas sends a `data:image/png;base64,…` URL in a form field. It is decoded by Pillow as
a PNG and nothing else, refused above MAX_BYTES or MAX_SIDE before its pixels are decoded,
flattened onto white and written anew (only the pixels: no text chunks, no profile), in
the photo store under a name nobody can guess, so the status page and the work order show it
from the same route as the photos. A canvas with no stroke on it is refused: a tap on
「确认」 without signing is no signature.
"""

import asyncio
import base64
import binascii
import io

from PIL import Image

from integration.web.photos import PhotoStore

PREFIX = "data:image/png;base64,"
MAX_BYTES = 300 * 1024
MAX_SIDE = 2000
"""The canvas is at most the phone's width times its pixel ratio; anything larger is no
signature of ours."""
INK = 160
"""A pixel darker than this (of 255) is ink."""
MIN_INK_SIDE = 8
"""The strokes must cover at least this many pixels across or down: a dot is no signature."""

BLANK = "请先在签名框里签名，再确认修好"
UNREADABLE = "签名没有保存成功，请清除后重新签一次"


class SignatureRejected(ValueError):
    """The signature cannot be kept; the message tells the resident what to do."""


def decode(field: str) -> bytes:
    """The PNG's bytes from the form field's data URL; refused when it is none."""
    if not field:
        raise SignatureRejected(BLANK)
    if not field.startswith(PREFIX) or len(field) > len(PREFIX) + MAX_BYTES * 4 // 3 + 4:
        raise SignatureRejected(UNREADABLE)
    try:
        return base64.b64decode(field[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureRejected(UNREADABLE) from None


def clean(data: bytes) -> bytes:
    """The signature as a clean greyscale PNG on white; refused when it is not a PNG of a
    canvas's size or has no strokes on it."""
    if len(data) > MAX_BYTES:
        raise SignatureRejected(UNREADABLE)
    try:
        with Image.open(io.BytesIO(data), formats=("PNG",)) as image:
            if max(image.size) > MAX_SIDE:
                raise SignatureRejected(UNREADABLE)
            drawn = image.convert("RGBA")
    except SignatureRejected:
        raise
    except Exception as error:  # whatever the decoder makes of hostile bytes
        raise SignatureRejected(UNREADABLE) from error
    paper = Image.new("RGBA", drawn.size, "white")
    paper.alpha_composite(drawn)
    grey = paper.convert("L")
    ink = grey.point(lambda value: 255 if value < INK else 0).getbbox()
    if ink is None or max(ink[2] - ink[0], ink[3] - ink[1]) < MIN_INK_SIDE:
        raise SignatureRejected(BLANK)
    out = io.BytesIO()
    grey.save(out, "PNG", optimize=True)
    return out.getvalue()


async def keep(store: PhotoStore, field: str) -> str:
    """Check the signature in `field` and store it; its name, for the ticket."""
    png = await asyncio.to_thread(clean, decode(field))
    return store.add_image(png, "png")
