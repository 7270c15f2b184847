"""QR posters for lobbies and lifts, so a resident can report a fault without an app or a call.

Each poster carries its location in the link, so the report form opens already knowing where
the resident is standing. Printed paper outlives every later fix, so the QR code is drawn
pixel-exact with room to spare, and the form's link is printed too for phones that cannot
scan: without the location, which a person types more easily from the big line above it
than as percent-encoded bytes, and in plain ASCII that any browser or tool sends as printed.
"""

import re
from urllib.parse import quote

import segno
from PIL import Image, ImageDraw, ImageFont

from cards.fonts import find_font

WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi (or A5 at 212 dpi): portrait, prints sharp
DPI = 150
MARGIN = 90
MAX_LOCATION = 60  # characters; longer ones no longer fit a poster nor a QR code that scans
ACCENT, INK, GREY = (21, 94, 173), (31, 35, 40), (110, 116, 124)
Colour = str | tuple[int, int, int]
HELP = "水管漏水、电梯故障、门锁损坏……扫一扫，随时报修"


def report_url(public_url: str, location: str) -> str:
    return f"{public_url.rstrip('/')}/r/new?loc={quote(location, safe='')}"


def _font(face: tuple[str, int], size: int) -> ImageFont.FreeTypeFont:
    file, index = face
    return ImageFont.truetype(file, size, index=index)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy lines; Chinese breaks between any two characters, Latin words stay whole."""
    lines = [""]
    for word in re.findall(r"[A-Za-z0-9]+|\s+|.", text):
        for token in [word] if font.getlength(word) <= width else word:  # too long: by letter
            if lines[-1] and font.getlength(lines[-1] + token) > width:
                lines.append("")
            lines[-1] += token if lines[-1] or not token.isspace() else ""
    return [line.rstrip() for line in lines]


def _fit(
    text: str, sizes: range, width: int, height: int, face: tuple[str, int]
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size whose lines add up to `height` or less; the smallest size otherwise."""
    for size in sizes:
        font = _font(face, size)
        lines = _wrap(text, font, width)
        if len(lines) * size <= height:
            break
    return font, lines


def _qr(url: str, side: int) -> Image.Image:
    """The code with its 4-module quiet zone, each module a whole number of pixels."""
    rows = [list(row) for row in segno.make_qr(url, error="m").matrix_iter(border=4)]
    small = Image.new("L", (len(rows), len(rows)), 255)
    small.putdata([0 if dark else 255 for row in rows for dark in row])
    scale = max(1, side // len(rows))
    return small.resize((len(rows) * scale,) * 2, Image.Resampling.NEAREST)


def make_poster(site_name: str, url: str, location: str, hotline: str | None = None) -> Image.Image:
    """`hotline` goes under the help line, for emergencies and phones that cannot scan."""
    poster = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(poster)
    width = WIDTH - 2 * MARGIN

    def block(lines: list[str], font: ImageFont.FreeTypeFont, top: float, fill: Colour) -> float:
        step = font.size * 1.3
        for i, line in enumerate(lines):
            draw.text((WIDTH / 2, top + step * (i + 0.5)), line, font=font, fill=fill, anchor="mm")
        return top + step * len(lines)

    regular, bold = find_font(), find_font(bold=True)  # asked once a poster, not at each size
    name = _fit(site_name, range(60, 35, -4), width, 120, regular)
    title = _font(bold, 170)
    band = 70 + name[0].size * 1.3 * len(name[1]) + 10 + title.size * 1.3 + 50
    draw.rectangle((0, 0, WIDTH, band), fill=ACCENT)
    block(name[1], name[0], 70, (220, 232, 247))
    block(["扫码报修"], title, band - 50 - title.size * 1.3, "white")

    link = _fit(url.split("?")[0], range(30, 19, -2), width, 120, regular)
    hint = _fit(HELP, range(40, 27, -2), width, 80, regular)
    place = _fit(location, range(110, 47, -4), width, 200, bold)  # the code comes first
    emergency = f"紧急情况请拨打物业服务中心 {hotline}" if hotline else ""
    call = _fit(emergency, range(44, 31, -2), width, 80, bold)
    bottom = HEIGHT - 70 - link[0].size * 1.3 * len(link[1])
    block(link[1], link[0], bottom, GREY)
    below = place[0].size * 1.3 * len(place[1]) + 30 + hint[0].size * 1.3 * len(hint[1])
    below += 20 + call[0].size * 1.3 * len(call[1]) if hotline else 0
    room = bottom - 60 - band - below  # for the code and the gaps around it
    code = _qr(url, int(min(width - 80, room - 100)))
    gap = (room - code.height) / 3
    top = band + gap
    left = (WIDTH - code.width) // 2
    frame = (left - 12, top - 12, left + code.width + 12, top + code.height + 12)
    draw.rounded_rectangle(frame, radius=36, outline=ACCENT, width=6)
    poster.paste(code, (left, int(top)))
    after = block(place[1], place[0], top + code.height + gap, INK)
    after = block(hint[1], hint[0], after + 30, GREY)
    if hotline:
        block(call[1], call[0], after + 20, ACCENT)
    return poster
