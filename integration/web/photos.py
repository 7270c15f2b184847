"""Residents' photos: verified, re-encoded and stored under names nobody can guess.

Every photo is decoded by Pillow (JPEG, PNG or WebP, nothing else) and written anew as a JPEG
of at most 2048 px on its long side. Only the pixels are copied, so EXIF (with the phone's GPS
position), XMP, colour profiles and whatever else a hostile file carries never reach the disk.
HEIC is refused: Pillow reads it only with the pillow-heif plug-in and its bundled libheif.
iPhones send JPEG to a file input that accepts only these types.

The photos of one submission form an `Upload`: staged under temporary names while the form is
read, given their final names once the whole report is valid, and deleted again unless the
ticket that names them was stored.
"""

import asyncio
import io
import re
import secrets
from pathlib import Path
from types import TracebackType

from PIL import Image, ImageOps

MAX_PHOTOS = 4
MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 2048
MAX_PIXELS = 50_000_000
"""Refused before decoding: a small PNG can unpack to gigabytes."""
FORMATS = ("JPEG", "PNG", "WEBP")
QUALITY = 85

UNREADABLE = "无法识别：只支持 JPG、PNG、WebP 格式的照片"
TOO_MANY_PIXELS = "像素太大，请换一张照片"

_NAME = re.compile(r"[A-Za-z0-9_-]{22}\.jpg")
"""What `secrets.token_urlsafe(16)` plus the suffix gives: the only names ever served."""
_STAGED = ".part"


class PhotoRejected(ValueError):
    """The file is not a photo we accept; the message tells the resident why."""


def reencode(data: bytes) -> bytes:
    """The photo as a clean JPEG, upright, at most MAX_SIDE px; CPU-bound, run it in a thread."""
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError:
        raise PhotoRejected(TOO_MANY_PIXELS) from None
    except Exception as error:  # whatever the decoder makes of hostile bytes: not a photo
        raise PhotoRejected(UNREADABLE) from error
    if image.width * image.height > MAX_PIXELS:
        raise PhotoRejected(TOO_MANY_PIXELS)
    try:
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG decodes at a fraction of its size
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        upright = ImageOps.exif_transpose(image).convert("RGBA")
    except Exception as error:
        raise PhotoRejected(UNREADABLE) from error
    pixels = Image.new("RGB", upright.size, "white")  # transparency shows as white
    pixels.paste(upright, mask=upright.getchannel("A"))
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


ROUTE = "/media/photos"
"""Where the app serves stored photos: the resident's page, the sandbox and DingTalk (which
fetches them itself) show them from here."""


class PhotoStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path | None:
        """The file of a stored photo; None for any name this store never gives out."""
        return self.root / name if _NAME.fullmatch(name) else None

    @staticmethod
    def url(name: str) -> str:
        """The photo's address on this app, from its root."""
        return f"{ROUTE}/{name}"

    def upload(self) -> "Upload":
        return Upload(self.root)


class Upload:
    """Photos of one submission; leaving the `with` block deletes them unless `keep` was called."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._files: list[Path] = []
        self._kept = False

    def __enter__(self) -> "Upload":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if not self._kept:
            for file in self._files:
                file.unlink(missing_ok=True)

    async def add(self, data: bytes) -> None:
        """Check and stage one photo; raises PhotoRejected."""
        jpeg = await asyncio.to_thread(reencode, data)
        # Written here, not in the thread: a cancelled request must not leave a late file.
        self._root.mkdir(parents=True, exist_ok=True)
        staged = self._root / f"{secrets.token_urlsafe(16)}{_STAGED}"
        self._files.append(staged)
        staged.write_bytes(jpeg)

    def publish(self) -> tuple[str, ...]:
        """Give the staged photos their final names, which the ticket will hold."""
        self._files = [file.replace(file.with_suffix(".jpg")) for file in self._files]
        return tuple(file.name for file in self._files)

    def keep(self) -> None:
        self._kept = True
