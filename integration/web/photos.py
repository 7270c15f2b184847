"""Residents' photos: verified, re-encoded and stored under names nobody can guess.

Every photo is decoded by Pillow (JPEG, PNG or WebP, nothing else) and written anew as a JPEG
of at most 2048 px on its long side. Only the pixels are copied, so EXIF (with the phone's GPS
position), XMP, colour profiles and whatever else a hostile file carries never reach the disk.
HEIC is refused: Pillow reads it only with the pillow-heif plug-in and its bundled libheif.
iPhones send JPEG to a file input that accepts only these types.

A photo is refused from its header, before a pixel is decoded, when Pillow would need more
than MAX_DECODED_BYTES for it: a 300 KB PNG of a black square 7000 px wide unpacks to 400 MB.
JPEGs are decoded at a reduced scale first (`draft`), so a phone's 50 MP photo costs a quarter
of its size. The header is read on the event loop, so such a photo is refused at once, without
waiting for a thread; the pixels are decoded on the store's few threads (`decoding`, for the
life of the app, integration/web/decoders.py): at most DECODERS × MAX_DECODED_BYTES is held.

The photos of one submission form an `Upload`: staged under temporary names while the form is
read, given their final names once the whole report is valid, and deleted again unless the
ticket that names them was stored.
"""

import contextlib
import functools
import io
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from PIL import Image, ImageFile, ImageOps

from integration.web.decoders import Decoders
from tickets.model import MAX_PHOTOS as MAX_PHOTOS  # the core's cap, which the forms show

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 2048
MAX_PIXELS = 50_000_000
"""Refused before decoding: a small PNG can unpack to gigabytes."""
MAX_DECODED_BYTES = 64 * 1024 * 1024
"""What one photo may take in Pillow's memory, refused before decoding: a 4000×4000 photo
fits, a 16-bit 7000×7000 PNG does not."""
DECODERS = 2
"""Photos decoded at once: what the app holds at most is this many MAX_DECODED_BYTES."""
FORMATS = ("JPEG", "PNG", "WEBP")
QUALITY = 85

UNREADABLE = "无法识别：只支持 JPG、PNG、WebP 格式的照片"
TOO_LARGE = "照片太大，请换一张或压缩后再试"

_NAME = re.compile(r"[A-Za-z0-9_-]{22}\.(jpg|png)")
"""What `secrets.token_urlsafe(16)` plus the suffix gives: the only names ever served (a
resident's signature is the one PNG, integration/web/signatures.py)."""
_STAGED = ".part"


class PhotoRejected(ValueError):
    """The file is not a photo we accept; the message tells the resident why."""


def open_photo(data: bytes) -> ImageFile.ImageFile:
    """The photo with its header read and its pixels not yet decoded; refused (PhotoRejected)
    when it is not a photo we take or when decoding it would cost too much."""
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError:
        raise PhotoRejected(TOO_LARGE) from None
    except Exception as error:  # whatever the decoder makes of hostile bytes: not a photo
        raise PhotoRejected(UNREADABLE) from error
    _draft(image)
    if image.width * image.height > MAX_PIXELS or decoded_bytes(image) > MAX_DECODED_BYTES:
        image.close()
        raise PhotoRejected(TOO_LARGE)
    return image


def reencode(image: ImageFile.ImageFile) -> bytes:
    """The opened photo as a clean JPEG, upright, at most MAX_SIDE px; CPU-bound, so run it
    off the loop."""
    try:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        upright = ImageOps.exif_transpose(image).convert("RGBA")
    except Exception as error:
        raise PhotoRejected(UNREADABLE) from error
    pixels = Image.new("RGB", upright.size, "white")  # transparency shows as white
    pixels.paste(upright, mask=upright.getchannel("A"))
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def _draft(image: ImageFile.ImageFile) -> None:
    """Have a JPEG decoded at 1/2, 1/4 or 1/8 of its size, as far as it stays at least as large
    as the photo will be stored; the box keeps the photo's proportions, or a 4:3 photo's
    short side would decide alone (other formats decode at full size)."""
    scale = MAX_SIDE / max(image.size)
    if scale < 1:
        image.draft("RGB", (max(1, int(image.width * scale)), max(1, int(image.height * scale))))


def decoded_bytes(image: ImageFile.ImageFile) -> int:
    """What decoding the opened, not yet loaded, `image` costs, read from its header.

    Pillow keeps a pixel in 1 byte for 1, L and P, 2 for I;16 and 4 for every other mode (RGB
    is padded to 4, so RGBA costs no more). A 16-bit source (PNG) counts twice: its lines are
    unpacked from twice the bytes, and its decoder works that much longer.
    """
    size = 1 if image.mode in ("1", "L", "P") else 2 if image.mode.startswith("I;16") else 4
    deep = any(";16" in str(tile.args) for tile in image.tile)
    return image.width * image.height * size * (2 if deep else 1)


ROUTE = "/media/photos"
"""Where the app serves stored photos: the resident's page, the sandbox and DingTalk (which
fetches them itself) show them from here."""


class PhotoStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._decoders: Decoders | None = None

    @contextlib.contextmanager
    def decoding(self, workers: int = DECODERS) -> Iterator[None]:
        """Photos are decoded on `workers` threads while the block runs (the app's
        `cleanup_ctx`)."""
        self._decoders = Decoders(workers)
        try:
            yield
        finally:
            self._decoders.close()
            self._decoders = None

    async def reencode(self, data: bytes) -> bytes:
        """The photo re-encoded on a decoder thread; raises PhotoRejected."""
        if self._decoders is None:
            raise RuntimeError("photos are decoded only within PhotoStore.decoding()")
        with open_photo(data) as image:
            return await self._decoders.run(
                decoded_bytes(image), functools.partial(reencode, image)
            )

    def path(self, name: str) -> Path | None:
        """The file of a stored photo; None for any name this store never gives out."""
        return self.root / name if _NAME.fullmatch(name) else None

    @staticmethod
    def url(name: str) -> str:
        """The photo's address on this app, from its root."""
        return f"{ROUTE}/{name}"

    def add_image(self, data: bytes, suffix: str) -> str:
        """Store an image already checked and written anew; its name."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_urlsafe(16)}.{suffix}"
        (self.root / name).write_bytes(data)
        return name

    def discard(self, name: str) -> None:
        """Delete a stored image no ticket came to name."""
        path = self.path(name)
        if path is not None:
            path.unlink(missing_ok=True)

    def upload(self) -> "Upload":
        return Upload(self)


class Upload:
    """Photos of one submission; leaving the `with` block deletes them unless `keep` was called."""

    def __init__(self, store: PhotoStore) -> None:
        self._store = store
        self._root = store.root
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
        jpeg = await self._store.reencode(data)
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
