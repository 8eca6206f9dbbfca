"""Our ``Survey`` -> an XLSForm workbook (.xlsx) that pyxform converts and staff can edit.

Standard XLSForm carries most of a definition: types, names, ``label::English (en)`` columns
per language, hints, ``required``, ``relevant`` (our show_if, see ``expressions``),
``constraint`` + ``constraint_message`` (our min/max limits), groups (our sections; a
one-screen section is a group with ``appearance: field-list``), and the settings sheet
(``form_id``, ``version``, ``default_language``, ``form_title``).

What XLSForm has no place for travels in extra columns that pyxform ignores, so that
``import_xlsform(export_xlsform(s)) == s``:

- survey sheet, column ``partnerbot``: ``dont_know`` (scale), ``voice`` and ``confidential``
  (text), ``yes_no`` (our yes/no question, written as ``select_one yes_no``) and
  ``labels=LIST`` (a range's point labels, kept as a choice list named by the points);
- survey sheet, column ``partnerbot_show_if``: only when a show_if has no XPath spelling that
  reads back exactly; it holds the condition as JSON and is used on import as long as the
  ``relevant`` cell next to it is unchanged (an edited ``relevant`` wins);
- settings sheet: ``partnerbot_title::Language (code)`` (the title's other languages),
  ``partnerbot_intro::Language (code)`` and ``partnerbot_section_name``.

Two things do not fit and are refused with ``ExportError``: a section whose questions do
not follow each other, and a section with no questions (an XLSForm group is a block of
rows). None of the shipped surveys has either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from io import BytesIO
from typing import Any

from babel import Locale, UnknownLocaleError
from openpyxl import Workbook

from conversations.conditions import parse_condition
from conversations.definition import (
    DateQuestion,
    DecimalQuestion,
    IntegerQuestion,
    MultipleChoiceQuestion,
    Question,
    ScaleQuestion,
    SingleChoiceQuestion,
    Survey,
    TextQuestion,
    YesNoQuestion,
)
from conversations.xlsform.constraints import render_constraint
from conversations.xlsform.expressions import (
    ExpressionError,
    parse_relevant,
    render_relevant,
)

_XLS_TYPE = {
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "date": "date",
    "note": "note",
    "scale": "range",
}
_DEFAULT_MAX_LENGTH = TextQuestion.model_fields["max_length"].default


class ExportError(Exception):
    """The definition has a shape XLSForm cannot hold (see the module docstring)."""


def language_header(code: str) -> str:
    """``"fr"`` -> ``"French (fr)"``: people read the name, the import reads the code."""
    try:
        name = Locale.parse(code.replace("-", "_")).english_name
    except (ValueError, UnknownLocaleError):
        name = None
    return f"{name or code} ({code})"


class _Lists:
    """The choices sheet: identical lists are written once and shared."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, dict[str, str]]] = []
        self.by_content: dict[str, str] = {}

    def add(self, wanted: str, items: Iterable[tuple[str, dict[str, str]]]) -> str:
        items = list(items)
        content = json.dumps(items, sort_keys=True, ensure_ascii=False)
        if content in self.by_content:
            return self.by_content[content]
        used = set(self.by_content.values())
        name, n = wanted, 1
        while name in used:
            n += 1
            name = f"{wanted}_{n}"
        self.by_content[content] = name
        self.rows.extend((name, code, label) for code, label in items)
        return name


def export_xlsform(survey: Survey) -> bytes:
    """The workbook's bytes (.xlsx)."""
    _check_sections(survey)
    languages = list(survey.languages)
    headers = {code: language_header(code) for code in languages}
    lists = _Lists()
    rows: list[dict[str, Any]] = []
    kinds: dict[str, str] = {}
    current: str | None = None
    for question in survey.questions:
        if question.section != current:
            if current is not None:
                rows.append({"type": "end_group"})
            if question.section is not None:
                rows.append(_group_row(survey, question.section))
            current = question.section
        rows.append(_question_row(question, kinds, lists))
        kinds[question.key] = question.type
    if current is not None:
        rows.append({"type": "end_group"})
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    columns = ["type", "name"]
    for base in ("label", "hint"):
        columns += [f"{base}::{headers[c]}" for c in languages]
    columns += ["required", "relevant", "constraint"]
    columns += [f"constraint_message::{headers[c]}" for c in languages]
    columns += ["parameters", "appearance", "partnerbot"]
    if any("partnerbot_show_if" in row for row in rows):
        columns.append("partnerbot_show_if")
    _write(sheet, columns, (_flatten(row, headers) for row in rows))
    choices = book.create_sheet("choices")
    choice_columns = ["list_name", "name"] + [f"label::{headers[c]}" for c in languages]
    _write(
        choices,
        choice_columns,
        (
            {"list_name": name, "name": code, **_texts("label", label, headers)}
            for name, code, label in lists.rows
        ),
    )
    settings = book.create_sheet("settings")
    values: dict[str, Any] = {
        "form_title": survey.title.get(survey.default_language, ""),
        "form_id": survey.id,
        "version": str(survey.version),
        "default_language": headers[survey.default_language],
    }
    others = {k: v for k, v in survey.title.items() if k != survey.default_language}
    values.update(_texts("partnerbot_title", others, headers))
    values.update(_texts("partnerbot_intro", survey.intro, headers))
    if survey.section_name != "part":
        values["partnerbot_section_name"] = survey.section_name
    _write(settings, list(values), [values])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _check_sections(survey: Survey) -> None:
    order = [q.section for q in survey.questions]
    runs = [s for i, s in enumerate(order) if s is not None and (i == 0 or order[i - 1] != s)]
    for section in survey.sections:
        if runs.count(section.key) == 0:
            raise ExportError(f"section '{section.key}' has no questions: XLSForm cannot hold it")
        if runs.count(section.key) > 1:
            raise ExportError(f"the questions of section '{section.key}' do not follow each other")
    if runs != [s.key for s in survey.sections]:
        raise ExportError("the sections are not listed in the order their questions come")


def _group_row(survey: Survey, key: str) -> dict[str, Any]:
    section = survey.section(key)
    assert section is not None
    row: dict[str, Any] = {"type": "begin_group", "name": key, "label": section.title}
    if section.one_screen:
        row["appearance"] = "field-list"
    return row


def _question_row(question: Question, kinds: dict[str, str], lists: _Lists) -> dict[str, Any]:
    row: dict[str, Any] = {"name": question.key, "label": question.text}
    flags: list[str] = []
    limits: dict[str, Any] = {}
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        name = lists.add(question.key, ((c.code, c.label) for c in question.choices))
        kind = "select_one" if isinstance(question, SingleChoiceQuestion) else "select_multiple"
        row["type"] = f"{kind} {name}"
    elif isinstance(question, YesNoQuestion):
        name = lists.add("yes_no", [("yes", {}), ("no", {})])
        row["type"] = f"select_one {name}"
        flags.append("yes_no")
    else:
        row["type"] = _XLS_TYPE[question.type]
    if isinstance(question, MultipleChoiceQuestion):
        limits = {
            "min_selections": question.min_selections,
            "max_selections": question.max_selections,
        }
    elif isinstance(question, IntegerQuestion | DecimalQuestion):
        limits = {"min": question.min, "max": question.max}
    elif isinstance(question, DateQuestion):
        limits = {"min_date": question.min_date, "max_date": question.max_date}
    elif isinstance(question, TextQuestion):
        if question.max_length != _DEFAULT_MAX_LENGTH:
            limits = {"max_length": question.max_length}
        flags += ["voice"] * question.allow_voice + ["confidential"] * question.confidential
    elif isinstance(question, ScaleQuestion):
        row["parameters"] = f"start={question.min} end={question.max} step=1"
        points = sorted(question.labels.items())
        flags += ["dont_know"] * question.dont_know
        flags.append(
            f"labels={lists.add(f'{question.key}_points', ((str(p), t) for p, t in points))}"
        )
    if question.hint:
        row["hint"] = question.hint
    if question.required:
        row["required"] = "yes"
    if question.show_if is not None:
        text = render_relevant(question.show_if, kinds)
        row["relevant"] = text
        if not _reads_back(text, question, kinds):
            row["partnerbot_show_if"] = json.dumps(question.show_if.to_data(), ensure_ascii=False)
    constraint = render_constraint(question.type, limits)
    if constraint:
        row["constraint"] = constraint
    if question.constraint_message:
        row["constraint_message"] = question.constraint_message
    if flags:
        row["partnerbot"] = " ".join(flags)
    return row


def _reads_back(text: str, question: Question, kinds: dict[str, str]) -> bool:
    try:
        return parse_relevant(text, kinds) == parse_condition(question.show_if)
    except ExpressionError:
        return False


def _texts(base: str, texts: dict[str, str], headers: dict[str, str]) -> dict[str, str]:
    return {f"{base}::{headers[code]}": text for code, text in texts.items() if code in headers}


def _flatten(row: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for column, value in row.items():
        if isinstance(value, dict):
            flat.update(_texts(column, value, headers))
        else:
            flat[column] = value
    return flat


def _write(sheet: Any, columns: list[str], rows: Iterable[dict[str, Any]]) -> None:
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column) for column in columns])
