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
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from bot.i18n import is_rtl

# Okabe–Ito: told apart by people with colour-blindness, and in greyscale by the markers.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
WIDTH_IN, DPI = 7.2, 150  # 1080 px wide: sharp on a phone, well under Telegram's photo limits
WIDTH_PX = round(WIDTH_IN * DPI)
FONT = "DejaVu Sans"
#: No text smaller than this many pixels in a 1080-px-wide chart (readable on a phone).
MIN_FONT_PX = 24
# Font sizes in points for the matplotlib charts below (12 pt at 150 dpi = 25 px).
SMALL, NORMAL, LARGE = 12, 13, 16
NBSP = "\u00a0"


def pt(px: float) -> float:
    """A font size in points that is ``px`` pixels high at ``DPI``."""
    return px * 72 / DPI


@dataclass(frozen=True)
class Series:
    """One named line or set of bars; ``None`` where there is no value."""

    label: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Drawn:
    """One text a chart draws and its font size in pixels, as seen in a 1080-px-wide image."""

    text: str
    px: float


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


def _glue(text: str, keep: Sequence[str]) -> str:
    """Spaces inside the names in ``keep`` become no-break spaces (never a line break)."""
    for name in sorted({k for k in keep if k and " " in k}, key=len, reverse=True):
        text = text.replace(name, name.replace(" ", NBSP))
    return text


def wrap_lines(
    text: str, measure: Callable[[str], float], room: float, keep: Sequence[str] = ()
) -> list[str]:
    """Lines of ``text`` no wider than ``room`` by ``measure``, broken only between words.

    Words are never cut, and a name in ``keep`` is never split: a word (or name) wider than
    the room gets a line of its own rather than being broken. Lines are in reading (logical)
    order; each is shaped and reordered for display separately, so right-to-left text wraps
    the way it is read.
    """
    lines: list[str] = []
    for paragraph in _glue(text, keep).split("\n"):
        line = ""
        for word in re.split(r"[ \t]+", paragraph.strip()):
            if not word:
                continue
            candidate = f"{line} {word}" if line else word
            if line and measure(candidate) > room:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines or [""]


def wrapped(text: str, lang: str, width: int, keep: Sequence[str] = ()) -> str:
    """Wrap at ``width`` characters between words only (in reading order), then prepare each
    line for display."""
    lines = wrap_lines(text, len, width, keep)
    return "\n".join(display(line, lang) for line in lines)


def drawn_texts(figure) -> list[Drawn]:  # type: ignore[no-untyped-def]
    """Every visible, non-blank text of a drawn figure with its size in pixels of a
    1080-px-wide picture (what a phone shows before any zoom)."""
    from matplotlib.text import Text

    figure.canvas.draw()  # tick labels exist only once drawn
    scale = WIDTH_PX / (figure.get_figwidth() * figure.dpi)
    return [
        Drawn(text.get_text(), text.get_fontsize() * figure.dpi / 72 * scale)
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip() and text.get_figure() is not None
    ]


def png(figure) -> bytes:  # type: ignore[no-untyped-def]
    """The figure as a PNG exactly ``WIDTH_PX`` wide. Its metadata carries the smallest font
    size in pixels and the texts drawn (the chart's words, e.g. for a screen reader)."""
    drawn = drawn_texts(figure)
    smallest = min((d.px for d in drawn), default=0.0)
    buffer = io.BytesIO()
    figure.savefig(
        buffer,
        format="png",
        dpi=DPI,
        facecolor="white",
        metadata={
            "Description": "\n".join(d.text for d in drawn),
            "partnerbot": json.dumps({"min_font_px": round(smallest, 2)}),
        },
    )
    return buffer.getvalue()


def _figure(height_in: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


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
    wrap: int = 22,
) -> bytes:
    """Horizontal grouped bars: one group per category (top to bottom), one bar per series.

    Horizontal, because category names (element titles) are long and a phone is narrow.
    """
    rtl = is_rtl(lang)
    count = max(len(categories), 1)
    lines = sum(len(wrap_lines(c, len, wrap)) for c in categories)
    figure = _figure(
        height_in=2.4 + 0.6 * count * max(len(series), 1) ** 0.5 + 0.22 * lines + 0.3 * count
    )
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
                fontsize=SMALL,
                family=FONT,
            )
    axes.set_yticks(range(count))
    axes.set_yticklabels([wrapped(c, lang, wrap) for c in categories], family=FONT, fontsize=SMALL)
    axes.tick_params(labelsize=SMALL)
    axes.invert_yaxis()  # first category on top
    if value_range is not None:
        axes.set_xlim(value_range[0], value_range[1] + 0.6)
    if rtl:
        axes.invert_xaxis()
        axes.yaxis.tick_right()
        for label in axes.get_yticklabels():
            label.set_multialignment("right")  # wrapped lines flush with the reading edge
    axes.set_xlabel(display(value_label, lang), family=FONT, fontsize=SMALL)
    axes.grid(axis="x", alpha=0.3)
    axes.set_axisbelow(True)
    for side in ("top", "left" if rtl else "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(wrapped(title, lang, 38), family=FONT, fontsize=LARGE, pad=12)
    if len(series) > 1:
        figure.legend(
            loc="outside lower center",
            ncol=len(series),
            frameon=False,
            prop={"family": FONT, "size": NORMAL},
        )
    return png(figure)


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
    wrap: int = 40,
) -> bytes:
    """Lines across time (rounds, months), one per series, the legend below the plot."""
    lines = sum(len(wrap_lines(one.label, len, wrap)) for one in series)
    figure = _figure(height_in=5.2 + 0.3 * lines)
    axes = figure.add_subplot()
    xs = list(range(len(x_labels)))
    for index, one in enumerate(series):
        _line(axes, xs, one.values, index, label=wrapped(one.label, lang, wrap))
    _time_axis(axes, x_labels, lang, fontsize=SMALL)
    axes.tick_params(labelsize=SMALL)
    if value_range is not None:
        axes.set_ylim(value_range[0] - 0.2, value_range[1] + 0.2)
    axes.set_ylabel(display(value_label, lang), family=FONT, fontsize=SMALL)
    axes.grid(alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(wrapped(title, lang, 38), family=FONT, fontsize=LARGE, pad=12)
    figure.legend(
        loc="outside lower center",
        ncol=1,
        frameon=False,
        prop={"family": FONT, "size": SMALL},
    )
    return png(figure)


def line_panels(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    lang: str,
    wrap: int = 45,
) -> bytes:
    """One small line chart per series, stacked, each on its own axis.

    Numbers (people reached, trainings, funds) differ by orders of magnitude: on one shared
    axis the small ones would lie flat on the floor.
    """
    lines = sum(len(wrap_lines(one.label, len, wrap)) for one in series)
    figure = _figure(height_in=1.4 + 2.4 * len(series) + 0.25 * lines)
    xs = list(range(len(x_labels)))
    for index, one in enumerate(series):
        axes = figure.add_subplot(len(series), 1, index + 1)
        _line(axes, xs, one.values, index)
        _time_axis(axes, x_labels, lang, fontsize=SMALL)
        axes.tick_params(labelsize=SMALL)
        known = [v for v in one.values if v is not None]
        axes.set_ylim(bottom=min([0.0, *known]))  # from zero, unless a value is below it
        axes.grid(alpha=0.3)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.set_title(wrapped(one.label, lang, wrap), family=FONT, fontsize=NORMAL, loc="center")
    figure.suptitle(wrapped(title, lang, 38), family=FONT, fontsize=LARGE)
    return png(figure)


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
