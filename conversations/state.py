"""The plain data the engine works on: answers, progress, inputs, refusals and steps.

All frozen: the engine returns new values instead of changing old ones, which is what makes
it safe to call from several bot processes and easy to test with hypothesis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from conversations.definition import Question

AnswerStatus = Literal["answered", "skipped", "dont_know"]
InputKind = Literal[
    "text", "choice", "toggle", "done", "voice", "skip", "back", "dont_know", "next"
]
AnswerValue = int | float | str | list[str] | None

#: Every refusal code the engine can return; the bot needs one gettext message per code.
REFUSAL_CODES: tuple[str, ...] = (
    "empty",  # blank text (or a voice message without a file)
    "integer_expected",
    "decimal_expected",
    "number_ambiguous",  # params: as_thousands, as_decimal ("1,200" for a decimal)
    "out_of_range",  # params: min and/or max
    "too_long",  # params: max_length, length
    "choice_unknown",
    "too_few_selections",  # params: min, max
    "too_many_selections",  # params: min, max
    "scale_expected",  # params: min, max
    "yes_no_expected",
    "date_expected",
    "date_out_of_range",  # params: min and/or max as YYYY-MM-DD
    "required",  # skip pressed on a required question
    "dont_know_not_allowed",
    "voice_not_allowed",
    "unexpected_input",  # params: kind (e.g. a toggle sent to a text question)
    "at_start",  # back pressed on the first question
    "not_on_screen",  # an answer for a question that is not shown now
    "screen_incomplete",  # next pressed before every question on the screen was answered
    "screen_use_buttons",  # typed on a screen where every question is answered: press one
)

#: Refusals about the *content* of an answer: these carry the question's constraint_message.
CONTENT_REFUSALS: frozenset[str] = frozenset(
    {
        "empty",
        "integer_expected",
        "decimal_expected",
        "number_ambiguous",
        "out_of_range",
        "too_long",
        "choice_unknown",
        "too_few_selections",
        "too_many_selections",
        "scale_expected",
        "yes_no_expected",
        "date_expected",
        "date_out_of_range",
    }
)


@dataclass(frozen=True)
class Answer:
    """One stored answer.

    ``value`` is an int (integer, scale), float (decimal), str (choice code, ``"yes"``/``"no"``,
    text, ISO date), list of codes (multiple choice, in the definition's order) or None
    (skipped, don't know, voice-only, note seen). ``raw`` keeps what was typed when it was
    parsed into something else (``"1 200"`` -> 1200) for data-quality review.
    """

    key: str
    value: AnswerValue
    status: AnswerStatus
    raw: str | None = None
    voice_file_id: str | None = None
    voice_duration: int | None = None


@dataclass(frozen=True)
class Progress:
    """Where one person is in one survey: answers in the order given, plus an optional cursor.

    ``cursor`` is set only by Back: it names the earlier question being asked again. Without
    a cursor the current question is the first visible one still unanswered.
    """

    answers: Mapping[str, Answer] = field(default_factory=dict)
    cursor: str | None = None

    def __post_init__(self) -> None:
        # A private copy, so the caller's dict can change without changing this Progress.
        # (A plain dict rather than a read-only proxy keeps Progress picklable and copyable;
        # treat ``answers`` as read-only.)
        object.__setattr__(self, "answers", dict(self.answers))

    @classmethod
    def from_answers(cls, answers: Iterable[Answer], cursor: str | None = None) -> Progress:
        """Rebuild from stored rows (oldest first); a later row for the same key wins."""
        ordered: dict[str, Answer] = {}
        for answer in answers:
            ordered.pop(answer.key, None)
            ordered[answer.key] = answer
        return cls(ordered, cursor)


@dataclass(frozen=True)
class UserInput:
    """One thing the person did: typed text, pressed a button, sent a voice message..."""

    kind: InputKind
    value: str | None = None
    voice_file_id: str | None = None
    voice_duration: int | None = None

    @classmethod
    def text(cls, value: str) -> UserInput:
        return cls("text", value)

    @classmethod
    def choice(cls, code: str) -> UserInput:
        return cls("choice", code)

    @classmethod
    def toggle(cls, code: str) -> UserInput:
        return cls("toggle", code)

    @classmethod
    def voice(cls, file_id: str, duration: int | None = None) -> UserInput:
        return cls("voice", None, file_id, duration)


@dataclass(frozen=True)
class Refusal:
    """Why an input was not accepted; the bot renders ``code`` + ``params`` via gettext,
    or ``custom[lang]`` when the question defines a ``constraint_message``."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)
    custom: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Step:
    """What happened after one input.

    - ``question``: what to ask now (None when the survey is done);
    - ``stored``: the answer just recorded, to persist at once;
    - ``removed``: keys whose stored answers must be deleted (their questions became hidden);
    - ``refusal``: why the input was not accepted (the same question is asked again);
    - ``selection``: after a multiple-choice toggle, the selection to keep and show.
    """

    progress: Progress
    question: Question | None
    stored: Answer | None = None
    removed: tuple[str, ...] = ()
    refusal: Refusal | None = None
    done: bool = False
    selection: frozenset[str] | None = None
