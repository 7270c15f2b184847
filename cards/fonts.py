"""The Chinese font posters and work orders are drawn with, as fontconfig finds it.

The font is the system's (Debian's fonts-noto-cjk and fonts-wqy-microhei, which
scripts/system-deps installs), not shipped with baoxiu: a CJK font is megabytes. A machine
without one gets a message that says what to install, never a document of empty boxes.

A PDF needs a font with TrueType outlines (`truetype=True`): fpdf2 embeds one as a
CIDFontType2 with the Identity-H encoding, which every reader decodes, whereas a CFF font
(Noto Sans CJK) gets an encoding CMap that text extraction misreads, so copying or searching
the work order's text would give garbage.
"""

import subprocess
from collections.abc import Callable


class FontNotFoundError(RuntimeError):
    """No installed font covers Simplified Chinese."""


def fc_match(pattern: str) -> str:
    """fontconfig's pick for `pattern`, as "file<TAB>face index<TAB>languages<TAB>outline
    format"; "" when
    fontconfig is not installed."""
    try:
        return subprocess.run(
            ["fc-match", "-f", "%{file}\t%{index}\t%{lang}\t%{fontformat}", pattern],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return ""


def find_font(
    bold: bool = False, match: Callable[[str], str] = fc_match, *, truetype: bool = False
) -> tuple[str, int]:
    """The file and face index fontconfig (`match`) picks for Simplified Chinese text, with
    TrueType outlines if `truetype`.

    `match` is the seam to the system's fontconfig: a test stands for a machine without a
    Chinese font by passing the answer fontconfig gives there, not by patching subprocess."""
    pattern = "sans-serif:lang=zh-cn" + (":weight=bold" if bold else "")
    pattern += ":fontformat=TrueType" if truetype else ""
    file, index, langs, outlines = ([*match(pattern).split("\t"), "", "", ""])[:4]
    found = file and "zh-cn" in langs.split("|")  # fc-match falls back to a Latin font
    if not found or (truetype and outlines != "TrueType"):  # … or to a CFF one
        package = "fonts-wqy-microhei" if truetype else "fonts-noto-cjk"
        raise FontNotFoundError(
            f"没有找到{'适合 PDF 的' if truetype else ''}中文字体：请安装 Debian 软件包 "
            f"{package}（apt-get install {package}）"
        )
    return file, int(index or 0)
