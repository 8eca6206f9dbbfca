"""Interpret one input for one question: an answer, a refusal, or a new pending selection.

Navigation (which question comes next, Back) is ``engine``'s job; this module only decides
whether what the person sent is an acceptable answer to the question in front of them. It
never raises: any string, code or input kind ends in an ``Answer`` or a ``Refusal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from conversations.dates import example, read_date
from conversations.definition import (
    DateQuestion,
    DecimalQuestion,
    IntegerQuestion,
    MultipleChoiceQuestion,
    NoteQuestion,
    Question,
    ScaleQuestion,
    SingleChoiceQuestion,
    TextQuestion,
    YesNoQuestion,
)
from conversations.matching import match_choice, match_choices, match_scale
from conversations.parsing import (
    AmbiguousNumber,
    is_dont_know,
    parse_decimal,
    parse_integer,
    parse_yes_no,
)
from conversations.state import CONTENT_REFUSALS, Answer, Refusal, UserInput
from conversations.validation import FREE_TEXT_LIMIT

#: Button code that passes a note (kind "choice"); kind "done" works too.
CONTINUE_CODE = "next"
#: Button code for "don't know" on scales (kind "choice"); kind "dont_know" works too.
DONT_KNOW_CODE = "dont_know"


@dataclass(frozen=True)
class Selection:
    """The pending multiple-choice selection after a toggle (not an answer yet)."""

    codes: frozenset[str]


Outcome = Answer | Refusal | Selection


def interpret(
    question: Question,
    user_input: UserInput,
    *,
    pending: frozenset[str] = frozenset(),
    today: dt.date,
    lang: str | None = None,
) -> Outcome:
    """Decide what ``user_input`` means for ``question``; ``lang`` is the reader's language,
    for dates (their order of day and month, month names, "yesterday"); None reads them all."""
    kind = user_input.kind
    if isinstance(question, NoteQuestion):
        if kind == "voice":
            return _refuse(question, "voice_not_allowed")
        return Answer(question.key, None, "answered")  # any other input means "seen, continue"
    if kind == "skip":
        if question.required:
            return _refuse(question, "required")
        return Answer(question.key, None, "skipped")
    if kind == "dont_know" or (
        kind == "choice"
        and user_input.value == DONT_KNOW_CODE
        and isinstance(question, ScaleQuestion)
    ):
        return _dont_know(question)
    if kind == "voice":
        return _voice(question, user_input)
    if isinstance(question, DateQuestion):
        return _date(question, user_input, today, lang)
    handler = _HANDLERS.get(type(question))
    if handler is None:
        return _refuse(question, "unexpected_input", kind=str(kind))
    return handler(question, user_input, pending, today)


def _refuse(question: Question, code: str, **params: object) -> Refusal:
    custom = question.constraint_message if code in CONTENT_REFUSALS else None
    return Refusal(code, params, dict(custom) if custom else None)


def _text_of(user_input: UserInput) -> str:
    value = user_input.value
    return value if isinstance(value, str) else ""


def _dont_know(question: Question) -> Outcome:
    if question.allows_dont_know:
        return Answer(question.key, None, "dont_know")
    return _refuse(question, "dont_know_not_allowed")


def _voice(question: Question, user_input: UserInput) -> Outcome:
    if not question.allows_voice:
        return _refuse(question, "voice_not_allowed")
    file_id = user_input.voice_file_id
    if not isinstance(file_id, str) or not file_id.strip():
        return _refuse(question, "empty")
    duration = user_input.voice_duration
    safe_duration = (
        duration if isinstance(duration, int) and not isinstance(duration, bool) else None
    )
    return Answer(
        question.key, None, "answered", voice_file_id=file_id, voice_duration=safe_duration
    )


def _typed(user_input: UserInput) -> bool:
    return user_input.kind in ("text", "choice")


def _single_choice(
    question: SingleChoiceQuestion, user_input: UserInput, _pending: frozenset[str], _today: dt.date
) -> Outcome:
    text = _text_of(user_input)
    if user_input.kind == "choice":
        if text in question.codes:
            return Answer(question.key, text, "answered")
        return _refuse(question, "choice_unknown")
    if user_input.kind == "text":
        if not text.strip():
            return _refuse(question, "empty")
        code = match_choice(text, question)
        if code is None:
            return _refuse(question, "choice_unknown")
        return Answer(question.key, code, "answered", raw=text)
    return _refuse(question, "unexpected_input", kind=str(user_input.kind))


def _multiple_choice(
    question: MultipleChoiceQuestion,
    user_input: UserInput,
    pending: frozenset[str],
    _today: dt.date,
) -> Outcome:
    known = frozenset(code for code in pending if code in question.codes)
    text = _text_of(user_input)
    if user_input.kind in ("toggle", "choice"):
        if text not in question.codes:
            return _refuse(question, "choice_unknown")
        selection = known ^ {text}
        if text in selection and len(selection) > question.effective_max:
            return _refuse(
                question,
                "too_many_selections",
                min=question.effective_min,
                max=question.effective_max,
            )
        return Selection(selection)
    if user_input.kind == "done":
        return _finish_selection(question, [c for c in question.codes if c in known], raw=None)
    if user_input.kind == "text":
        if not text.strip():
            return _refuse(question, "empty")
        codes = match_choices(text, question)
        if codes is None:
            return _refuse(question, "choice_unknown")
        return _finish_selection(question, codes, raw=text)
    return _refuse(question, "unexpected_input", kind=str(user_input.kind))


def _finish_selection(
    question: MultipleChoiceQuestion, codes: list[str], raw: str | None
) -> Outcome:
    low, high = question.effective_min, question.effective_max
    if not codes and not question.required:
        return Answer(question.key, None, "skipped", raw=raw)
    if len(codes) < max(low, 1):
        return _refuse(question, "too_few_selections", min=max(low, 1), max=high)
    if len(codes) > high:
        return _refuse(question, "too_many_selections", min=low, max=high)
    return Answer(question.key, codes, "answered", raw=raw)


def _scale(
    question: ScaleQuestion, user_input: UserInput, _pending: frozenset[str], _today: dt.date
) -> Outcome:
    if not _typed(user_input):
        return _refuse(question, "unexpected_input", kind=str(user_input.kind))
    text = _text_of(user_input)
    if not text.strip():
        return _refuse(question, "empty")
    if user_input.kind == "text" and is_dont_know(text):
        return _dont_know(question)
    point = match_scale(text, question)
    if point is None:
        return _refuse(question, "scale_expected", min=question.min, max=question.max)
    if not question.min <= point <= question.max:
        return _refuse(question, "out_of_range", min=question.min, max=question.max)
    return Answer(question.key, point, "answered", raw=text if user_input.kind == "text" else None)


def _yes_no(
    question: YesNoQuestion, user_input: UserInput, _pending: frozenset[str], _today: dt.date
) -> Outcome:
    if not _typed(user_input):
        return _refuse(question, "unexpected_input", kind=str(user_input.kind))
    text = _text_of(user_input)
    if not text.strip():
        return _refuse(question, "empty")
    value = parse_yes_no(text)
    if value is None:
        return _refuse(question, "yes_no_expected")
    return Answer(question.key, value, "answered", raw=text if user_input.kind == "text" else None)


def _range_params(low: object, high: object) -> dict[str, object]:
    return {name: bound for name, bound in (("min", low), ("max", high)) if bound is not None}


def _integer(
    question: IntegerQuestion, user_input: UserInput, _pending: frozenset[str], _today: dt.date
) -> Outcome:
    if not _typed(user_input):
        return _refuse(question, "unexpected_input", kind=str(user_input.kind))
    text = _text_of(user_input)
    if not text.strip():
        return _refuse(question, "empty")
    value = parse_integer(text)
    if value is None:
        return _refuse(question, "integer_expected", **_range_params(question.min, question.max))
    if (question.min is not None and value < question.min) or (
        question.max is not None and value > question.max
    ):
        return _refuse(question, "out_of_range", **_range_params(question.min, question.max))
    return Answer(question.key, value, "answered", raw=text)


def _decimal(
    question: DecimalQuestion, user_input: UserInput, _pending: frozenset[str], _today: dt.date
) -> Outcome:
    if not _typed(user_input):
        return _refuse(question, "unexpected_input", kind=str(user_input.kind))
    text = _text_of(user_input)
    if not text.strip():
        return _refuse(question, "empty")
    value = parse_decimal(text)
    if isinstance(value, AmbiguousNumber):
        return _refuse(
            question,
            "number_ambiguous",
            as_thousands=value.as_thousands,
            as_decimal=value.as_decimal,
        )
    if value is None:
        return _refuse(question, "decimal_expected", **_range_params(question.min, question.max))
    if (question.min is not None and value < question.min) or (
        question.max is not None and value > question.max
    ):
        return _refuse(question, "out_of_range", **_range_params(question.min, question.max))
    return Answer(question.key, value, "answered", raw=text)


def _text(
    question: TextQuestion, user_input: UserInput, _pending: frozenset[str], _today: dt.date
) -> Outcome:
    if user_input.kind != "text":
        return _refuse(question, "unexpected_input", kind=str(user_input.kind))
    text = _text_of(user_input).strip()
    if not text:
        return _refuse(question, "empty")
    if len(text) > FREE_TEXT_LIMIT:
        # Not lost: the bot keeps the text aside and offers to keep its first part.
        return _refuse(question, "too_long", max_length=FREE_TEXT_LIMIT, length=len(text))
    return Answer(question.key, text, "answered")


def _date(
    question: DateQuestion, user_input: UserInput, today: dt.date, lang: str | None
) -> Outcome:
    if not _typed(user_input):
        return _refuse(question, "unexpected_input", kind=str(user_input.kind))
    text = _text_of(user_input)
    if not text.strip():
        return _refuse(question, "empty")
    low, high = question.bounds(today)
    # "yesterday" only where the past is allowed; a year left out means the nearest such day
    # the question allows.
    allow = {"allow_past": low is None or low < today, "allow_future": high is None or high > today}
    value = read_date(text, lang, today, **allow).value
    if value is None:
        # One date the question accepts, written the reader's way, for the bot to show.
        shown = example(lang, today, low=low, high=high, **allow)
        return _refuse(question, "date_expected", example=shown)
    if (low is not None and value < low) or (high is not None and value > high):
        params = _range_params(low.isoformat() if low else None, high.isoformat() if high else None)
        return _refuse(question, "date_out_of_range", **params)
    return Answer(question.key, value.isoformat(), "answered", raw=text)


_HANDLERS: Mapping[type, Callable[..., Outcome]] = {
    SingleChoiceQuestion: _single_choice,
    MultipleChoiceQuestion: _multiple_choice,
    ScaleQuestion: _scale,
    YesNoQuestion: _yes_no,
    IntegerQuestion: _integer,
    DecimalQuestion: _decimal,
    TextQuestion: _text,
}
