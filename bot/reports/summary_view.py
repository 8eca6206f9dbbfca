"""Summaries put into words and chart panels, in the reader's language.

Storage hands over numbers and codes (``storage.summaries``); this module turns them into what
a staff member or a partner reads: question texts and answer labels from the survey
definition, numbers and percentages formatted by Babel for the reader's locale, and a plain
reason whenever a figure is held back for privacy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import Translator, translator, words
from bot.reports import summary_panels
from bot.reports.chart import Panel
from bot.reports.wording import bar, language_name, number, percent, quote
from conversations import Survey
from storage.disclosure import (
    COMPLEMENT,
    ONE_ORGANISATION,
    OVERLAP,
    OVERLAP_ORGANISATION,
    TOO_FEW,
)
from storage.summary_figures import QuestionFigures, Summary
from storage.trends import TrendPoint


@dataclass
class View:
    """One survey read in one language."""

    survey: Survey
    lang: str

    @property
    def _(self) -> Translator:
        return translator(self.lang)

    def text(self, texts: object) -> str:
        return self.survey.text_for(texts, self.lang)  # type: ignore[arg-type]

    @property
    def title(self) -> str:
        return self.text(self.survey.title)

    def question_text(self, key: str) -> str:
        question = self.survey.question(key)
        return self.text(question.text) if question is not None else key

    def answer_label(self, key: str, code: str | float) -> str:
        question = self.survey.question(key)
        _ = self._
        kind = getattr(question, "type", None)
        if kind == "yes_no":
            return _("Yes") if code == "yes" else _("No")
        if kind in ("single_choice", "multiple_choice"):
            choice = question.choice(str(code))  # type: ignore[union-attr]
            return self.text(choice.label) if choice is not None else str(code)
        if kind == "scale":
            point = int(float(code))
            label = question.labels.get(point)  # type: ignore[union-attr]
            return f"{point} {self.text(label)}" if label else str(point)
        return str(code)

    def options(self, figures: QuestionFigures) -> list[tuple[str, int]]:
        """(code, count) in the order the survey lists the options, unknown codes last."""
        question = self.survey.question(figures.key)
        if getattr(question, "type", None) == "yes_no":
            order = ["yes", "no"]
        else:
            order = [c.code for c in getattr(question, "choices", [])]
        known = [(code, figures.choices.get(code, 0)) for code in order]
        extra = sorted((c, n) for c, n in figures.choices.items() if c not in order)
        return known + extra

    def scale_range(self, key: str) -> tuple[float, float]:
        question = self.survey.question(key)
        return float(getattr(question, "min", 1)), float(getattr(question, "max", 5))

    # ---------------------------------------------------------------- privacy notes

    def suppressed_reason(self, summary: Summary) -> str:
        _ = self._
        if summary.suppressed == TOO_FEW:
            return _.ngettext(
                "Figures are not shown: only {n} person answered here, fewer than {threshold}, so answers could be traced back to someone.",
                "Figures are not shown: only {n} people answered here, fewer than {threshold}, so answers could be traced back to someone.",
                summary.people,
                threshold=summary.threshold,
            )
        if summary.suppressed in (OVERLAP, OVERLAP_ORGANISATION):
            return self.held_back(summary.suppressed, summary.threshold)
        if summary.suppressed == ONE_ORGANISATION:
            return _(
                "Figures are not shown: all answers come from one organisation, and some of its partners asked to be counted only in totals together with other organisations."
            )
        return ""

    def held_back(self, reason: str, threshold: int) -> str:
        """Why figures wait for more answers (rule 6 of ``storage.disclosure``), for a whole
        summary or one question alike."""
        _ = self._
        if reason == OVERLAP_ORGANISATION:
            return _(
                "Held back: together with figures already shown, these figures would reveal the answers of one organisation, and some of its partners asked to be counted only in totals. They will be shown when more organisations have answered."
            )
        return _(
            "Held back: these figures would differ from figures already shown by fewer than {threshold} people, and the difference would reveal their answers. They will be shown when more people have answered.",
            threshold=threshold,
        )

    def breakdown_note(self) -> str:
        """Said of every breakdown, whoever answered: a note only where someone asked for
        totals only would tell which organisation they belong to."""
        return self._(
            "Partners who asked to be counted only in overall totals are never part of a breakdown."
        )

    # ---------------------------------------------------------------- staff text

    def counts_line(self, summary: Summary) -> str:
        return self._(
            "Asked: {recipients} · started: {started} · completed: {completed} · response rate: {rate}",
            recipients=summary.recipients,
            started=summary.started,
            completed=summary.completed,
            rate=percent(summary.response_rate, self._),
        )

    def staff_text(self, summary: Summary, heading: str) -> str:
        parts = [heading, self.counts_line(summary)]
        if summary.suppressed:
            parts.append(self.suppressed_reason(summary))
            return self._.paragraphs(*parts)
        for n, figures in enumerate(summary.questions, start=1):
            parts.append(self.question_block(n, figures, summary.threshold, quotes=True))
        return self._.paragraphs(*parts)

    def question_block(
        self, n: int, figures: QuestionFigures, threshold: int, *, quotes: bool
    ) -> str:
        _ = self._
        lines = [f"{n}. {self.question_text(figures.key)}"]
        if figures.answered == 0 and figures.suppressed:
            lines.append(_("No answers."))
            return "\n".join(lines)
        if figures.reason == COMPLEMENT:
            lines.append(
                _(
                    "Not shown: outside this group fewer than {threshold} people answered it, so comparing with all partners would reveal their answers.",
                    threshold=threshold,
                )
            )
            return "\n".join(lines)
        if figures.reason in (OVERLAP, OVERLAP_ORGANISATION):
            lines.append(self.held_back(figures.reason, threshold))
            return "\n".join(lines)
        if figures.suppressed and figures.alone:
            lines.append(
                _(
                    "Not shown: every answer to this question comes from one organisation, and some of its partners asked to be counted only in totals."
                )
            )
            return "\n".join(lines)
        if figures.suppressed:
            lines.append(
                _.ngettext(
                    "Answered by {n} person: too few to show (fewer than {threshold}).",
                    "Answered by {n} people: too few to show (fewer than {threshold}).",
                    figures.people,
                    threshold=threshold,
                )
            )
            return "\n".join(lines)
        if figures.kind in ("scale", "number") and figures.mean is not None:
            lines.append(
                _(
                    "Mean {mean} · median {median} · {n} answers",
                    mean=number(figures.mean, _),
                    median=number(figures.median or 0, _),
                    n=figures.answered,
                )
            )
            if figures.kind == "number" and figures.minimum is not None:
                lines.append(
                    _(
                        "From {low} to {high}",
                        low=number(figures.minimum, _),
                        high=number(figures.maximum or 0, _),
                    )
                )
            for bucket in figures.distribution:
                share = bucket.count / figures.answered if figures.answered else 0
                label = (
                    self.answer_label(figures.key, bucket.low)
                    if figures.kind == "scale"
                    else f"{number(bucket.low, _)}–{number(bucket.high, _)}"
                )
                lines.append(f"{bar(share)} {label}: {bucket.count} ({percent(share, _)})")
        elif figures.kind in ("choice", "multi"):
            lines.append(_.ngettext("{n} answer", "{n} answers", figures.answered))
            if figures.kind == "multi":
                lines.append(_("(more than one option could be chosen)"))
            for code, count in self.options(figures):
                share = figures.share(code)
                label = self.answer_label(figures.key, code)
                lines.append(f"{bar(share)} {label}: {count} ({percent(share, _)})")
        elif figures.kind == "text":
            if figures.voice:
                lines.append(
                    _.ngettext(
                        "{n} answer, {voice} by voice message",
                        "{n} answers, {voice} by voice message",
                        figures.answered,
                        voice=figures.voice,
                    )
                )
            else:
                lines.append(_.ngettext("{n} answer", "{n} answers", figures.answered))
            if quotes and figures.latest:
                lines.append(_("Some of the answers:"))
                lines += [f"“{words(quote(text), self.lang)}”" for text in figures.latest]
        else:
            lines.append(_.ngettext("{n} answer", "{n} answers", figures.answered))
        if figures.dont_know:
            lines.append(_("Don't know: {n}", n=figures.dont_know))
        if figures.skipped:
            lines.append(_("Skipped: {n}", n=figures.skipped))
        return "\n".join(lines)

    # ---------------------------------------------------------------- partner text

    def partner_text(self, summary: Summary, note: str | None, note_language: str | None) -> str:
        """What we heard, for the partners who were asked: totals only, never quotes."""
        _ = self._
        parts = [
            _("What we heard: {title}", title=self.title),
            _.ngettext(
                "{n} partner of {total} answered. Thank you for your time!",
                "{n} partners of {total} answered. Thank you for your time!",
                summary.completed,
                total=summary.recipients,
            ),
        ]
        n = 0
        for figures in summary.questions:
            if figures.suppressed or figures.kind not in ("scale", "number", "choice", "multi"):
                continue
            n += 1
            lines = [f"{n}. {self.question_text(figures.key)}"]
            if figures.kind == "scale" and figures.mean is not None:
                high = self.scale_range(figures.key)[1]
                lines.append(
                    _(
                        "Average: {mean} out of {high}",
                        mean=number(figures.mean, _),
                        high=number(high, _),
                    )
                )
                for bucket in figures.distribution:
                    share = bucket.count / figures.answered if figures.answered else 0
                    lines.append(
                        f"{self.answer_label(figures.key, bucket.low)}: {percent(share, _)}"
                    )
            elif figures.kind == "number" and figures.mean is not None:
                lines.append(
                    _(
                        "Average: {mean} · middle value: {median}",
                        mean=number(figures.mean, _),
                        median=number(figures.median or 0, _),
                    )
                )
            else:
                for code, _count in self.options(figures):
                    lines.append(
                        f"{self.answer_label(figures.key, code)}: {percent(figures.share(code), _)}"
                    )
            parts.append("\n".join(lines))
        if note:
            parts.append(
                "\n".join(
                    [
                        _(
                            "What we will do (a note from the team, written in {language}):",
                            language=language_name(note_language or "en", self.lang),
                        ),
                        words(note, self.lang),
                    ]
                )
            )
        parts.append(_("Does this match what you told us? You can react or send a comment."))
        return _.paragraphs(*parts)

    # ---------------------------------------------------------------- trends

    def trend_text(
        self,
        heading: str,
        points: Sequence[TrendPoint],
        labels: Sequence[str],
        keys: Sequence[str],
        threshold: int,
    ) -> str:
        _ = self._
        parts = [heading]
        rows = []
        for point, label in zip(points, labels, strict=True):
            rows.append(
                _(
                    "{period}: asked {recipients}, completed {completed} ({rate})",
                    period=label,
                    recipients=point.recipients,
                    completed=point.completed,
                    rate=percent(point.response_rate, _),
                )
            )
        parts.append("\n".join(rows))
        for n, key in enumerate(keys, start=1):
            lines = [f"{n}. {self.question_text(key)}"]
            for point, label in zip(points, labels, strict=True):
                if key in point.means:
                    value = _(
                        "mean {mean} ({n} answers)",
                        mean=number(point.means[key], _),
                        n=point.answered[key],
                    )
                else:
                    value = _("not shown")
                lines.append(f"{label}: {value}")
            parts.append("\n".join(lines))
        if any(p.suppressed for p in points):
            parts.append(
                _(
                    "Periods with fewer than {threshold} people answering are not shown, so answers cannot be traced back to someone.",
                    threshold=threshold,
                )
            )
        if any(
            key not in point.means for point in points if point.suppressed is None for key in keys
        ):
            parts.append(
                _(
                    "A figure not shown in a period with enough people had too few answers, would differ from figures already shown by fewer than {threshold} people, or together with them would reveal the answers of one organisation some of whose partners asked to be counted only in totals.",
                    threshold=threshold,
                )
            )
        return _.paragraphs(*parts)

    # ---------------------------------------------------------------- J-PAT sides

    def jpat_text(self, heading: str, partner: Summary, ngo: Summary) -> str:
        """Both sides next to each other, per statement, with the gap between them."""
        _ = self._
        parts = [heading]
        for label, summary in ((_("Partner side"), partner), (_("NGO side"), ngo)):
            line = f"{label}: {self.counts_line(summary)}"
            if summary.suppressed:
                line += "\n" + self.suppressed_reason(summary)
            parts.append(line)
        for n, figures in enumerate(partner.questions, start=1):
            if figures.kind != "scale":
                continue
            other = ngo.question(figures.key)
            p = None if partner.suppressed or figures.suppressed else figures.mean
            g = None if ngo.suppressed or other is None or other.suppressed else other.mean
            gap = number(abs(p - g), _) if p is not None and g is not None else "–"
            parts.append(
                "\n".join(
                    [
                        f"{n}. {self.question_text(figures.key)}",
                        _(
                            "Partners {partner} · NGO {ngo} · gap {gap}",
                            partner=number(p, _) if p is not None else "–",
                            ngo=number(g, _) if g is not None else "–",
                            gap=gap,
                        ),
                    ]
                )
            )
        return _.paragraphs(*parts)

    # ---------------------------------------------------------------- chart panels

    def panels(self, summary: Summary, *, partner: bool = False) -> list[Panel]:
        """Average scores in one panel; each choice question in its own; numbers as bins."""
        return summary_panels.panels(self, summary, partner=partner)

    def jpat_panel(self, partner: Summary, ngo: Summary) -> list[Panel]:
        """Both sides' average scores, statement by statement."""
        return summary_panels.jpat_panel(self, partner, ngo)
