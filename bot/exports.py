"""Exports as CSV or XLSX: one row per response, one column per question.

Each answer appears twice where that helps analysis: its label in the language staff chose and
its raw code (``satisfaction`` = "4 Satisfied", ``satisfaction_code`` = 4). A multiple-choice
question gets one 0/1 column per option. Text typed by partners is defused against
spreadsheet formula injection.

What may be in the file is decided by ``storage.disclosure`` like any summary (the handler
passes the verdicts in as ``withheld``): a question's columns are blank where its answers may
not be shown; there is no response number and dates are days, not minutes; the organisation
(and, for the others, the language) only for partners who agreed to be named; confidential
questions never. The raw file (``raw=True``) is the admins' own: every cell, response numbers
and times, said so on its first sheet; it still names no one who did not agree.

Rows are streamed from the database and written in batches in a worker thread, so a large
export neither fills memory nor stalls the bot for other people.
"""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.i18n import translator
from bot.summary_view import View
from conversations import Survey
from storage import disclosure, exports, jpat
from storage.db import Database
from storage.disclosure import REMOVED
from storage.exports import ExportAnswer, ExportResponse
from storage.summaries import Period, Scope

BATCH = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    """``id`` is the stable header; ``question`` and ``option`` describe it in the chosen
    language (the XLSX file lists them on a second sheet)."""

    id: str
    question: str
    option: str = ""


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    filename: str
    rows: int
    mime_type: str


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


class _CsvWriter:
    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)

    def write(self, rows: list[list[Any]]) -> None:
        self.writer.writerows(rows)

    def finish(self, layout: Layout) -> bytes:
        return self.buffer.getvalue().encode("utf-8-sig")  # Excel reads UTF-8 with a BOM


class _Sheet:
    """Another sheet of the same workbook, written like the first."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet

    def write(self, rows: list[list[Any]]) -> None:
        for row in rows:
            self.sheet.append(row)


class _XlsxWriter:
    def __init__(self, title: str, about: tuple[str, list[str]] | None = None) -> None:
        from openpyxl import Workbook

        self.book = Workbook(write_only=True)
        if about is not None:  # first, so it is what opens
            sheet = self.book.create_sheet(about[0][:31])
            for line in about[1]:
                sheet.append([safe(line)])
        self.sheet = self.book.create_sheet(title[:31] or "Responses")

    def write(self, rows: list[list[Any]]) -> None:
        for row in rows:
            self.sheet.append(row)

    def add_sheet(self, title: str, rows: list[list[Any]]) -> _Sheet:
        sheet = _Sheet(self.book.create_sheet(title[:31]))
        sheet.write(rows)
        return sheet

    def finish(self, layout: Layout) -> bytes:
        questions = self.book.create_sheet(layout.tr("Questions")[:31])
        questions.append([layout.tr("Column"), layout.tr("Question"), layout.tr("Option")])
        for column in layout.columns:
            questions.append([column.id, safe(column.question), safe(column.option)])
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def _dates(fmt: str) -> Callable[[datetime | None], Any]:
    """XLSX gets real (naive UTC) datetimes; CSV gets sortable text."""
    if fmt == "xlsx":
        return lambda moment: moment.replace(tzinfo=None) if moment else None
    return lambda moment: moment.strftime("%Y-%m-%d %H:%M") if moment else ""


async def _responses(
    db: Database,
    layout: Layout,
    scope: Scope,
    writer: Any,
    dates: Callable[..., Any],
    threshold: int | None,
) -> int:
    """Stream the responses in scope into ``writer``, a batch at a time off the event loop.
    The staff file (``threshold``) names only organisations with that many named people and
    comes in an order that is not the order of invitation; the raw file is in response order."""
    await asyncio.to_thread(writer.write, [layout.header])
    rows = 0
    batch: list[list[Any]] = []
    salt = None if layout.raw else secrets.randbelow(10**9)
    found = exports.stream(db, scope, threshold=None if layout.raw else threshold, salt=salt)
    async for response in found:
        batch.append(layout.row(response, dates))
        rows += 1
        if len(batch) >= BATCH:
            await asyncio.to_thread(writer.write, batch)
            batch = []
    if batch:
        await asyncio.to_thread(writer.write, batch)
    return rows


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


async def build(
    db: Database,
    survey: Survey,
    scope: Scope,
    lang: str,
    fmt: str,
    filename: str,
    *,
    withheld: frozenset[str] = frozenset(),
    blanked: frozenset[str] = frozenset(),
    raw: bool = False,
    threshold: int = 3,
) -> ExportFile:
    """Stream the responses in scope into a CSV or XLSX file (raw: always XLSX)."""
    layout = Layout(survey, lang, withheld=withheld, blanked=blanked, raw=raw)
    fmt = "xlsx" if raw else fmt
    writer: Any = (
        _XlsxWriter(layout.tr("Responses"), about(layout)) if fmt == "xlsx" else _CsvWriter()
    )
    rows = await _responses(db, layout, scope, writer, _dates(fmt), threshold)
    data = await asyncio.to_thread(writer.finish, layout)
    return ExportFile(data, f"{filename}.{fmt}", rows, MIME[fmt])


async def build_jpat(
    db: Database,
    survey: Survey,
    period: Period,
    lang: str,
    fmt: str,
    filename: str,
    *,
    withheld: frozenset[str] | None = frozenset(),
    blanked: frozenset[str] = frozenset(),
    raw: bool = False,
    threshold: int = 3,
) -> ExportFile:
    """The J-PAT: per round and statement both sides' scores, the gap, the agreed score and the
    action (CSV: that table; XLSX: it, the rounds, and every submission as a row). The rounds
    are the joint reviews staff took part in; the submissions sheet follows the cell rules
    (``withheld``; None leaves it out, when the whole group may not be shown)."""
    layout = Layout(survey, lang, withheld=withheld or frozenset(), blanked=blanked, raw=raw)
    fmt = "xlsx" if raw else fmt
    _ = layout.tr
    dates = _dates(fmt)
    keys = [q.key for q in survey.questions if q.type == "scale"]
    header = [
        "round",
        "partnership",
        "round_number",
        "round_status",
        "item",
        "statement",
        "partner_median",
        "partner_n",
        "ngo_median",
        "ngo_n",
        "gap",
        "to_discuss",
        "agreed_score",
        "action",
        "action_owner",
        "action_due",
        "action_done_utc",
    ]
    items: list[list[Any]] = [header]
    rounds: list[list[Any]] = [
        [
            "round",
            "partnership",
            "round_number",
            "status",
            "opened_utc",
            "closed_utc",
            "consolidated_utc",
            "finalised_utc",
            "dispute_comment",
        ]
    ]
    async with db.sessions() as session:
        for found in await exports.jpat_rounds(session, period):
            name = found.organisation or _("Partnership #{id}", id=found.partnership_id)
            rounds.append(
                [
                    found.id,
                    safe(name),
                    found.number,
                    found.status,
                    dates(found.opened_at),
                    dates(found.closed_at),
                    dates(found.consolidated_at),
                    dates(found.finalised_at),
                    safe(found.dispute_comment or ""),
                ]
            )
            agreed = await jpat.items(session, found.id)
            for figures in await jpat.comparison(session, found.id, keys):
                item = agreed.get(figures.key)
                items.append(
                    [
                        found.id,
                        safe(name),
                        found.number,
                        found.status,
                        figures.key,
                        layout.view.question_text(figures.key),
                        figures.partner.median,
                        figures.partner.n,
                        figures.ngo.median,
                        figures.ngo.n,
                        figures.gap,
                        1 if figures.flagged else 0,
                        item.agreed_score if item else None,
                        safe(item.action_text or "") if item else "",
                        (item.action_owner or "") if item else "",
                        item.action_due.isoformat() if item and item.action_due else "",
                        dates(item.action_done_at) if item else dates(None),
                    ]
                )
    if fmt == "csv":
        writer: Any = _CsvWriter()
        writer.write(items)
        data = writer.finish(layout)
        return ExportFile(data, f"{filename}.csv", len(items) - 1, MIME["csv"])
    book = _XlsxWriter(_("J-PAT"), about(layout))
    book.write(items)
    book.add_sheet(_("Rounds"), rounds)
    count = 0
    if withheld is not None:
        responses = book.add_sheet(_("Submissions"), [])
        count = await _responses(db, layout, Scope(survey.id, period), responses, dates, threshold)
    data = await asyncio.to_thread(book.finish, layout)
    return ExportFile(data, f"{filename}.xlsx", count, MIME["xlsx"])
