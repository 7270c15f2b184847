"""What decoding a photo may cost, read from its header before a pixel is decoded."""

import io

import pytest
from PIL import Image, ImageFile

from integration.web.photos import (
    MAX_DECODED_BYTES,
    MAX_SIDE,
    TOO_LARGE,
    PhotoRejected,
    decoded_bytes,
    open_photo,
    reencode,
)
from tests.web.uploads import png_16bit


def opened(data: bytes) -> ImageFile.ImageFile:
    return Image.open(io.BytesIO(data))


def encoded(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def test_a_16_bit_source_costs_twice_its_pixels() -> None:
    junk = b"\0" * 100  # never decoded
    assert decoded_bytes(opened(png_16bit(3000, idat=junk))) == 3000 * 3000 * 4 * 2
    rgba = encoded(Image.new("RGBA", (300, 200)), "PNG")
    grey = encoded(Image.new("L", (300, 200)), "PNG")
    assert decoded_bytes(opened(rgba)) == 300 * 200 * 4
    assert decoded_bytes(opened(grey)) == 300 * 200


def test_a_hostile_png_is_refused_from_its_header() -> None:
    with pytest.raises(PhotoRejected, match=TOO_LARGE):
        open_photo(png_16bit(7000, idat=b"\0" * 100))  # junk pixels: decoding would fail


def test_a_jpeg_past_the_budget_is_decoded_at_a_reduced_scale() -> None:
    photo = encoded(Image.new("RGB", (5000, 4000), (200, 80, 40)), "JPEG")
    assert decoded_bytes(opened(photo)) > MAX_DECODED_BYTES
    assert opened(reencode(open_photo(photo))).size == (MAX_SIDE, MAX_SIDE * 4 // 5)
