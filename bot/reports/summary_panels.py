"""A summary's chart panels: average scores in one panel, each choice question in its own,
numbers as bins; and the J-PAT's two sides next to each other (drawn by
``bot.reports.chart``)."""

from __future__ import annotations

from typing import Protocol

from bot.i18n import Translator
from bot.reports.chart import Bar, Panel
from bot.reports.wording import number, percent, short
from storage.summary_figures import QuestionFigures, Summary


class View(Protocol):
    """What the panels read of a summary's view (``bot.reports.summary_view.View``), named
    here so the view can draw its panels without the two modules importing each other."""

    @property
    def _(self) -> Translator: ...

    def question_text(self, key: str) -> str: ...

    def answer_label(self, key: str, code: str | float) -> str: ...

    def options(self, figures: QuestionFigures) -> list[tuple[str, int]]: ...

    def scale_range(self, key: str) -> tuple[float, float]: ...


MAX_CHART_PANELS = 6


def panels(view: View, summary: Summary, *, partner: bool = False) -> list[Panel]:
    """Average scores in one panel; each choice question in its own; numbers as bins."""
    _ = view._
    if summary.suppressed:
        return []
    shown = [q for q in summary.questions if not q.suppressed and q.answered]
    panels: list[Panel] = []
    scales = [q for q in shown if q.kind == "scale" and q.mean is not None]
    if scales:
        low = min(view.scale_range(q.key)[0] for q in scales)
        high = max(view.scale_range(q.key)[1] for q in scales)
        panels.append(
            Panel(
                title=_(
                    "Average score ({low} to {high})", low=number(low, _), high=number(high, _)
                ),
                bars=[
                    Bar(
                        short(view.question_text(q.key)),
                        [q.mean],
                        [number(q.mean or 0, _)],
                        n=[q.answered],
                    )
                    for q in scales
                ],
                x_min=0,
                x_max=high,
            )
        )
    for figures in shown:
        if figures.kind in ("choice", "multi"):
            options = view.options(figures)
            panels.append(
                Panel(
                    title=short(view.question_text(figures.key), 110),
                    bars=[
                        Bar(
                            short(view.answer_label(figures.key, code), 40),
                            [figures.share(code) * 100],
                            [percent(figures.share(code), _)],
                        )
                        for code, _count in options
                    ],
                    x_min=0,
                    x_max=100,
                    percent=True,
                    n=figures.answered,
                )
            )
        elif figures.kind == "number" and not partner and figures.distribution:
            top = max(b.count for b in figures.distribution) or 1
            panels.append(
                Panel(
                    title=short(view.question_text(figures.key), 110),
                    bars=[
                        Bar(
                            f"{number(b.low, _)}–{number(b.high, _)}",
                            [b.count],
                            [str(b.count)],
                        )
                        for b in figures.distribution
                    ],
                    x_min=0,
                    x_max=top,
                    n=figures.answered,
                )
            )
    return panels[:MAX_CHART_PANELS]


def jpat_panel(view: View, partner: Summary, ngo: Summary) -> list[Panel]:
    _ = view._
    bars = []
    for figures in partner.questions:
        if figures.kind != "scale":
            continue
        other = ngo.question(figures.key)
        p = None if partner.suppressed or figures.suppressed else figures.mean
        g = None if ngo.suppressed or other is None or other.suppressed else other.mean
        bars.append(
            Bar(
                short(view.question_text(figures.key), 60),
                [p, g],
                [number(v, _) if v is not None else "–" for v in (p, g)],
                n=[
                    figures.answered if p is not None else None,
                    other.answered if g is not None and other is not None else None,
                ],
            )
        )
    if not bars or all(v is None for b in bars for v in b.values):
        return []
    return [
        Panel(
            title=_("Average score (1 to 5)"),
            bars=bars,
            x_min=0,
            x_max=5,
            legend=[_("Partner side"), _("NGO side")],
        )
    ]
