"""The 通报's charts as PNG images, drawn by matplotlib: no browser, so a server needs no Chrome. Their
captions in the document title them.

They draw what reports.selectors read (the city dashboard's numbers) and decide nothing. Chinese labels need
a CJK font: CJK_FONTS are tried in order (Debian: fonts-noto-cjk); when none is installed `cjk_font()` is
None and the document says that its charts were left out rather than print boxes for every character.
"""

import io
from functools import cache

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display on a server

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from core.numbers import share  # noqa: E402
from core.status import STATUS_COLOURS, STATUS_ORDER, Status, status_label  # noqa: E402
from indicators.selectors import IndicatorStatus  # noqa: E402

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei")
DPI = 200
ZERO_SLIVER = 0.8  # percent of the axis: the width a zero progress bar is drawn with
WIDTH_INCHES = 6.0  # 15.2 cm: the width of the type area of GB/T 9704 (156 mm)


@cache
def cjk_font() -> str | None:
    """The first installed font of CJK_FONTS, or None."""
    for family in CJK_FONTS:
        try:
            font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        return family
    return None


def _figure(height: float) -> Figure:
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    figure.patch.set_facecolor("white")
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def status_chart(counts: dict[str, int], *, axis_title: str) -> bytes:
    """How many indicators have each status (those that occur), worst first, the count at each bar's end."""
    font = {"family": cjk_font()}
    statuses = [s for s in STATUS_ORDER if counts.get(s) and s != Status.QUALITATIVE]
    figure = _figure(0.32 * max(len(statuses), 2) + 0.7)
    axes = figure.subplots()
    positions = range(len(statuses))
    values = [counts[s] for s in statuses]
    axes.barh(positions, values, color=[STATUS_COLOURS[s].fill for s in statuses], edgecolor="#595959", height=0.6)
    for position, value in zip(positions, values, strict=True):
        axes.text(value, position, f" {value}", va="center", fontdict=font, fontsize=10)
    axes.set_yticks(list(positions), [status_label(s) for s in statuses], fontdict=font, fontsize=10)
    axes.invert_yaxis()
    axes.set_xlim(0, max(values, default=1) * 1.15 + 0.5)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel(axis_title, fontdict=font, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def progress_chart(rows: list[IndicatorStatus], *, axis_title: str, expected_label: str) -> bytes:
    """Each quantitative indicator's progress (a bar coloured by its status, capped at 100% as the headline
    counts it) against its expected progress (a black tick), each bar labelled with its percentage."""
    font = {"family": cjk_font()}
    rows = [r for r in rows if r.result.progress is not None]
    figure = _figure(0.24 * max(len(rows), 3) + 0.8)
    axes = figure.subplots()
    positions = list(range(len(rows)))
    shown = [min(1.0, max(0.0, r.result.progress)) * 100 for r in rows]
    # A zero is drawn as a sliver so its status colour shows; its label says 0.0%.
    axes.barh(
        positions,
        [max(value, ZERO_SLIVER) for value in shown],
        color=[STATUS_COLOURS[r.result.status].fill for r in rows],
        edgecolor="#595959",
        height=0.6,
    )
    for position, row, value in zip(positions, rows, shown, strict=True):
        axes.text(value + 1, position, share(row.result.progress), va="center", fontdict=font, fontsize=8)
    expected = [(p, r.result.expected * 100) for p, r in zip(positions, rows, strict=True) if r.result.expected]
    if expected:
        axes.scatter(
            [e for _, e in expected],
            [p for p, _ in expected],
            marker="|",
            s=160,
            color="black",
            linewidths=2,
            label=expected_label,
            zorder=3,
        )
        axes.legend(
            prop={"family": cjk_font(), "size": 8}, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False
        )  # above the bars, never over a marker
    axes.set_yticks(positions, [r.indicator.name for r in rows], fontdict=font, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 115)
    axes.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    axes.set_xlabel(axis_title, fontdict=font, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
