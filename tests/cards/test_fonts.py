"""Finding the Chinese font a work-order PDF embeds: TrueType outlines, or a clear message."""

import pytest

from cards.fonts import FontNotFoundError, find_font

NOTO_ONLY = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\t2\tzh-cn|zh-sg\tCFF"
"""fontconfig's answer for a TrueType Chinese font where only Noto Sans CJK (CFF) is installed."""
WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc\t0\tzh-cn|zh-tw\tTrueType"


def test_a_pdf_font_has_truetype_outlines() -> None:
    assert find_font(match=lambda pattern: WQY, truetype=True) == (
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        0,
    )


def test_a_cff_font_is_refused_for_a_pdf_and_says_what_to_install() -> None:
    with pytest.raises(FontNotFoundError, match="apt-get install fonts-wqy-microhei"):
        find_font(match=lambda pattern: NOTO_ONLY, truetype=True)
    assert find_font(match=lambda pattern: NOTO_ONLY)[1] == 2  # a poster draws with it


def test_fontconfig_is_asked_for_truetype_outlines() -> None:
    asked: list[str] = []

    def match(pattern: str) -> str:
        asked.append(pattern)
        return WQY

    find_font(match=match, truetype=True)
    assert asked == ["sans-serif:lang=zh-cn:fontformat=TrueType"]
