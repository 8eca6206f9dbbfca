"""The columns of an export file: one row per response, one column per question.

Each answer appears twice where that helps analysis: its label in the language staff chose and
its raw code (``satisfaction`` = "4 Satisfied", ``satisfaction_code`` = 4). A multiple-choice
question gets one 0/1 column per option. Text typed by partners is defused against
spreadsheet formula injection.

What may be in the file is decided by ``storage.disclosure`` like any summary (the handler
passes the verdicts in as ``withheld``): a question's columns are blank where its answers may
not be shown; there is no response number and dates are days, not minutes; the organisation
(and, for the others, the language) only for partners who agreed to be named; confidential
questions never. The raw file (``raw=True``) is the admins' own: every cell, response numbers
and times, said so on its first sheet (``about``); it still names no one who did not agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.i18n import translator
from bot.reports.summary_view import View
from conversations import Survey
from storage import disclosure
from storage.disclosure import REMOVED
from storage.exports import ExportAnswer, ExportResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """``id`` is the stable header; ``question`` and ``option`` describe it in the chosen
    language (the XLSX file lists them on a second sheet)."""

    id: str
    question: str
    option: str = ""


def safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class Layout:
    """The columns of one survey in one language, and how a response fills them."""

    def __init__(
        self,
        survey: Survey,
        lang: str,
        *,
        withheld: frozenset[str] = frozenset(),
        blanked: frozenset[str] = frozenset(),
        raw: bool = False,
    ) -> None:
        self.survey = survey
        self.view = View(survey, lang)
        self.tr = translator(lang)
        self.lang = lang
        self.raw = raw
        self.withheld = frozenset() if raw else withheld
        #: Withheld questions that had answers: the ones worth naming on the About sheet.
        self.answered = blanked
        _ = self.tr
        if raw:
            self.columns: list[Column] = [
                Column("response", _("Response number")),
                Column(
                    "organisation", _("Organisation (only for partners who agreed to be named)")
                ),
                Column("language", _("Language of the answers")),
                Column("status", _("Status")),
                Column("invited_utc", _("Invited (UTC)")),
                Column("started_utc", _("Started (UTC)")),
                Column("completed_utc", _("Completed (UTC)")),
            ]
        else:
            self.columns = [
                Column(
                    "organisation", _("Organisation (only for partners who agreed to be named)")
                ),
                Column("language", _("Language (only for partners who agreed to be named)")),
                Column("status", _("Status")),
                Column("completed_day", _("Completed (day, UTC)")),
            ]
        if survey.id == "jpat":
            self.columns.append(Column("side", _("Side")))
        self._fillers: list[Callable[[ExportResponse], list[Any]]] = []
        for question in survey.questions:
            if question.type == "note" or getattr(question, "confidential", False):
                continue
            text = self.view.text(question.text)
            if question.key in self.withheld:
                text = _(
                    "{question} (not shown: too few answers to keep them anonymous)", question=text
                )
            if question.type == "multiple_choice":
                for choice in question.choices:
                    self.columns.append(
                        Column(f"{question.key}_{choice.code}", text, self.view.text(choice.label))
                    )
                self._fillers.append(self._multi(question.key, question.codes))
            elif question.type in ("scale", "single_choice", "yes_no"):
                self.columns.append(Column(question.key, text))
                self.columns.append(Column(f"{question.key}_code", text, _("code")))
                self._fillers.append(self._labelled(question.key))
            else:
                self.columns.append(Column(question.key, text))
                self._fillers.append(self._plain(question.key, question.type))

    @property
    def header(self) -> list[str]:
        return [c.id for c in self.columns]

    def row(self, response: ExportResponse, dates: Callable[[datetime | None], Any]) -> list[Any]:
        if self.raw:
            cells: list[Any] = [
                response.id,
                safe(response.organisation or ""),
                response.language,
                response.status,
                dates(response.invited_at),
                dates(response.started_at),
                dates(response.completed_at),
            ]
        else:
            # A row without an organisation gives nothing that could be matched with who
            # just left /pending (its day) or with its organisation's other rows (language).
            named = response.organisation is not None
            cells = [
                safe(response.organisation or ""),
                response.language if named else "",
                response.status if named else "",
                disclosure.export_day(response.completed_at) if named else None,
            ]
        if self.survey.id == "jpat":
            cells.append(response.side or "")
        for fill in self._fillers:
            cells += fill(response)
        return cells

    def _status_cells(self, answer: ExportAnswer) -> tuple[str, str] | None:
        _ = self.tr
        if answer.status == "dont_know":
            return _("Don't know"), "dont_know"
        if answer.status == "skipped":
            return "", "skipped"
        return None

    def _labelled(self, key: str) -> Callable[[ExportResponse], list[Any]]:
        labels: dict[Any, str] = {}  # code -> label, looked up once per export

        def fill(response: ExportResponse) -> list[Any]:
            answer = None if key in self.withheld else response.answers.get(key)
            if answer is None:
                return ["", ""]
            special = self._status_cells(answer)
            if special is not None:
                return list(special)
            if answer.value_num is not None:
                code: Any = (
                    int(answer.value_num) if answer.value_num.is_integer() else answer.value_num
                )
            else:
                code = answer.value_text or ""
            label = labels.get(code)
            if label is None:
                label = labels[code] = self.view.answer_label(key, code) if code != "" else ""
            return [safe(label), safe(code)]

        return fill

    def _multi(self, key: str, codes: tuple[str, ...]) -> Callable[[ExportResponse], list[Any]]:
        def fill(response: ExportResponse) -> list[Any]:
            answer = None if key in self.withheld else response.answers.get(key)
            if answer is None or answer.status != "answered":
                return ["" for _c in codes]
            chosen = set(answer.choice_codes or [])
            return [1 if code in chosen else 0 for code in codes]

        return fill

    def _plain(self, key: str, kind: str) -> Callable[[ExportResponse], list[Any]]:
        def fill(response: ExportResponse) -> list[Any]:
            answer = None if key in self.withheld else response.answers.get(key)
            if answer is None:
                return [""]
            special = self._status_cells(answer)
            if special is not None:
                return [special[0] or special[1]]
            if kind in ("integer", "decimal") and answer.value_num is not None:
                value = answer.value_num
                return [int(value) if kind == "integer" and value.is_integer() else value]
            if answer.value_text is None and answer.has_voice:
                _ = self.tr
                return [_("[voice message, {seconds} s]", seconds=answer.voice_duration or 0)]
            if answer.value_text == REMOVED:  # erased by /forget: blank like any empty text
                return [""]
            return [safe(answer.value_text or "")]

        return fill


def about(layout: Layout) -> tuple[str, list[str]]:
    """The file's first sheet: what this file is and what was left out, in the reader's
    language."""
    _ = layout.tr
    if layout.raw:
        lines = [
            _("RAW EXPORT FOR ADMINS ONLY. Do not share this file."),
            _(
                "Every answer of every finished response, with response numbers and times. Its creation is in the audit log."
            ),
            _("Organisations are named only for partners who agreed to it."),
        ]
        return _("Raw export"), lines
    lines = [
        _(
            "Answers of finished responses. There is no response number, and dates are days, so a row cannot be traced back to a person."
        ),
        _("Organisations and languages are given only for partners who agreed to be named."),
    ]
    for question in layout.survey.questions:
        if question.key in layout.withheld and question.key in layout.answered:
            lines.append(
                _(
                    "Not shown: {question} (too few answers to keep them anonymous, or they would differ from figures already shown by too few people).",
                    question=layout.view.text(question.text),
                )
            )
    return _("About this file"), lines
