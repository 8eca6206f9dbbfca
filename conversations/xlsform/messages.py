"""Every line the XLSForm import and export show to staff, in one place.

The person reading these is the one who uploaded the form, looking at Excel: each refusal
names the sheet, the row and the column (letter and header) so they can go straight to the
cell. The wording is plain English for now; keeping every text here as a constant or a small
function means the translation step can wrap them without hunting through the mapping code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Place:
    """A cell (or a row, or a whole sheet) of the uploaded workbook."""

    sheet: str
    row: int | None = None
    column: str | None = None  # the header text, e.g. "choice_filter"
    letter: str | None = None  # the spreadsheet column, e.g. "F"

    def describe(self) -> str:
        """``sheet 'survey', row 7, column F (choice_filter)``."""
        parts = [f"sheet '{self.sheet}'"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(
                f"column {self.letter} ({self.column})" if self.letter else f"column {self.column}"
            )
        return ", ".join(parts)


def line(place: Place, problem: str) -> str:
    """One refusal or warning: where, then what is wrong and what to do."""
    return f"{place.describe()}: {problem}"


# --------------------------------------------------------------------------- reading

NOT_A_WORKBOOK = "the file is not an XLSForm workbook (.xlsx) that can be opened: {error}"
NO_SURVEY_SHEET = "the workbook has no 'survey' sheet"
PYXFORM_REJECTS = "pyxform cannot convert this form: {error}"

# --------------------------------------------------------------------------- survey rows

NO_TYPE = "this row has text but no type; give it a type or delete the row"
UNKNOWN_TYPE = "type '{type}' is not an XLSForm question type"
REPEAT = (
    "repeats are not supported: the bot asks each question once. "
    "Ask for a fixed number of items instead, or use a separate survey"
)
NESTED_GROUP = "a group inside a group is not supported: the bot has one level of sections"
END_WITHOUT_BEGIN = "'{type}' has no matching begin row"
GROUP_NOT_CLOSED = "this group is never closed with end_group"
CHOICE_LIST_MISSING = "the choice list '{list}' is not on the 'choices' sheet"
OR_OTHER = (
    "'or_other' is not supported: add an 'other' choice and a text question shown when it is picked"
)
TYPE_NOT_SUPPORTED = {
    "calculate": "calculations are not supported: the bot cannot compute values from answers",
    "geopoint": "locations (geopoint) are not supported: a partner cannot send GPS points here",
    "geotrace": "locations (geotrace) are not supported",
    "geoshape": "locations (geoshape) are not supported",
    "media": (
        "photos, audio, video and files are not collected by survey questions; "
        "ask for a text answer (voice messages are allowed with 'voice' in the partnerbot column)"
    ),
    "metadata": (
        "'{type}' is form metadata the bot does not collect; the bot records when each "
        "answer was given itself. Delete this row"
    ),
    "other": "questions of type '{type}' are not supported by the bot",
}
SELECT_FROM_FILE = (
    "choices from an external file are not supported: put them on the 'choices' sheet"
)
RANK = "ranking questions are not supported: use select_multiple or several scale questions"
TIME = "time and date-time questions are not supported: use a date or a text question"
BAD_NAME = (
    "'{name}' cannot be used as a name: use lower-case letters, digits and _ only, "
    "starting with a letter, at most 32 characters"
)
DUPLICATE_NAME = "the name '{name}' is used twice (first on row {first})"
NO_LABEL = "this question has no label in the default language '{language}'"
REQUIRED_VALUE = (
    "required must be yes or no (or empty); a condition such as '{value}' is not supported"
)
COLUMN_NOT_SUPPORTED = {
    "calculation": "calculations are not supported: delete the value",
    "choice_filter": (
        "choice filters are not supported: the bot shows every choice of the list. "
        "Use separate questions with a relevant condition instead"
    ),
    "default": "default answers are not supported: delete the value",
    "read_only": "read-only questions are not supported: delete the value",
    "repeat_count": "repeats are not supported: delete the value",
    "trigger": "triggers are not supported: delete the value",
    "required_message": (
        "a separate required message is not supported (the bot has its own); delete the value"
    ),
    "guidance_hint": "guidance hints are not supported: put the text in the hint column",
    "media": "images, audio and video in questions are not supported: delete the value",
    "parameters": "parameters are only used on range questions here: delete the value",
    "other": "the column '{column}' is not used by the bot: delete the value or the column",
}
APPEARANCE_IGNORED = "appearance '{value}' only changes how ODK/KoBo shows the question; ignored"
GROUP_APPEARANCE_IGNORED = (
    "appearance '{value}' on a group is ignored (only field-list means anything here: "
    "the group's rating questions on one screen)"
)

# --------------------------------------------------------------------------- expressions

RELEVANT_NOT_SUPPORTED = (
    "this relevant condition cannot be run by the bot: {why}. Supported: ${{q}} = 'code', "
    "${{q}} != 'code', ${{q}} < number (and <=, >, >=), selected(${{q}}, 'code'), "
    "${{q}} != '' (answered), combined with and, or, not( ) and brackets"
)
CONSTRAINT_NOT_SUPPORTED = (
    "this constraint cannot be checked by the bot: {why}. Supported for {type}: {supported}"
)
CONSTRAINT_FORMS = {
    "integer": ". >= number and . <= number",
    "decimal": ". >= number and . <= number",
    "range": "none (the range itself is the limit)",
    "date": ". >= today(), . <= today() - 30, . >= date('2024-01-31')",
    "select_multiple": "count-selected(.) >= n and count-selected(.) <= n",
    "text": "string-length(.) <= n",
    "other": "none",
}
CONSTRAINT_MESSAGE_ALONE = "a constraint_message without a constraint is never shown"

# --------------------------------------------------------------------------- range (scale)

RANGE_PARAMETERS = (
    "a range needs whole-number parameters start and end (e.g. 'start=1 end=5'), "
    "step 1, and at most 11 points: {why}"
)
RANGE_NO_LABELS = (
    "range '{name}' has no point labels: the buttons and the legend show the numbers only. "
    "Add 'labels=LIST' in the partnerbot column to name the points"
)
LABELS_LIST_BAD = "the labels list '{list}' must name whole-number points of the range: {why}"

# --------------------------------------------------------------------------- partnerbot column

FLAG_UNKNOWN = (
    "'{flag}' is not a partnerbot setting (known: dont_know, voice, confidential, yes_no, "
    "labels=LIST, max_length=N)"
)
FLAG_WRONG_TYPE = "'{flag}' does not apply to a {type} question"
YES_NO_LIST = "a yes_no question needs a list with exactly the choices 'yes' and 'no'"
SHOW_IF_COLUMN_BAD = "the partnerbot_show_if value is not a condition the bot understands: {why}"
SHOW_IF_COLUMN_STALE = (
    "the relevant cell was edited after export, so it replaces the exact condition "
    "kept in partnerbot_show_if"
)

# --------------------------------------------------------------------------- choices

CHOICE_BAD_CODE = (
    "'{code}' cannot be used as a choice name: use letters, digits, _ and - only, "
    "at most 32 characters"
)
CHOICE_NO_LABEL = "this choice has no label in the default language '{language}'"

# --------------------------------------------------------------------------- languages

LANGUAGE_NO_CODE = (
    "the language '{language}' has no code: write it as e.g. 'English (en)' or 'Français (fr)'"
)
LANGUAGE_BAD_CODE = "'{code}' is not a language code the bot knows (e.g. en, fr, pt-BR)"
LANGUAGE_BOTH = "the form has both '{plain}' and '{translated}' for the default language: keep one"
DEFAULT_LANGUAGE_ASSUMED = (
    "no default_language in settings: '{code}' is taken as the default language"
)
TRANSLATION_MISSING = "{where} has no {language} text"

# --------------------------------------------------------------------------- settings

FORM_ID_BAD = (
    "form_id '{value}' cannot be used as a survey id: use lower-case letters, digits and _ "
    "only, starting with a letter, at most 32 characters"
)
FORM_ID_MISSING = "form_id is missing: give the survey a short id such as 'partner_feedback'"
VERSION_BAD = "version '{value}' must be a whole number from 1 (e.g. 3)"
VERSION_MISSING = "no version in settings: version 1 is used"
TITLE_MISSING = "no form_title in settings: the form_id is used as the title"
INTRO_MISSING = (
    "no partnerbot_intro in settings: the title is shown as the introduction. Add "
    "partnerbot_intro::Language (code) columns for a proper welcome text"
)
SECTION_NAME_BAD = "partnerbot_section_name must be 'part' or 'element'"
SETTING_IGNORED = "the setting '{column}' is not used by the bot; ignored"
SETTING_REFUSED = {
    "public_key": (
        "encrypted forms (public_key) are not supported: answers are stored in the "
        "bot's own database. Delete the value"
    ),
    "submission_url": "answers go to the bot, not to a submission_url: delete the value",
}
DEFINITION_REJECTED = "the survey does not pass the bot's checks: {problem}"

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
