"""The work order as an A4 PDF, for printing, filing and finance.

Drawn with fpdf2, which embeds the subset of the Chinese font the document uses (one with
TrueType outlines: cards/fonts.py says why), so the file reads the same on a machine with no
Chinese font.
Chinese lines wrap at any character (`WrapMode.CHAR`): they have no spaces to break at.
"""

import io

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from cards.work_order import TITLE, Row, WorkOrder

FONT = "cjk"
ACCENT = (21, 94, 173)
SHADE = (232, 240, 250)
LABEL_WIDTH = 32  # mm of a 180 mm line
SIGNATURE_WIDTH, SIGNATURE_HEIGHT = 75, 25  # mm: the box the signature is scaled into


def work_order_pdf(order: WorkOrder, signature: bytes | None, font: tuple[str, int]) -> bytes:
    """`signature` is the stored image's bytes (the order names it); `font` the file and face
    index of a Chinese font (`cards.fonts.find_font`)."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"{TITLE} {order.number}")
    pdf.set_creator("baoxiu")
    pdf.add_font(FONT, fname=font[0], collection_font_number=font[1])
    pdf.set_margins(15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font(FONT, size=18)
    pdf.cell(
        0, 10, f"{order.site_name} · {TITLE}", align=Align.C, new_y=YPos.NEXT, new_x=XPos.LMARGIN
    )
    pdf.set_font(FONT, size=10)
    pdf.cell(0, 6, f"编号 {order.number}", align=Align.C, new_y=YPos.NEXT, new_x=XPos.LMARGIN)

    _heading(pdf, "报修信息")
    _rows(pdf, order.ticket)
    _heading(pdf, "一、工程联：维修记录")
    _rows(pdf, order.engineering)
    if order.materials:
        _rows(pdf, order.materials, title="使用材料")

    _heading(pdf, "二、财务联：费用")
    if order.fees:
        with pdf.table(
            col_widths=(70, 30, 45, 35),
            text_align=(Align.L, Align.R, Align.R, Align.R),
            headings_style=FontFace(fill_color=SHADE),
            wrapmode=WrapMode.CHAR,
            line_height=6,
        ) as table:
            table.row(("收费项目", "数量", "单价", "金额（元）"))
            for fee in order.fees:
                table.row((fee.name, fee.quantity, fee.price, fee.amount))
    else:
        _line(pdf, "本单没有收费项目")
    _rows(pdf, (Row("合计", order.total), Row("收费情况", order.payment)))
    if order.paid:
        _rows(pdf, (Row("收费记录", order.paid),))

    _heading(pdf, "三、客户联：业主验收与评价")
    ratings = tuple(Row(r.label, f"{r.stars} {r.score} 星") for r in order.ratings)
    _rows(pdf, ratings or (Row("评价", "业主尚未评价"),))
    if order.comment:
        _rows(pdf, (Row("业主意见", order.comment),))
    _rows(pdf, (Row("验收确认", order.confirmed),))
    if pdf.get_y() + SIGNATURE_HEIGHT + 4 > pdf.page_break_trigger:
        pdf.add_page()  # the signature stays on the page of its part
    top = pdf.get_y() + 3
    pdf.set_xy(pdf.l_margin, top)
    pdf.cell(LABEL_WIDTH, 8, "业主签名：")
    if signature is None:
        pdf.cell(0, 8, "（未签名）")
    else:
        pdf.image(
            io.BytesIO(signature),
            x=pdf.l_margin + LABEL_WIDTH,
            y=top,
            w=SIGNATURE_WIDTH,
            h=SIGNATURE_HEIGHT,
            keep_aspect_ratio=True,
        )
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(4)
    pdf.set_font(FONT, size=13)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 8, text, new_y=YPos.NEXT, new_x=XPos.LMARGIN)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, size=10)


def _rows(pdf: FPDF, rows: tuple[Row, ...], title: str | None = None) -> None:
    with pdf.table(
        col_widths=(LABEL_WIDTH, 180 - LABEL_WIDTH),
        first_row_as_headings=title is not None,
        headings_style=FontFace(fill_color=SHADE),
        wrapmode=WrapMode.CHAR,
        line_height=6,
    ) as table:
        if title is not None:
            table.row((title, ""))
        for row in rows:
            table.row((row.label, row.value))


def _line(pdf: FPDF, text: str) -> None:
    pdf.cell(0, 8, text, new_y=YPos.NEXT, new_x=XPos.LMARGIN)
