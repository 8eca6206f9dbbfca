"""Survey rows of an XLSForm to our question and section data, refusing what we cannot run.

Types: ``select_one``/``select_multiple`` (choices from the choices sheet), ``integer``,
``decimal``, ``text``, ``date``, ``note`` and ``range`` (our scale) map one to one;
``begin_group``/``end_group`` become sections (``appearance: field-list`` is our one-screen
section, a group's ``relevant`` is added to each of its questions). Our extras travel in a
``partnerbot`` column of space-separated settings: ``dont_know`` (scale), ``voice`` and
``confidential`` (text), ``yes_no`` (a select_one over the choices yes/no),
``labels=LIST`` (the point labels of a range, a choice list whose names are the points) and
``max_length=N`` (text, also written as ``string-length(.) <= N``).

Everything else with a value (repeats, calculations, choice filters, media, locations,
defaults, ...) is refused with its sheet, row and column, never dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from conversations.conditions import AllConditions, Condition, parse_condition
from conversations.definition import CODE_PATTERN
from conversations.validation import MAX_SCALE_POINTS
from conversations.xlsform import messages as msg
from conversations.xlsform.columns import KEY, Header, Languages, Report, split_header
from conversations.xlsform.constraints import parse_constraint
from conversations.xlsform.expressions import (
    ExpressionError,
    parse_relevant,
    render_relevant,
)
from conversations.xlsform.reading import Row, Sheet
from conversations.xlsform.types import METADATA, classify

_CODE = re.compile(CODE_PATTERN)
#: Survey columns the mapping reads; anything else with a value on a question row is refused.
USED_COLUMNS = frozenset(
    {"type", "name", "label", "hint", "required", "relevant", "constraint",
     "constraint_message", "parameters", "appearance", "partnerbot", "partnerbot_show_if"}
)  # fmt: skip
_FLAGS = {
    "dont_know": {"scale"},
    "voice": {"text"},
    "confidential": {"text"},
    "yes_no": {"single_choice"},
}
_YES = {"yes", "true", "true()"}
_NO = {"no", "false", "false()"}


@dataclass
class Mapped:
    """What the survey sheet gave: sections and questions, and the row of each key."""

    sections: list[dict[str, Any]] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    rows: dict[str, Row] = field(default_factory=dict)


@dataclass
class _Group:
    kind: str  # "group" or "repeat"
    row: Row
    key: str | None
    condition: Condition | None


def choice_lists(sheet: Sheet) -> dict[str, list[Row]]:
    lists: dict[str, list[Row]] = {}
    for row in sheet.rows:
        name = row.get("list_name") or row.get("list name")
        if name:
            lists.setdefault(name, []).append(row)
    return lists


class SurveyMapper:
    """Walks the survey sheet once, top to bottom (show_if may only look backwards anyway)."""

    def __init__(
        self, survey: Sheet, choices: Sheet, languages: Languages, refuse: Report, warn: Report
    ) -> None:
        self.sheet = survey
        self.headers = [split_header(h) for h in survey.headers]
        self.choice_headers = [split_header(h) for h in choices.headers]
        self.lists = choice_lists(choices)
        self.languages = languages
        self.refuse = refuse
        self.warn = warn
        self.kinds: dict[str, str] = {}
        self.result = Mapped()
        self.stack: list[_Group] = []

    def run(self) -> Mapped:
        for row in self.sheet.rows:
            if row.cells:
                self._row(row)
        for group in self.stack:
            self.refuse(group.row.place("type"), msg.GROUP_NOT_CLOSED)
        return self.result

    # ------------------------------------------------------------------ rows

    def _row(self, row: Row) -> None:
        raw = row.get("type")
        if not raw:
            if any(not h.startswith("$") for h in row.cells):
                self.refuse(row.place("type"), msg.NO_TYPE)
            return
        words = " ".join(raw.replace("_", " ").split()).lower()
        if words in {"begin group", "begin repeat", "begin looped group"}:
            self._begin(row, "group" if words == "begin group" else "repeat")
        elif words in {"end group", "end repeat", "end looped group"}:
            if not self.stack:
                self.refuse(row.place("type"), msg.END_WITHOUT_BEGIN.format(type=raw))
            else:
                self.stack.pop()
        elif words in METADATA:  # KoBo adds start, end, today… to every new form
            self.warn(row.place("type"), msg.METADATA_LEFT_OUT.format(type=raw))
        else:
            kind = classify(raw)
            if isinstance(kind, str):
                self.refuse(row.place("type"), kind)
            else:
                self._question(row, *kind)

    def _begin(self, row: Row, kind: str) -> None:
        if kind == "repeat":
            self.refuse(row.place("type"), msg.REPEAT)
        elif self.stack:
            self.refuse(row.place("type"), msg.NESTED_GROUP)
        key = self._key(row)
        condition = self._relevant(row, row.get("relevant")) if row.get("relevant") else None
        self.stack.append(_Group(kind, row, key, condition))
        if kind != "group" or len(self.stack) > 1 or key is None:
            return
        title = self.languages.texts(row, "label", self.headers)
        if not title.get(self.languages.default):
            self.refuse(row.place("label"), msg.NO_LABEL.format(language=self.languages.default))
        section: dict[str, Any] = {"key": key, "title": title}
        appearance = row.get("appearance")
        if "field-list" in appearance.split():
            section["one_screen"] = True
        elif appearance:
            self.warn(
                row.place("appearance"), msg.GROUP_APPEARANCE_IGNORED.format(value=appearance)
            )
        self._unused_columns(row, {"type", "name", "label", "relevant", "appearance"})
        self.result.sections.append(section)

    def _key(self, row: Row) -> str | None:
        name = row.get("name")
        if not KEY.match(name):
            self.refuse(row.place("name"), msg.BAD_NAME.format(name=name))
            return None
        first = self.result.rows.get(name)
        if first is not None:
            self.refuse(row.place("name"), msg.DUPLICATE_NAME.format(name=name, first=first.number))
            return None
        self.result.rows[name] = row
        return name

    # ------------------------------------------------------------------ questions

    def _question(self, row: Row, kind: str, list_name: str | None) -> None:
        key = self._key(row)
        flags = self._flags(row, kind)
        if flags.pop("yes_no", None):
            kind = "yes_no"
        data: dict[str, Any] = {"key": key, "type": kind}
        texts = self.languages.texts(row, "label", self.headers)
        if not texts.get(self.languages.default):
            self.refuse(row.place("label"), msg.NO_LABEL.format(language=self.languages.default))
        data["text"] = texts
        for column in ("hint", "constraint_message"):
            found = self.languages.texts(row, column, self.headers)
            if found:
                data[column] = found
        data["required"] = self._required(row)
        condition = self._show_if(row)
        group = next((g for g in self.stack if g.kind == "group"), None)
        if group is not None and len(self.stack) == 1 and group.key:
            data["section"] = group.key
        outer = [g.condition for g in self.stack if g.condition is not None]
        if outer:
            condition = (
                AllConditions((*outer, condition))
                if condition
                else (outer[0] if len(outer) == 1 else AllConditions(tuple(outer)))
            )
        if condition is not None:
            data["show_if"] = condition
        if kind in {"single_choice", "multiple_choice"}:
            data["choices"] = self._choices(row, list_name or "")
        elif kind == "yes_no":
            codes = sorted(r.get("name") for r in self.lists.get(list_name or "", []))
            if codes != ["no", "yes"]:
                self.refuse(row.place("type"), msg.YES_NO_LIST)
        if kind == "scale":
            data.update(self._range(row, flags.pop("labels", None)))
        elif row.get("parameters"):
            self.refuse(row.place("parameters"), msg.COLUMN_NOT_SUPPORTED["parameters"])
        data.update(self._constraint(row, kind))
        if "max_length" in flags:
            data["max_length"] = int(flags.pop("max_length"))
        data.update(flags)
        appearance = row.get("appearance")
        if appearance:
            self.warn(row.place("appearance"), msg.APPEARANCE_IGNORED.format(value=appearance))
        self._unused_columns(row, USED_COLUMNS)
        if key is not None:
            self.kinds[key] = kind
            self.result.questions.append(data)

    def _flags(self, row: Row, kind: str) -> dict[str, Any]:
        flags: dict[str, Any] = {}
        for word in row.get("partnerbot").split():
            name, _, value = word.partition("=")
            if name in _FLAGS and not value:
                applies = _FLAGS[name]
                field_name = {"voice": "allow_voice"}.get(name, name)
                flags[field_name] = True
            elif name == "labels" and value:
                applies, flags["labels"] = {"scale"}, value
            elif name == "max_length" and value.isdigit():
                applies, flags["max_length"] = {"text"}, value
            else:
                self.refuse(row.place("partnerbot"), msg.FLAG_UNKNOWN.format(flag=word))
                continue
            if kind not in applies:
                self.refuse(
                    row.place("partnerbot"),
                    msg.FLAG_WRONG_TYPE.format(flag=word, type=row.get("type")),
                )
        return flags

    def _required(self, row: Row) -> bool:
        value = row.get("required")
        if value.lower() in _YES:
            return True
        if not value or value.lower() in _NO:
            return False
        self.refuse(row.place("required"), msg.REQUIRED_VALUE.format(value=value))
        return False

    def _relevant(self, row: Row, text: str) -> Condition | None:
        try:
            return parse_relevant(text, self.kinds)
        except ExpressionError as error:
            self.refuse(row.place("relevant"), msg.RELEVANT_NOT_SUPPORTED.format(why=error))
            return None

    def _show_if(self, row: Row) -> Condition | None:
        text = row.get("relevant")
        condition = self._relevant(row, text) if text else None
        kept = row.get("partnerbot_show_if")
        if not kept:
            return condition
        try:
            exact = parse_condition(json.loads(kept))
        except (ValueError, TypeError) as error:
            self.refuse(row.place("partnerbot_show_if"), msg.SHOW_IF_COLUMN_BAD.format(why=error))
            return condition
        if " ".join(render_relevant(exact, self.kinds).split()) == " ".join(text.split()):
            return exact
        self.warn(row.place("relevant"), msg.SHOW_IF_COLUMN_STALE)
        return condition

    def _constraint(self, row: Row, kind: str) -> dict[str, Any]:
        text = row.get("constraint")
        if not text:
            if row.get("constraint_message") or any(
                h.base == "constraint_message" and row.get(h.text) for h in self.headers
            ):
                if kind not in {"integer", "decimal", "date", "multiple_choice"}:
                    self.warn(row.place("constraint_message"), msg.CONSTRAINT_MESSAGE_ALONE)
            return {}
        xls_kind = {"scale": "range", "multiple_choice": "select_multiple"}.get(kind, kind)
        try:
            return parse_constraint(text, kind)
        except ExpressionError as error:
            forms = msg.CONSTRAINT_FORMS.get(xls_kind, msg.CONSTRAINT_FORMS["other"])
            self.refuse(
                row.place("constraint"),
                msg.CONSTRAINT_NOT_SUPPORTED.format(why=error, type=xls_kind, supported=forms),
            )
            return {}

    def _choices(self, row: Row, list_name: str) -> list[dict[str, Any]]:
        rows = self.lists.get(list_name)
        if not rows:
            self.refuse(row.place("type"), msg.CHOICE_LIST_MISSING.format(list=list_name))
            return []
        choices = []
        for choice_row in rows:
            code = choice_row.get("name")
            if not _CODE.match(code):
                self.refuse(choice_row.place("name"), msg.CHOICE_BAD_CODE.format(code=code))
            label = self.languages.texts(choice_row, "label", self.choice_headers)
            if not label.get(self.languages.default):
                self.refuse(
                    choice_row.place("label"),
                    msg.CHOICE_NO_LABEL.format(language=self.languages.default),
                )
            choices.append({"code": code, "label": label})
        return choices

    def _range(self, row: Row, labels_list: str | None) -> dict[str, Any]:
        params = dict(
            p.partition("=")[::2] for p in row.get("parameters").replace(",", " ").split()
        )
        start, end, step = (
            params.get("start", "1"),
            params.get("end", "10"),
            params.get("step", "1"),
        )
        problem = None
        if set(params) - {"start", "end", "step"}:
            problem = f"unknown parameter(s) {sorted(set(params) - {'start', 'end', 'step'})}"
        elif not all(_is_int(v) for v in (start, end, step)):
            problem = "start, end and step must be whole numbers"
        elif int(step) != 1:
            problem = f"step is {step}"
        elif not 2 <= int(end) - int(start) + 1 <= MAX_SCALE_POINTS:
            problem = f"{start} to {end} is not 2 to {MAX_SCALE_POINTS} points"
        if problem:
            self.refuse(row.place("parameters"), msg.RANGE_PARAMETERS.format(why=problem))
            return {"min": 1, "max": 5}
        low, high = int(start), int(end)
        labels: dict[int, dict[str, str]] = {}
        if labels_list is None:
            self.warn(row.place("type"), msg.RANGE_NO_LABELS.format(name=row.get("name")))
            labels = {
                low: {self.languages.default: str(low)},
                high: {self.languages.default: str(high)},
            }
        elif labels_list not in self.lists:
            self.refuse(row.place("partnerbot"), msg.CHOICE_LIST_MISSING.format(list=labels_list))
        else:
            for choice_row in self.lists[labels_list]:
                point = choice_row.get("name")
                if not _is_int(point) or not low <= int(point) <= high:
                    why = f"'{point}' is not a point from {low} to {high}"
                    self.refuse(
                        choice_row.place("name"),
                        msg.LABELS_LIST_BAD.format(list=labels_list, why=why),
                    )
                    continue
                labels[int(point)] = self.languages.texts(choice_row, "label", self.choice_headers)
        return {"min": low, "max": high, "labels": labels}

    def _unused_columns(self, row: Row, used: frozenset[str] | set[str]) -> None:
        for header in self.headers:
            if header.base in used or header.text.startswith("$") or not row.get(header.text):
                continue
            problem = msg.COLUMN_NOT_SUPPORTED.get(header.base)
            if problem is None:
                problem = msg.COLUMN_NOT_SUPPORTED["other"].format(column=header.text)
            self.refuse(row.place(header.text), problem)


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()


__all__ = ["Header", "Mapped", "SurveyMapper", "choice_lists"]
