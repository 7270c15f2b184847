"""What a resident sends: the report form's fields and a photo as a phone takes it."""

import io

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
