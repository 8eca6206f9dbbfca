"""XLSForm workbook -> our ``Survey``, or the list of reasons it cannot be one.

The steps: pyxform reads the workbook (``reading``); the languages and settings are read
(``columns``); the survey rows are mapped (``mapping``); pyxform's own conversion must
succeed; and the result goes through ``loader.parse_survey``, the very check a YAML file
gets, so an imported survey is the same model object a YAML definition would give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from conversations.definition import Survey
from conversations.errors import SurveyDefinitionError
from conversations.loader import parse_survey
from conversations.translations import check_translations
from conversations.xlsform import limits
from conversations.xlsform import messages as msg
from conversations.xlsform.columns import Report, find_languages, read_settings
from conversations.xlsform.mapping import SurveyMapper
from conversations.xlsform.reading import Workbook, WorkbookError, pyxform_problem, read_workbook


@dataclass
class ImportResult:
    """The survey (None when anything was refused), the refusal lines and the notes."""

    survey: Survey | None
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.survey is not None and not self.refusals

    def missing_translations(self) -> list[str]:
        if self.survey is None:
            return []
        return [
            msg.TRANSLATION_MISSING.format(
                where=(
                    msg.QUESTION_FIELD.format(key=m.question_key, field=m.field)
                    if m.question_key
                    else m.field
                ),
                language=m.language,
            )
            for m in check_translations(self.survey)
        ]

    def summary(self) -> list[str]:
        """The lines ``partnerbot surveys import`` prints."""
        survey = self.survey
        return msg.summary_lines(
            survey_id=survey.id if survey else None,
            questions=len(survey.questions) if survey else 0,
            sections=len(survey.sections) if survey else 0,
            languages=list(survey.languages) if survey else [],
            missing=self.missing_translations(),
            warnings=self.warnings,
            refusals=self.refusals,
        )


def import_xlsform(source: Path | bytes, name: str | None = None) -> ImportResult:
    """Read an XLSForm (a path or the uploaded bytes) into a validated ``Survey``."""
    label = name or (str(source) if isinstance(source, Path) else "<xlsform>")
    result = ImportResult(survey=None)

    def refuse(place: msg.Place, text: str) -> None:
        result.refusals.append(msg.line(place, text))

    def warn(place: msg.Place, text: str) -> None:
        result.warnings.append(msg.line(place, text))

    try:
        book = read_workbook(source)
    except WorkbookError as error:
        text = error.text or msg.NOT_A_WORKBOOK.format(error=error)
        result.refusals.append(msg.line(label, text))
        return result
    if book.survey is None:
        result.refusals.append(msg.line(label, msg.NO_SURVEY_SHEET))
        return result
    data, rows = _survey_data(book, refuse, warn)
    problem = pyxform_problem(book.data)
    if problem is not None:
        result.refusals.append(msg.line(label, msg.PYXFORM_REJECTS.format(error=problem)))
    if result.refusals:
        return result
    try:
        survey = parse_survey(data, label)
    except SurveyDefinitionError as error:
        place = rows.get(error.question or "", msg.Place("survey"))
        detail = f"field '{error.field}': {error.problem}" if error.field else error.problem
        result.refusals.append(msg.line(place, msg.DEFINITION_REJECTED.format(problem=detail)))
        return result
    result.refusals += limits.check(survey, rows)  # what Telegram could not show
    if not result.refusals:
        result.survey = survey
    return result


def _survey_data(
    book: Workbook, refuse: Report, warn: Report
) -> tuple[dict[str, object], dict[str, msg.Place]]:
    """The definition data to validate, and the row of each question (for loader errors)."""
    assert book.survey is not None
    languages = find_languages(book, refuse, warn)
    data = read_settings(book, languages, refuse, warn)
    data["default_language"] = languages.default
    data["languages"] = languages.codes
    mapped = SurveyMapper(book.survey, book.choices, languages, refuse, warn).run()
    if mapped.sections:
        data["sections"] = mapped.sections
    data["questions"] = mapped.questions
    return data, {key: row.place() for key, row in mapped.rows.items()}
