"""A report's plots drawn as one PNG, for chats with no chart of their own.

Feishu draws a card's charts itself; DingTalk's robot message and the sandbox show a picture.
The plots are stacked one under another at a phone's width, labelled in Chinese with the
font posters and work orders use (cards/fonts.py: TrueType, found by fontconfig, face 0, which
matplotlib reads), on matplotlib's Agg canvas, which needs no display. Drawn once when the
report is made, so every chat gets the same picture and no send redraws it.
"""

import io
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator

from cards.fonts import find_font
from tickets.messages import Plot

WIDTH_IN = 4.8
PLOT_HEIGHT_IN = 3.0
DPI = 200
"""960 pixels wide: a phone shows it at a third of that, so the labels are drawn large."""
COLOURS = ("#3370ff", "#34c724", "#ff8800")
"""Series colours, as the sandbox's bars and Feishu's default palette start."""


def draw(plots: Sequence[Plot]) -> bytes:
    """The plots as one PNG; raises FontNotFoundError without a Chinese font."""
    path, _ = find_font(truetype=True)
    font = FontProperties(fname=path, size=10)
    title = FontProperties(fname=path, size=12, weight="bold")
    figure = Figure(figsize=(WIDTH_IN, PLOT_HEIGHT_IN * len(plots)), dpi=DPI)
    for axes, plot in zip(figure.subplots(len(plots), 1, squeeze=False)[:, 0], plots, strict=True):
        positions = range(len(plot.categories))
        width = 0.8 / max(len(plot.series), 1)
        for i, series in enumerate(plot.series):
            colour = COLOURS[i % len(COLOURS)]
            if plot.kind == "line":
                axes.plot(positions, series.values, marker="o", color=colour, label=series.name)
            else:
                offset = (i - (len(plot.series) - 1) / 2) * width
                bars = axes.bar(
                    [p + offset for p in positions], series.values, width, color=colour,
                    label=series.name,
                )  # fmt: skip
                axes.bar_label(bars, fmt="%g", fontproperties=font, padding=2)
        axes.set_title(plot.title, fontproperties=title, loc="left")
        axes.set_xticks(list(positions), plot.categories, fontproperties=font)
        axes.tick_params(axis="y", labelsize=9)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of jobs
        axes.spines[["top", "right"]].set_visible(False)
        axes.margins(y=0.15)
        if len(plot.series) > 1:
            axes.legend(  # above the plot, beside its title: never over a line or a bar
                prop=font, frameon=False, loc="lower right", bbox_to_anchor=(1, 1),
                ncol=len(plot.series), borderaxespad=0.2,
            )  # fmt: skip
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
