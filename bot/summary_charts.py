"""The chart image of a survey summary: several small bar panels stacked for a phone screen.

Text preparation (Arabic shaping, right-to-left order), colours and the trend line chart come
from ``bot.charts``; this module only adds what a survey summary needs beyond it — one image
holding panels on different scales (average scores out of 5, shares of partners in %), each
bar labelled with a number already formatted in the reader's locale.

Drawing is headless (Agg) with matplotlib's object API, so it can run in a worker thread
(``asyncio.to_thread``) while the bot keeps answering.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.charts import COLOURS, DPI, FONT, WIDTH_IN, Series, display, line_chart, wrapped
from bot.i18n import is_rtl

__all__ = ["Bar", "Panel", "Series", "bar_panels", "line_chart"]


@dataclass(frozen=True)
class Bar:
    """One row of a panel; several ``values`` make a group (e.g. partner and NGO side).
    ``texts`` are the numbers written next to the bars, formatted for the reader."""

    label: str
    values: Sequence[float | None]
    texts: Sequence[str]


@dataclass(frozen=True)
class Panel:
    title: str
    bars: Sequence[Bar]
    x_min: float = 0.0
    x_max: float = 1.0
    legend: Sequence[str] = field(default_factory=tuple)


def bar_panels(title: str, subtitle: str, panels: Sequence[Panel], lang: str) -> bytes:
    """Horizontal bars, one panel per question or group of questions, top to bottom."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rtl = is_rtl(lang)
    rows = [max(1, len(p.bars)) * max(1, len(p.legend)) ** 0.6 + 1.4 for p in panels]
    figure = Figure(figsize=(WIDTH_IN, 1.3 + 0.5 * sum(rows)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    heading = wrapped(title, lang, 44)
    if subtitle:
        heading += "\n" + display(subtitle, lang)
    figure.suptitle(
        heading,
        x=0.98 if rtl else 0.02,
        ha="right" if rtl else "left",
        fontsize=15,
        weight="bold",
        family=FONT,
    )
    grid = figure.subplots(len(panels), 1, squeeze=False, height_ratios=rows)
    for axes, panel in zip(grid[:, 0], panels, strict=True):
        _panel(axes, panel, lang, rtl)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _panel(axes, panel: Panel, lang: str, rtl: bool) -> None:  # type: ignore[no-untyped-def]
    series = max(1, len(panel.legend))
    thickness = 0.8 / series
    span = (panel.x_max - panel.x_min) or 1.0
    for s in range(series):
        ys = [row + (s - (series - 1) / 2) * thickness for row in range(len(panel.bars))]
        values = [bar.values[s] if s < len(bar.values) else None for bar in panel.bars]
        axes.barh(
            ys,
            [0 if v is None else v - panel.x_min for v in values],
            left=panel.x_min,
            height=thickness * 0.9,
            color=COLOURS[s % len(COLOURS)],
            label=display(panel.legend[s], lang) if panel.legend else None,
        )
        for y, value, bar in zip(ys, values, panel.bars, strict=True):
            text = bar.texts[s] if s < len(bar.texts) else ""
            axes.annotate(
                display(text if value is not None else "–", lang),
                (panel.x_min if value is None else value, y),
                xytext=(-5 if rtl else 5, 0),
                textcoords="offset points",
                ha="right" if rtl else "left",
                va="center",
                fontsize=11,
                family=FONT,
            )
    axes.set_yticks(range(len(panel.bars)))
    axes.set_yticklabels([wrapped(b.label, lang, 26) for b in panel.bars], fontsize=11, family=FONT)
    axes.set_xlim(panel.x_min, panel.x_max + span * 0.22)  # room for the numbers
    axes.set_xticks([t for t in axes.get_xticks() if panel.x_min <= t <= panel.x_max])
    axes.invert_yaxis()  # first bar on top
    axes.tick_params(axis="x", labelsize=9)
    axes.grid(axis="x", alpha=0.3)
    axes.set_axisbelow(True)
    axes.set_title(
        wrapped(panel.title, lang, 50), fontsize=12, family=FONT, loc="right" if rtl else "left"
    )
    for side in ("top", "left" if rtl else "right"):
        axes.spines[side].set_visible(False)
    if rtl:
        axes.invert_xaxis()
        axes.yaxis.tick_right()
        for label in axes.get_yticklabels():
            label.set_multialignment("right")
    if panel.legend:
        axes.legend(
            loc="lower left" if rtl else "lower right",
            frameon=False,
            prop={"family": FONT, "size": 10},
        )
