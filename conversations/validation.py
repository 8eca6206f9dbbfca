"""Cross-field rules of a survey definition that pydantic's per-field checks cannot see.

Each rule raises ``SurveyDefinitionError`` naming the file, the question key and the field,
because the person fixing it is looking at a YAML file, not at a stack trace.
"""

from __future__ import annotations

import datetime as dt

from conversations.conditions import (
    ORDERING_OPERATORS,
    ConditionValue,
    comparisons,
    referenced_keys,
)
from conversations.definition import (
    DateQuestion,
    DecimalQuestion,
    IntegerQuestion,
    MultipleChoiceQuestion,
    Question,
    ScaleQuestion,
    SingleChoiceQuestion,
    Survey,
    YesNoQuestion,
    resolve_date_bound,
)
from conversations.errors import SurveyDefinitionError
from conversations.translations import iter_texts

#: More points than this do not fit on one keyboard of buttons (0-10 is the usual maximum).
MAX_SCALE_POINTS = 11

#: The one limit for every free text the bot keeps: survey text answers, comments, notes.
#: It fits in one Telegram message (4,096 characters) with room for the question around it.
#: A longer text is never refused outright: the bot keeps it aside and asks whether to keep
#: the first FREE_TEXT_LIMIT characters or send a shorter one (``bot.handlers.surveys``).
#: A ``max_length`` in a definition is no longer used (older files and stored versions still
#: load with it).
FREE_TEXT_LIMIT = 4000
#: Telegram clients cut a longer message into parts of at most 4,096 characters and send them
#: at once. A text at least this long, followed within SPLIT_WINDOW_SECONDS by another one, is
#: taken as one text in parts: the second part is never the answer to the next question.
SPLIT_PART_MIN = 3800  # clients cut at 4,096, backing up at most to a space or line break
SPLIT_WINDOW_SECONDS = 15


def clip_free_text(text: str, limit: int = FREE_TEXT_LIMIT) -> str:
    """The first ``limit`` characters, trailing spaces dropped (what "keep the first part" keeps)."""
    return text[:limit].rstrip()


def join_parts(first: str, second: str) -> str:
    """Two parts of one text that Telegram cut apart: a space between them unless the cut
    already fell on one (or on a line break)."""
    if not first or not second or first[-1].isspace() or second[0].isspace():
        return first + second
    return f"{first} {second}"


YES_NO_CODES = ("yes", "no")


def validate_survey(survey: Survey, source: str) -> None:
    """Raise ``SurveyDefinitionError`` for the first rule the survey breaks."""
    _check_languages(survey, source)
    _check_sections(survey, source)
    _check_keys(survey, source)
    _check_texts(survey, source)
    for position, question in enumerate(survey.questions):
        _check_question(survey, question, source)
        _check_show_if(survey, question, position, source)


def _fail(source: str, problem: str, question: str | None = None, field: str | None = None) -> None:
    raise SurveyDefinitionError(source, problem, question=question, field=field)


def _check_languages(survey: Survey, source: str) -> None:
    if len(set(survey.languages)) != len(survey.languages):
        _fail(source, "a language is listed twice", field="languages")
    if survey.default_language not in survey.languages:
        _fail(
            source,
            f"default_language '{survey.default_language}' is not in languages {survey.languages}",
            field="languages",
        )


def _check_sections(survey: Survey, source: str) -> None:
    seen: set[str] = set()
    for section in survey.sections:
        if section.key in seen:
            _fail(source, f"duplicate section key '{section.key}'", field="sections")
        seen.add(section.key)
    for question in survey.questions:
        if question.section is not None and question.section not in seen:
            _fail(
                source,
                f"unknown section '{question.section}' (declared: {sorted(seen)})",
                question.key,
                "section",
            )
    for section in survey.sections:
        if section.one_screen:
            _check_one_screen(survey, section.key, source)


#: A one-screen section is a few rating rows on one message: each row holds a label, the
#: points and "don't know", and Telegram phones show about seven buttons in a row.
MAX_SCREEN_QUESTIONS = 8
MAX_SCREEN_POINTS = 5


def _check_one_screen(survey: Survey, key: str, source: str) -> None:
    positions = [i for i, q in enumerate(survey.questions) if q.section == key]
    if not positions:
        _fail(source, f"one_screen section '{key}' has no questions", field="sections")
    if positions != list(range(positions[0], positions[-1] + 1)):
        _fail(
            source,
            f"the questions of one_screen section '{key}' must follow each other",
            field="sections",
        )
    if len(positions) > MAX_SCREEN_QUESTIONS:
        _fail(
            source,
            f"one_screen section '{key}' has more than {MAX_SCREEN_QUESTIONS} questions",
            field="sections",
        )
    keys = {survey.questions[i].key for i in positions}
    first = survey.questions[positions[0]]
    for i in positions:
        question = survey.questions[i]
        if not isinstance(question, ScaleQuestion) or not question.required:
            _fail(
                source,
                "a one_screen section holds required scale questions only",
                question.key,
                "type",
            )
        if len(question.points) > MAX_SCREEN_POINTS:
            _fail(
                source,
                f"a one_screen scale has at most {MAX_SCREEN_POINTS} points",
                question.key,
                "max",
            )
        if isinstance(first, ScaleQuestion) and (
            question.points != first.points or question.labels != first.labels
        ):
            # The screen shows one legend ("1 = Strongly disagree · 5 = Strongly agree").
            _fail(
                source,
                "the scales on one screen must share their points and labels",
                question.key,
                "labels",
            )
        if question.show_if is not None and keys & set(referenced_keys(question.show_if)):
            _fail(
                source,
                "a question on one screen cannot depend on another on the same screen",
                question.key,
                "show_if",
            )


def _check_keys(survey: Survey, source: str) -> None:
    first_use: dict[str, int] = {}
    for number, question in enumerate(survey.questions, start=1):
        if question.key in first_use:
            _fail(
                source,
                f"duplicate key (question #{number} reuses the key of question "
                f"#{first_use[question.key]})",
                question.key,
                "key",
            )
        first_use[question.key] = number


def _check_texts(survey: Survey, source: str) -> None:
    declared = set(survey.languages)
    for ref in iter_texts(survey):
        if not (ref.texts.get(survey.default_language) or "").strip():
            _fail(
                source,
                f"missing text in the default language '{survey.default_language}'",
                ref.question_key,
                ref.field,
            )
        undeclared = sorted(set(ref.texts) - declared)
        if undeclared:
            _fail(
                source,
                f"text in undeclared language {undeclared} (languages: {survey.languages})",
                ref.question_key,
                ref.field,
            )


def _check_question(survey: Survey, question: Question, source: str) -> None:
    key = question.key
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        seen: set[str] = set()
        for choice in question.choices:
            if choice.code in seen:
                _fail(source, f"duplicate choice code '{choice.code}'", key, "choices")
            seen.add(choice.code)
    if isinstance(question, MultipleChoiceQuestion):
        count = len(question.choices)
        low, high = question.min_selections, question.max_selections
        if low is not None and high is not None and low > high:
            _fail(
                source,
                f"min_selections ({low}) is greater than max_selections ({high})",
                key,
                "min_selections",
            )
        if high is not None and high > count:
            _fail(
                source,
                f"max_selections ({high}) exceeds the {count} choices",
                key,
                "max_selections",
            )
        if question.effective_min > count:
            _fail(
                source,
                f"min_selections ({question.effective_min}) exceeds the {count} choices",
                key,
                "min_selections",
            )
    if isinstance(question, ScaleQuestion):
        _check_scale(question, source)
    if isinstance(question, IntegerQuestion | DecimalQuestion):
        if question.min is not None and question.max is not None and question.min > question.max:
            _fail(source, f"min ({question.min}) is greater than max ({question.max})", key, "min")
    if isinstance(question, DateQuestion):
        _check_date_range(question, source)


def _check_scale(question: ScaleQuestion, source: str) -> None:
    key = question.key
    if question.min > question.max:
        _fail(source, f"min ({question.min}) is greater than max ({question.max})", key, "min")
    if question.min == question.max:
        _fail(source, "a scale needs at least two points", key, "max")
    if question.max - question.min + 1 > MAX_SCALE_POINTS:
        _fail(source, f"at most {MAX_SCALE_POINTS} points fit on buttons", key, "max")
    for point in question.labels:
        if not question.min <= point <= question.max:
            _fail(
                source,
                f"label for {point}, outside {question.min}..{question.max}",
                key,
                f"labels[{point}]",
            )
    missing_ends = [p for p in (question.min, question.max) if p not in question.labels]
    if missing_ends:
        _fail(
            source,
            f"labels are needed at least for both ends ({question.min} and {question.max}); "
            f"missing {missing_ends}",
            key,
            "labels",
        )


def _check_date_range(question: DateQuestion, source: str) -> None:
    if question.min_date is None or question.max_date is None:
        return
    relative = [bound.startswith("today") for bound in (question.min_date, question.max_date)]
    if relative[0] != relative[1]:
        return  # one moves with the calendar, the other does not: no fixed order to check
    reference = dt.date(2000, 1, 1)
    low = resolve_date_bound(question.min_date, reference)
    high = resolve_date_bound(question.max_date, reference)
    if low > high:
        _fail(
            source,
            f"min_date ({question.min_date}) is after max_date ({question.max_date})",
            question.key,
            "min_date",
        )


def _check_show_if(survey: Survey, question: Question, position: int, source: str) -> None:
    if question.show_if is None:
        return
    key = question.key
    for target_key, op, value in comparisons(question.show_if):
        if target_key == key:
            _fail(source, "show_if refers to the question itself", key, "show_if")
        target_position = survey.question_index.get(target_key)
        if target_position is None:
            _fail(source, f"show_if refers to unknown question '{target_key}'", key, "show_if")
            return
        if target_position > position:
            _fail(
                source,
                f"show_if refers to later question '{target_key}' (only earlier answers "
                "can decide whether a question is shown)",
                key,
                "show_if",
            )
        target = survey.questions[target_position]
        problem = _operand_problem(target, op, value)
        if problem:
            _fail(source, f"show_if on '{target_key}': {problem}", key, "show_if")


def _operand_problem(target: Question, op: str, value: ConditionValue) -> str | None:
    """Why ``op``/``value`` cannot match answers of ``target`` (catches typos in codes)."""
    if not target.is_answerable:
        return "a note has no answer"
    if op == "answered":
        return None
    values = value if isinstance(value, tuple) else (value,)
    numeric = isinstance(target, ScaleQuestion | IntegerQuestion | DecimalQuestion)
    if op in ORDERING_OPERATORS and not numeric:
        return f"operator '{op}' needs a scale, integer or decimal question, not {target.type}"
    if op == "contains" and not isinstance(target, MultipleChoiceQuestion):
        return f"operator 'contains' needs a multiple_choice question, not {target.type}"
    if isinstance(target, SingleChoiceQuestion | MultipleChoiceQuestion):
        unknown = [v for v in values if v not in target.codes]
        if unknown:
            return f"unknown choice code(s) {unknown} (codes: {list(target.codes)})"
    if isinstance(target, YesNoQuestion):
        unknown = [v for v in values if v not in YES_NO_CODES]
        if unknown:
            return f"a yes_no answer is 'yes' or 'no', not {unknown}"
    if numeric:
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            return f"{target.type} answers are numbers, not {list(values)}"
        if isinstance(target, ScaleQuestion) and op not in ORDERING_OPERATORS:
            outside = [v for v in values if not target.min <= v <= target.max]  # type: ignore[operator]
            if outside:
                return f"value(s) {outside} outside the scale {target.min}..{target.max}"
    return None
