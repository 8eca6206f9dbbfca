"""The chart image of a survey summary: panels of bars stacked for a phone screen.

Laid out for a phone held upright (1080 px wide): each bar's label sits *above* its bar across
the whole width, so long question texts and answer labels wrap onto more lines instead of
being squeezed into a side column or cut off; every text is at least ``MIN_FONT_PX`` high;
the axis of a share is in % (formatted by Babel for the reader's locale); and each panel or
bar says how many people it stands for (n).

The layout is done here rather than by matplotlib's axes: texts are measured with the Agg
renderer, wrapped between words only (``bot.charts.wrap_lines``; names passed in ``keep`` are
never broken), stacked top to bottom, and for right-to-left readers mirrored — labels flush
right, bars growing leftwards. Text preparation (Arabic shaping, right-to-left order), colours
and the trend line charts come from ``bot.charts``.

Drawing is headless (Agg) with matplotlib's object API, so it can run in a worker thread
(``asyncio.to_thread``) while the bot keeps answering.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal, format_percent

from bot.charts import (
    COLOURS,
    DPI,
    FONT,
    WIDTH_PX,
    Series,
    display,
    line_chart,
    png,
    pt,
    wrap_lines,
)
from bot.i18n import is_rtl, translator

__all__ = ["Bar", "Panel", "Series", "bar_panels", "bar_panels_figure", "line_chart"]

# Sizes in pixels of the 1080-px-wide image; none below ``bot.charts.MIN_FONT_PX``.
MARGIN = 44
TITLE_PX, SUBTITLE_PX, PANEL_TITLE_PX, LABEL_PX, VALUE_PX, TICK_PX = 42, 30, 33, 30, 30, 27
BAR_PX, BAR_GAP_PX, ROW_GAP_PX, PANEL_GAP_PX = 44, 6, 22, 54
LINE = 1.28  # line height, in font sizes
GREY, GRID = "#555555", "#DDDDDD"


@dataclass(frozen=True)
class Bar:
    """One row of a panel; several ``values`` make a group (e.g. partner and NGO side).
    ``texts`` are the numbers written next to the bars, formatted for the reader; ``n`` (one
    per value, or empty) the number of people behind each bar, written after its number."""

    label: str
    values: Sequence[float | None]
    texts: Sequence[str]
    n: Sequence[int | None] = ()


@dataclass(frozen=True)
class Panel:
    """``percent``: values are shares in % (0–100), the axis is labelled in %. ``n``: the
    number of people behind the whole panel, shown after its title."""

    title: str
    bars: Sequence[Bar]
    x_min: float = 0.0
    x_max: float = 1.0
    legend: Sequence[str] = field(default_factory=tuple)
    percent: bool = False
    n: int | None = None


class _Layout:
    """Draw operations in pixel coordinates (y downwards), measured before the figure exists."""

    def __init__(self, lang: str, keep: Sequence[str]) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.lang = lang
        self.rtl = is_rtl(lang)
        self.keep = keep
        self.renderer = FigureCanvasAgg(Figure(dpi=DPI)).get_renderer()
        self.ops: list[tuple[str, dict[str, Any]]] = []
        self.y = MARGIN

    def width(self, text: str, px: float, bold: bool = False) -> float:
        from matplotlib.font_manager import FontProperties

        prop = FontProperties(family=FONT, size=pt(px), weight="bold" if bold else "normal")
        w, _h, _d = self.renderer.get_text_width_height_descent(
            display(text, self.lang), prop, ismath=False
        )
        return w

    def x(self, x: float) -> float:
        """A distance from the reading edge (left, or right for RTL) as a page coordinate."""
        return WIDTH_PX - x if self.rtl else x

    def text(self, x: float, y: float, text: str, px: float, **style: Any) -> None:
        self.ops.append(("text", {"x": self.x(x), "y": y, "s": text, "px": px, **style}))

    def paragraph(
        self, text: str, px: float, *, indent: float = MARGIN, bold: bool = False, **style: Any
    ) -> None:
        """Wrapped text flush with the reading edge, the cursor moved below it."""
        room = WIDTH_PX - indent - MARGIN
        for line in wrap_lines(text, lambda s: self.width(s, px, bold), room, self.keep):
            self.text(indent, self.y, line, px, weight="bold" if bold else "normal", **style)
            self.y += px * LINE

    def rect(self, x0: float, x1: float, y: float, height: float, colour: str) -> None:
        left, right = sorted((self.x(x0), self.x(x1)))
        self.ops.append(("rect", {"x": left, "y": y, "w": right - left, "h": height, "c": colour}))

    def line(self, x: float, y0: float, y1: float, colour: str, width: float = 1.5) -> None:
        self.ops.append(("line", {"x": self.x(x), "y0": y0, "y1": y1, "c": colour, "lw": width}))


def bar_panels(
    title: str, subtitle: str, panels: Sequence[Panel], lang: str, *, keep: Sequence[str] = ()
) -> bytes:
    """Horizontal bars, one panel per question or group of questions, top to bottom.

    ``keep``: names (organisations) that must stay on one line wherever they appear.
    """
    return png(bar_panels_figure(title, subtitle, panels, lang, keep=keep))


def bar_panels_figure(
    title: str, subtitle: str, panels: Sequence[Panel], lang: str, *, keep: Sequence[str] = ()
):  # type: ignore[no-untyped-def]
    """The figure ``bar_panels`` saves (tests measure what it draws)."""
    layout = _Layout(lang, keep)
    layout.paragraph(title, TITLE_PX, bold=True)
    if subtitle:
        layout.y += 4
        layout.paragraph(subtitle, SUBTITLE_PX, color=GREY)
    for panel in panels:
        layout.y += PANEL_GAP_PX
        _panel(layout, panel)
    return _draw(layout, layout.y + MARGIN)


def _n_text(n: int, lang: str) -> str:
    """ "n = 8": how many people a bar or panel stands for."""
    _ = translator(lang)
    return _("n = {n}", n=format_decimal(n, locale=_.locale))


def _tick_format(panel: Panel, lang: str) -> Callable[[float], str]:
    locale = translator(lang).locale
    if panel.percent:
        return lambda t: format_percent(t / 100, locale=locale)
    return lambda t: format_decimal(round(t, 2), locale=locale)


def _panel(layout: _Layout, panel: Panel) -> None:
    from matplotlib.ticker import MaxNLocator

    lang = layout.lang
    layout.paragraph(panel.title, PANEL_TITLE_PX, bold=True)
    if panel.n is not None:
        layout.paragraph(_n_text(panel.n, lang), SUBTITLE_PX, color=GREY)
    series = max(1, len(panel.legend))
    if panel.legend:
        _legend(layout, panel.legend)
    # The numbers written after the bars (with their n) decide how much room the bars leave.
    written = [[_value_text(bar, s, lang) for s in range(series)] for bar in panel.bars]
    room = max([layout.width(t, VALUE_PX) for row in written for t in row] + [0.0]) + 16
    x0, x1 = MARGIN, WIDTH_PX - MARGIN - room
    span = (panel.x_max - panel.x_min) or 1.0

    def at(value: float) -> float:
        return x0 + (min(max(value, panel.x_min), panel.x_max) - panel.x_min) / span * (x1 - x0)

    layout.y += 8
    groups: list[tuple[float, float]] = []  # where bars are: grid lines run there only
    for bar, texts in zip(panel.bars, written, strict=True):
        layout.y += 6
        layout.paragraph(bar.label, LABEL_PX)
        layout.y += 4
        groups.append((layout.y - BAR_GAP_PX, layout.y + series * (BAR_PX + BAR_GAP_PX)))
        for s in range(series):
            value = bar.values[s] if s < len(bar.values) else None
            end = at(panel.x_min if value is None else value)
            if value is not None and end > x0:
                layout.rect(x0, end, layout.y, BAR_PX, COLOURS[s % len(COLOURS)])
            layout.text(end + 10, layout.y + BAR_PX / 2, texts[s], VALUE_PX, va="center")
            layout.y += BAR_PX + BAR_GAP_PX
        layout.y += ROW_GAP_PX - BAR_GAP_PX
    bottom = layout.y
    ticks = [t for t in MaxNLocator(5).tick_values(panel.x_min, panel.x_max)]
    ticks = [t for t in ticks if panel.x_min - 1e-9 <= t <= panel.x_max + 1e-9]
    fmt = _tick_format(panel, lang)
    for t in ticks:
        for y0, y1 in groups:
            layout.line(at(t), y0, y1, GRID, 1.2)
        layout.text(at(t), bottom + 6, fmt(t), TICK_PX, ha="center", va="top", color=GREY)
    for y0, y1 in groups:
        layout.line(x0, y0, y1, "#333333", 2)  # the axis the bars grow from
    layout.y = bottom + 6 + TICK_PX * LINE


def _value_text(bar: Bar, s: int, lang: str) -> str:
    value = bar.values[s] if s < len(bar.values) else None
    text = bar.texts[s] if value is not None and s < len(bar.texts) else "–"
    n = bar.n[s] if s < len(bar.n) else None
    if value is not None and n is not None:
        text = f"{text} ({_n_text(n, lang)})"
    return text


def _legend(layout: _Layout, legend: Sequence[str]) -> None:
    """Coloured squares with their names, as many on a line as fit."""
    layout.y += 4
    x = MARGIN
    for s, name in enumerate(legend):
        need = LABEL_PX + 10 + layout.width(name, LABEL_PX) + 30
        if x > MARGIN and x + need > WIDTH_PX - MARGIN:
            x = MARGIN
            layout.y += LABEL_PX * LINE
        layout.rect(x, x + LABEL_PX * 0.8, layout.y + LABEL_PX * 0.15, LABEL_PX * 0.8, COLOURS[s])
        layout.text(x + LABEL_PX + 2, layout.y, name, LABEL_PX)
        x += need
    layout.y += LABEL_PX * LINE


def _draw(layout: _Layout, height: float):  # type: ignore[no-untyped-def]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    figure = Figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, WIDTH_PX)
    axes.set_ylim(height, 0)
    axes.axis("off")
    for kind, op in layout.ops:
        if kind == "rect":
            axes.add_patch(Rectangle((op["x"], op["y"]), op["w"], op["h"], color=op["c"], zorder=2))
        elif kind == "line":
            axes.plot(
                [op["x"], op["x"]], [op["y0"], op["y1"]], color=op["c"], lw=op["lw"], zorder=1
            )
        elif kind == "text":
            style = {k: v for k, v in op.items() if k not in ("x", "y", "s", "px")}
            style.setdefault("ha", "right" if layout.rtl else "left")
            style.setdefault("va", "top")
            axes.text(
                op["x"],
                op["y"],
                display(op["s"], layout.lang),
                fontsize=pt(op["px"]),
                family=FONT,
                zorder=3,
                **style,
            )
    return figure
