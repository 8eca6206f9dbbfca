"""PNG charts for phones: grouped bars and lines, labelled in the reader's language.

Charts are drawn headless (Agg) with matplotlib's object API — no pyplot state, so two charts
can be drawn at once in worker threads (``await asyncio.to_thread(bar_chart, ...)``).
Arabic text must be shaped (letters joined) and laid out right to left. Matplotlib 3.11 and
later do that themselves (libraqm); older releases draw characters one by one, left to right,
so there the text is shaped with arabic-reshaper and reordered with python-bidi first — doing
both would scramble it again. For right-to-left readers the category labels also move to the
right and bars grow leftwards. DejaVu Sans, which matplotlib ships, covers Latin and
Arabic, so no system font is needed.

The functions take plain labels and numbers (``None`` = no value), so any report can use them;
``jpat_comparison_chart`` and ``trend_chart`` are the J-PAT's two.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from bot.i18n import is_rtl

# Okabe–Ito: told apart by people with colour-blindness, and in greyscale by the markers.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
WIDTH_IN, DPI = 7.2, 150  # 1080 px wide: sharp on a phone, well under Telegram's photo limits
FONT = "DejaVu Sans"


@dataclass(frozen=True)
class Series:
    """One named line or set of bars; ``None`` where there is no value."""

    label: str
    values: Sequence[float | None]


@cache
def native_text_layout() -> bool:
    """True when matplotlib shapes and orders right-to-left text itself (3.11+, libraqm)."""
    import matplotlib

    return "text.language" in matplotlib.rcParams


def display(text: str, lang: str) -> str:
    """Text as matplotlib must be given it to show correctly (Arabic shaped and reordered)."""
    if not text or not is_rtl(lang) or native_text_layout():
        return text
    from arabic_reshaper import reshape
    from bidi.algorithm import get_display

    return get_display(reshape(text))


def wrapped(text: str, lang: str, width: int) -> str:
    """Wrap by words first (in reading order), then prepare each line for display."""
    lines = textwrap.wrap(text, width=width) or [""]
    return "\n".join(display(line, lang) for line in lines)


def _figure(height_in: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.25)
    return buffer.getvalue()


def _nan(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    lang: str,
    value_label: str = "",
    value_range: tuple[float, float] | None = None,
    wrap: int = 30,
) -> bytes:
    """Horizontal grouped bars: one group per category (top to bottom), one bar per series.

    Horizontal, because category names (element titles) are long and a phone is narrow.
    """
    rtl = is_rtl(lang)
    count = max(len(categories), 1)
    figure = _figure(height_in=1.6 + 0.55 * count * max(len(series), 1) ** 0.5 + 0.3 * count)
    axes = figure.add_subplot()
    thickness = 0.8 / max(len(series), 1)
    for index, one in enumerate(series):
        positions = [c + (index - (len(series) - 1) / 2) * thickness for c in range(count)]
        values = _nan(one.values)
        bars = axes.barh(
            positions,
            [0 if math.isnan(v) else v for v in values],
            height=thickness * 0.92,
            color=COLOURS[index % len(COLOURS)],
            label=display(one.label, lang),
        )
        for bar, value in zip(bars, values, strict=False):
            if math.isnan(value):
                continue
            axes.annotate(
                f"{value:.2f}".rstrip("0").rstrip("."),
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(-4 if rtl else 4, 0),
                textcoords="offset points",
                ha="right" if rtl else "left",
                va="center",
                fontsize=9,
                family=FONT,
            )
    axes.set_yticks(range(count))
    axes.set_yticklabels([wrapped(c, lang, wrap) for c in categories], family=FONT, fontsize=10)
    axes.invert_yaxis()  # first category on top
    if value_range is not None:
        axes.set_xlim(value_range[0], value_range[1] + 0.6)
    if rtl:
        axes.invert_xaxis()
        axes.yaxis.tick_right()
        for label in axes.get_yticklabels():
            label.set_multialignment("right")  # wrapped lines flush with the reading edge
    axes.set_xlabel(display(value_label, lang), family=FONT)
    axes.grid(axis="x", alpha=0.3)
    axes.set_axisbelow(True)
    for side in ("top", "left" if rtl else "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(wrapped(title, lang, 48), family=FONT, fontsize=13, pad=12)
    if len(series) > 1:
        axes.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.08 if not value_label else -0.14),
            ncol=len(series),
            frameon=False,
            prop={"family": FONT, "size": 10},
        )
    return _png(figure)


def _line(axes, xs: list[int], values: Sequence[float | None], index: int, label: str = "") -> None:
    axes.plot(
        xs,
        _nan(values),
        color=COLOURS[index % len(COLOURS)],
        marker=MARKERS[index % len(MARKERS)],
        linewidth=2,
        markersize=7,
        label=label or None,
    )


def _time_axis(axes, x_labels: Sequence[str], lang: str, *, fontsize: int) -> None:
    xs = list(range(len(x_labels)))
    axes.set_xticks(xs)
    axes.set_xticklabels([display(x, lang) for x in x_labels], family=FONT, fontsize=fontsize)
    if len(xs) == 1:
        axes.set_xlim(-0.5, 0.5)


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    lang: str,
    value_label: str = "",
    value_range: tuple[float, float] | None = None,
    wrap: int = 45,
) -> bytes:
    """Lines across time (rounds, months), one per series, the legend below the plot."""
    figure = _figure(height_in=4.2 + 0.32 * len(series))
    axes = figure.add_subplot()
    xs = list(range(len(x_labels)))
    for index, one in enumerate(series):
        _line(axes, xs, one.values, index, label=wrapped(one.label, lang, wrap))
    _time_axis(axes, x_labels, lang, fontsize=10)
    if value_range is not None:
        axes.set_ylim(value_range[0] - 0.2, value_range[1] + 0.2)
    axes.set_ylabel(display(value_label, lang), family=FONT)
    axes.grid(alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(wrapped(title, lang, 48), family=FONT, fontsize=13, pad=12)
    axes.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=1,
        frameon=False,
        prop={"family": FONT, "size": 9},
    )
    return _png(figure)


def line_panels(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    lang: str,
    wrap: int = 60,
) -> bytes:
    """One small line chart per series, stacked, each on its own axis.

    Numbers (people reached, trainings, funds) differ by orders of magnitude: on one shared
    axis the small ones would lie flat on the floor.
    """
    figure = _figure(height_in=1.2 + 2.3 * len(series))
    xs = list(range(len(x_labels)))
    for index, one in enumerate(series):
        axes = figure.add_subplot(len(series), 1, index + 1)
        _line(axes, xs, one.values, index)
        _time_axis(axes, x_labels, lang, fontsize=9)
        known = [v for v in one.values if v is not None]
        axes.set_ylim(bottom=min([0.0, *known]))  # from zero, unless a value is below it
        axes.grid(alpha=0.3)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.set_title(wrapped(one.label, lang, wrap), family=FONT, fontsize=10, loc="center")
    figure.suptitle(wrapped(title, lang, 48), family=FONT, fontsize=13)
    figure.subplots_adjust(hspace=0.75, top=1 - 0.9 / figure.get_figheight())
    return _png(figure)


# ------------------------------------------------------------------------------ J-PAT


def jpat_comparison_chart(
    elements: Sequence[str],
    ngo: Sequence[float | None],
    partner: Sequence[float | None],
    *,
    side_labels: tuple[str, str],
    title: str,
    value_label: str,
    lang: str,
) -> bytes:
    """The two sides' average per element, next to each other (scale 1–5)."""
    return bar_chart(
        elements,
        [Series(side_labels[0], ngo), Series(side_labels[1], partner)],
        title=title,
        lang=lang,
        value_label=value_label,
        value_range=(0, 5),
    )


def trend_chart(
    rounds: Sequence[str],
    per_element: Sequence[Series],
    *,
    title: str,
    value_label: str,
    lang: str,
) -> bytes:
    """Agreed score per element across rounds (scale 1–5)."""
    return line_chart(
        rounds, per_element, title=title, lang=lang, value_label=value_label, value_range=(1, 5)
    )
