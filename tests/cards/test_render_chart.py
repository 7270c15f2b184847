"""A report's plots drawn as one PNG for the chats without charts: a picture a phone shows
at its width, one plot under another, in the CJK font; and the cards carry it."""

import io

from PIL import Image

from cards.messages import report_card
from cards.render_chart import DPI, PLOT_HEIGHT_IN, WIDTH_IN, draw
from cards.render_dingtalk import markdown
from cards.render_html import render_card
from integration.web.photos import PhotoStore
from tickets.messages import Plot, Report, Section, Series

DAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
PLOTS = (
    Plot(
        "每日收到与完成",
        DAYS,
        (Series("收到", (12, 9, 15, 8, 11, 4, 3)), Series("完成", (10, 8, 12, 9, 10, 5, 2))),
        "line",
    ),
    Plot("按类别", ("水电", "门窗", "电梯"), (Series("收到", (30, 12, 5)),)),
)


def test_the_plots_are_one_png_a_phone_shows_at_its_width() -> None:
    with Image.open(io.BytesIO(draw(PLOTS))) as image:
        assert image.format == "PNG"
        assert image.size == (int(WIDTH_IN * DPI), int(PLOT_HEIGHT_IN * DPI * 2))
        data = image.convert("RGB").tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    blue = sum(1 for r, g, b in pixels if b > 200 and r < 120)  # the first series
    green = sum(1 for r, g, b in pixels if g > 150 and r < 100 and b < 100)
    assert blue > 500 and green > 200, "both series are drawn"


def test_a_report_with_a_picture_shows_it_where_there_is_no_chart() -> None:
    report = Report(
        "本周报修小结",
        "11月23日—11月29日",
        (("收到", "53 单"),),
        sections=(Section("超时未完成", ("BX20261127-0003 水电·3栋2单元501 李师傅",)),),
        plots=PLOTS,
        picture="AAAAAAAAAAAAAAAAAAAAAA.png",
    )
    card = report_card(report)
    assert card.picture is not None and card.picture.alt == "每日收到与完成、按类别"
    _, text = markdown(card, lambda name: f"https://wuye.example.com/media/photos/{name}")
    assert "![每日收到与完成、按类别](https://wuye.example.com/media/photos/AAAA" in text
    assert "**超时未完成**" in text and "- BX20261127-0003" in text
    html = render_card(card, PhotoStore.url)
    assert 'class="card-picture" src="/media/photos/AAAAAAAAAAAAAAAAAAAAAA.png"' in html
    assert "bar-row" not in html  # the picture stands for the bars
