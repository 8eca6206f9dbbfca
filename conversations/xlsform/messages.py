"""Every line the XLSForm import and export show to staff, in one place.

The person reading these is the one who uploaded the form, looking at Excel: each refusal
names the sheet, the row and the column (letter and header) so they can go straight to the
cell.

The lines are English strings (the command line prints them as they are) that remember how
they were made: a template marked with ``N_`` (so ``partnerbot locales extract`` collects it)
and its values. The bot shows them in the reader's language with :func:`render`; the engine
needs no translation machinery for that, only these two string types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

#: ``_(template, **values)``: the bot's translator (``bot.i18n.Translator``) fits this shape.
Translate = Callable[..., str]


class Text(str):
    """A template filled in: English as a string, and the template and values kept."""

    template: str
    values: Mapping[str, Any]

    def __new__(cls, template: str, values: Mapping[str, Any]) -> Text:
        text = super().__new__(cls, template.format(**values) if values else template)
        text.template, text.values = template, dict(values)
        return text


class Msg(str):
    """A template marked for translation; ``.format`` keeps what it was made of."""

    def format(self, *args: object, **values: Any) -> Text:  # type: ignore[override]
        if args:
            raise TypeError("message templates take named values only")
        return Text(str(self), values)


def N_(template: str) -> Msg:
    return Msg(template)


def render(text: object, _: Translate) -> str:
    """``text`` in the language of ``_``; strings that are not ours (an error from pyxform,
    a value typed in the form) stay as they are."""
    if isinstance(text, Line):
        problem = render(text.problem, _)
        where = text.place.describe(_) if text.place is not None else text.label
        return f"{where}: {problem}"
    if isinstance(text, Text):
        values = {
            k: render(v, _) if isinstance(v, Text | Msg | Line) else v
            for k, v in text.values.items()
        }
        return _(text.template, **values)
    if isinstance(text, Msg):
        return _(str(text))
    return str(text)


def _english(template: str, **values: Any) -> str:
    return template.format(**values) if values else template


SHEET = N_("sheet '{sheet}'")
ROW = N_("row {row}")
COLUMN_LETTER = N_("column {letter} ({column})")
COLUMN = N_("column {column}")


@dataclass(frozen=True, order=True)
class Place:
    """A cell (or a row, or a whole sheet) of the uploaded workbook."""

    sheet: str
    row: int | None = None
    column: str | None = None  # the header text, e.g. "choice_filter"
    letter: str | None = None  # the spreadsheet column, e.g. "F"

    def describe(self, _: Translate = _english) -> str:
        """``sheet 'survey', row 7, column F (choice_filter)``."""
        parts = [_(SHEET, sheet=self.sheet)]
        if self.row is not None:
            parts.append(_(ROW, row=self.row))
        if self.column is not None:
            parts.append(
                _(COLUMN_LETTER, letter=self.letter, column=self.column)
                if self.letter
                else _(COLUMN, column=self.column)
            )
        return ", ".join(parts)


class Line(str):
    """One refusal or warning: where (a place, or the file's name), then what is wrong."""

    place: Place | None
    label: str
    problem: str

    def __new__(cls, where: Place | str, problem: str) -> Line:
        place = where if isinstance(where, Place) else None
        label = where if isinstance(where, str) else ""
        english = f"{place.describe() if place is not None else label}: {problem}"
        line = super().__new__(cls, english)
        line.place, line.label, line.problem = place, label, problem
        return line


def line(where: Place | str, problem: str) -> Line:
    """One refusal or warning: where, then what is wrong and what to do."""
    return Line(where, problem)


# --------------------------------------------------------------------------- reading

NOT_A_WORKBOOK = N_("the file is not an XLSForm workbook (.xlsx) that can be opened: {error}")
NOT_XLSX = N_("the file is not an Excel workbook (.xlsx): save the form in Excel as .xlsx")
PROTECTED_OR_XLS = N_(
    "the file is an old .xls workbook or has a password: save it in Excel as .xlsx, "
    "without a password"
)
WORKBOOK_TOO_LARGE = N_(
    "the workbook is too large for a form (at most {rows} rows, {mb} MB unpacked): was it a "
    "data export rather than the form?"
)
NO_SURVEY_SHEET = N_("the workbook has no 'survey' sheet")
PYXFORM_REJECTS = N_("pyxform cannot convert this form: {error}")

# --------------------------------------------------------------------------- survey rows

NO_TYPE = N_("this row has text but no type; give it a type or delete the row")
UNKNOWN_TYPE = N_("type '{type}' is not an XLSForm question type")
REPEAT = N_(
    "repeats are not supported: the bot asks each question once. "
    "Ask for a fixed number of items instead, or use a separate survey"
)
NESTED_GROUP = N_("a group inside a group is not supported: the bot has one level of sections")
END_WITHOUT_BEGIN = N_("'{type}' has no matching begin row")
GROUP_NOT_CLOSED = N_("this group is never closed with end_group")
CHOICE_LIST_MISSING = N_("the choice list '{list}' is not on the 'choices' sheet")
OR_OTHER = N_(
    "'or_other' is not supported: add an 'other' choice and a text question shown when it is picked"
)
TYPE_NOT_SUPPORTED = {
    "calculate": N_("calculations are not supported: the bot cannot compute values from answers"),
    "geopoint": N_("locations (geopoint) are not supported: a partner cannot send GPS points here"),
    "geotrace": N_("locations (geotrace) are not supported"),
    "geoshape": N_("locations (geoshape) are not supported"),
    "media": N_(
        "photos, audio, video and files are not collected by survey questions; "
        "ask for a text answer (voice messages are allowed with 'voice' in the partnerbot column)"
    ),
    "other": N_("questions of type '{type}' are not supported by the bot"),
}
METADATA_LEFT_OUT = N_(
    "'{type}' is form metadata: left out, as the bot records when each answer was given itself"
)
SELECT_FROM_FILE = N_(
    "choices from an external file are not supported: put them on the 'choices' sheet"
)
RANK = N_("ranking questions are not supported: use select_multiple or several scale questions")
TIME = N_("time and date-time questions are not supported: use a date or a text question")
BAD_NAME = N_(
    "'{name}' cannot be used as a name: use lower-case letters, digits and _ only, "
    "starting with a letter, at most 32 characters"
)
DUPLICATE_NAME = N_("the name '{name}' is used twice (first on row {first})")
NO_LABEL = N_("this question has no label in the default language '{language}'")
REQUIRED_VALUE = N_(
    "required must be yes or no (or empty); a condition such as '{value}' is not supported"
)
COLUMN_NOT_SUPPORTED = {
    "calculation": N_("calculations are not supported: delete the value"),
    "choice_filter": N_(
        "choice filters are not supported: the bot shows every choice of the list. "
        "Use separate questions with a relevant condition instead"
    ),
    "default": N_("default answers are not supported: delete the value"),
    "read_only": N_("read-only questions are not supported: delete the value"),
    "repeat_count": N_("repeats are not supported: delete the value"),
    "trigger": N_("triggers are not supported: delete the value"),
    "required_message": N_(
        "a separate required message is not supported (the bot has its own); delete the value"
    ),
    "guidance_hint": N_("guidance hints are not supported: put the text in the hint column"),
    "media": N_("images, audio and video in questions are not supported: delete the value"),
    "parameters": N_("parameters are only used on range questions here: delete the value"),
    "other": N_("the column '{column}' is not used by the bot: delete the value or the column"),
}
APPEARANCE_IGNORED = N_(
    "appearance '{value}' only changes how ODK/KoBo shows the question; ignored"
)
GROUP_APPEARANCE_IGNORED = N_(
    "appearance '{value}' on a group is ignored (only field-list means anything here: "
    "the group's rating questions on one screen)"
)

# --------------------------------------------------------------------------- expressions

RELEVANT_NOT_SUPPORTED = N_(
    "this relevant condition cannot be run by the bot: {why}. Supported: ${{q}} = 'code', "
    "${{q}} != 'code', ${{q}} < number (and <=, >, >=), selected(${{q}}, 'code'), "
    "${{q}} != '' (answered), combined with and, or, not( ) and brackets"
)
CONSTRAINT_NOT_SUPPORTED = N_(
    "this constraint cannot be checked by the bot: {why}. Supported for {type}: {supported}"
)
CONSTRAINT_FORMS = {
    "integer": ". >= number and . <= number",
    "decimal": ". >= number and . <= number",
    "range": N_("none (the range itself is the limit)"),
    "date": ". >= today(), . <= today() - 30, . >= date('2024-01-31')",
    "select_multiple": "count-selected(.) >= n and count-selected(.) <= n",
    "text": "string-length(.) <= n",
    "other": N_("none"),
}
CONSTRAINT_MESSAGE_ALONE = N_("a constraint_message without a constraint is never shown")

# --------------------------------------------------------------------------- range (scale)

RANGE_PARAMETERS = N_(
    "a range needs whole-number parameters start and end (e.g. 'start=1 end=5'), "
    "step 1, and at most 11 points: {why}"
)
RANGE_NO_LABELS = N_(
    "range '{name}' has no point labels: the buttons and the legend show the numbers only. "
    "Add 'labels=LIST' in the partnerbot column to name the points"
)
LABELS_LIST_BAD = N_("the labels list '{list}' must name whole-number points of the range: {why}")

# --------------------------------------------------------------------------- partnerbot column

FLAG_UNKNOWN = N_(
    "'{flag}' is not a partnerbot setting (known: dont_know, voice, confidential, yes_no, "
    "labels=LIST, max_length=N)"
)
FLAG_WRONG_TYPE = N_("'{flag}' does not apply to a {type} question")
YES_NO_LIST = N_("a yes_no question needs a list with exactly the choices 'yes' and 'no'")
SHOW_IF_COLUMN_BAD = N_(
    "the partnerbot_show_if value is not a condition the bot understands: {why}"
)
SHOW_IF_COLUMN_STALE = N_(
    "the relevant cell was edited after export, so it replaces the exact condition "
    "kept in partnerbot_show_if"
)

# --------------------------------------------------------------------------- choices

CHOICE_BAD_CODE = N_(
    "'{code}' cannot be used as a choice name: use letters, digits, _ and - only, "
    "at most 32 characters"
)
CHOICE_NO_LABEL = N_("this choice has no label in the default language '{language}'")

# --------------------------------------------------------------------------- languages

LANGUAGE_NO_CODE = N_(
    "the language '{language}' has no code: write it as e.g. 'English (en)' or 'Français (fr)'"
)
LANGUAGE_BAD_CODE = N_("'{code}' is not a language code the bot knows (e.g. en, fr, pt-BR)")
LANGUAGE_BOTH = N_(
    "the form has both '{plain}' and '{translated}' for the default language: keep one"
)
DEFAULT_LANGUAGE_ASSUMED = N_(
    "no default_language in settings: '{code}' is taken as the default language"
)
#: Where a text is missing: ``field`` is the definition's own name for it (``choices[a].label``).
QUESTION_FIELD = N_("question '{key}' {field}")
TRANSLATION_MISSING = N_("{where} has no {language} text")

# --------------------------------------------------------------------------- settings

FORM_ID_BAD = N_(
    "form_id '{value}' cannot be used as a survey id: use lower-case letters, digits and _ "
    "only, starting with a letter, at most 32 characters"
)
FORM_ID_MISSING = N_("form_id is missing: give the survey a short id such as 'partner_feedback'")
VERSION_BAD = N_("version '{value}' must be a whole number from 1 (e.g. 3)")
VERSION_MISSING = N_("no version in settings: version 1 is used")
TITLE_MISSING = N_("no form_title in settings: the form_id is used as the title")
INTRO_MISSING = N_(
    "no partnerbot_intro in settings: the title is shown as the introduction. Add "
    "partnerbot_intro::Language (code) columns for a proper welcome text"
)
SECTION_NAME_BAD = N_("partnerbot_section_name must be 'part' or 'element'")
SETTING_IGNORED = N_("the setting '{column}' is not used by the bot; ignored")
SETTING_REFUSED = {
    "public_key": N_(
        "encrypted forms (public_key) are not supported: answers are stored in the "
        "bot's own database. Delete the value"
    ),
    "submission_url": N_("answers go to the bot, not to a submission_url: delete the value"),
}
QUESTION_TOO_LONG = N_(
    "the question with its hint in {language} is {length} characters long; a chat message holds "
    "at most {limit}: shorten it"
)
TITLE_TOO_LONG = N_(
    "form_title in {language} is {length} characters long; at most {limit} fit: shorten it"
)
INTRO_TOO_LONG = N_(
    "partnerbot_intro in {language} is {length} characters long; a chat message holds at most "
    "{limit}: shorten it"
)
TOO_MANY_CHOICES = N_(
    "this question has {count} choices; a chat keyboard holds at most {limit}: split the list, "
    "or ask for a text answer"
)
DEFINITION_REJECTED = N_("the survey does not pass the bot's checks: {problem}")

# --------------------------------------------------------------------------- summary (CLI)


def summary_lines(
    *,
    survey_id: str | None,
    questions: int,
    sections: int,
    languages: list[str],
    missing: list[str],
    warnings: list[str],
    refusals: list[str],
) -> list[str]:
    """What ``partnerbot surveys import`` prints, refusals last so they are seen."""
    lines: list[str] = []
    if survey_id is not None:
        lines.append(f"survey '{survey_id}': {questions} questions, {sections} sections")
        lines.append(f"languages: {', '.join(languages)}")
        if missing:
            lines.append(f"missing translations ({len(missing)}):")
            lines.extend(f"  {item}" for item in missing)
        else:
            lines.append("missing translations: none")
    if warnings:
        lines.append(f"notes ({len(warnings)}):")
        lines.extend(f"  {item}" for item in warnings)
    if refusals:
        lines.append(f"refused: {len(refusals)} problem{'s' if len(refusals) != 1 else ''}")
        lines.extend(f"  {item}" for item in refusals)
    else:
        lines.append("the form can be used by the bot")
    return lines


YAML_WRITTEN = "written: {path}"
XLSFORM_WRITTEN = "written: {path}"
UNKNOWN_SURVEY = "no survey with id '{id}' (known: {known})"
