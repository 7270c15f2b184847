"""What a resident sends: the report form's fields and a photo as a phone takes it."""

import io
import struct
import zlib

from PIL import ExifTags, Image

FIELDS = {
    "name": "张三",
    "phone": "138 0013 8000",
    "location": "3栋2单元501",
    "category": "水电",
    "description": "卫生间洗手盆下水管接头漏水",
}


def jpeg(size: tuple[int, int] = (640, 480), *, gps: bool = False) -> bytes:
    """A photo as a phone takes it: sideways pixels, EXIF saying how to turn them."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to show
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (22.0, 32.0, 10.0)}
        )
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_16bit(side: int, idat: bytes | None = None) -> bytes:
    """A 16-bit RGB PNG, `side` px square and black: 6 bytes a pixel unpacked, yet a few
    hundred KB on the wire. `idat` replaces the compressed pixels (junk proves nobody decoded
    them)."""
    if idat is None:
        rows = (side * 6 + 1) * side  # each row: filter byte 0, then zeros
        packer = zlib.compressobj(9)
        block = bytes(1 << 20)
        idat = b"".join(
            packer.compress(block[: min(1 << 20, rows - at)]) for at in range(0, rows, 1 << 20)
        )
        idat += packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
