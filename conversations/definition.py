"""The shape of a survey definition, validated by pydantic.

A survey is data, written in YAML by programme staff and translators. These models check the
*shape* of each entry (types, known fields, no typos such as ``requird``); the cross-entry rules
(unique keys, show_if pointing only backwards, default-language texts present, ...) live in
``validation`` so that every problem can be reported with its file, question and field.
Build surveys with ``loader.parse_survey`` / ``loader.load_survey``, which run both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from conversations.conditions import Condition, parse_condition

#: Per-language text: ``{"en": "...", "fr": "..."}``.
LocalizedText = dict[str, str]

#: Stable identifiers end up in callback data (<= 64 bytes) and database rows: keep them short.
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,31}$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})?$"

QUESTION_TYPES: tuple[str, ...] = (
    "single_choice",
    "multiple_choice",
    "scale",
    "yes_no",
    "integer",
    "decimal",
    "text",
    "date",
    "note",
)

_RELATIVE_DATE = re.compile(r"^today(?:\s*([+-])\s*(\d{1,5})\s*([dw]))?$")


def resolve_date_bound(bound: str, today: dt.date) -> dt.date:
    """Turn ``"2024-01-31"``, ``"today"``, ``"today-30d"`` or ``"today+2w"`` into a date.

    Relative bounds exist because "no dates in the future" must not go stale in a file.
    """
    match = _RELATIVE_DATE.match(bound.strip())
    if match is None:
        return dt.date.fromisoformat(bound)
    sign, amount, unit = match.groups()
    if sign is None:
        return today
    days = int(amount) * (7 if unit == "w" else 1)
    delta = dt.timedelta(days=days if sign == "+" else -days)
    try:
        return today + delta
    except OverflowError:
        return dt.date.max if sign == "+" else dt.date.min


def _date_to_text(value: object) -> object:
    """YAML turns ``2024-01-31`` into a date; keep bounds as text so "today" fits too."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _check_date_bound(value: str) -> str:
    text = value.strip()
    if _RELATIVE_DATE.match(text):
        return text
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"'{value}' is not a date: use YYYY-MM-DD, 'today', 'today-30d' or 'today+2w'"
        ) from None
    return text


DateBound = Annotated[str, BeforeValidator(_date_to_text), AfterValidator(_check_date_bound)]
ConditionField = Annotated[
    Condition,
    PlainValidator(parse_condition),
    PlainSerializer(lambda condition: condition.to_data()),
]


class _Frozen(BaseModel):
    """Immutable and strict about unknown fields, so a typo is an error, not a silent default."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(_Frozen):
    """One option of a choice question: ``code`` is stored, ``label`` is shown."""

    code: str = Field(pattern=CODE_PATTERN)
    label: LocalizedText


class Section(_Frozen):
    """A group of questions shown with a heading, e.g. J-PAT "Element 2/5".

    ``one_screen`` shows the section's questions together on one message (a row of rating
    buttons per statement), so a partner sees an element whole and rates it in one place.
    """

    key: str = Field(pattern=KEY_PATTERN)
    title: LocalizedText
    one_screen: bool = False


class QuestionBase(_Frozen):
    """Fields every question type shares."""

    key: str = Field(pattern=KEY_PATTERN)
    text: LocalizedText
    hint: LocalizedText | None = None
    required: bool = True
    show_if: ConditionField | None = None
    constraint_message: LocalizedText | None = None
    section: str | None = None
    #: A confidential report (safeguarding, a complaint about staff): the words go only to the
    #: named safeguarding focal point, never to the answers table, summaries, exports,
    #: report-backs or charts. Only on optional text questions (see ``_confidential_rules``).
    confidential: bool = False

    @model_validator(mode="after")
    def _confidential_rules(self) -> QuestionBase:
        """A report is words, and nobody may be made to file one: text questions, optional."""
        if self.confidential:
            if getattr(self, "type", None) != "text":
                raise ValueError("confidential: only a text question can be confidential")
            if self.required:
                raise ValueError(
                    "confidential: a confidential question must be optional (required: false)"
                )
        return self

    @model_serializer(mode="wrap")
    def _omit_default_confidential(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        """Leave ``confidential: false`` out of dumps, so surveys that never use the flag keep
        the fingerprint (and stored version) they had before it existed."""
        data = handler(self)
        if isinstance(data, dict) and not self.confidential:
            data.pop("confidential", None)
        return data

    @property
    def is_answerable(self) -> bool:
        """False only for notes, which are shown and passed but hold no answer."""
        return True

    @property
    def allows_dont_know(self) -> bool:
        return False

    @property
    def allows_voice(self) -> bool:
        return False


class _ChoiceQuestion(QuestionBase):
    choices: list[Choice] = Field(min_length=1)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(choice.code for choice in self.choices)

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)


class SingleChoiceQuestion(_ChoiceQuestion):
    type: Literal["single_choice"]


class MultipleChoiceQuestion(_ChoiceQuestion):
    type: Literal["multiple_choice"]
    min_selections: int | None = Field(default=None, ge=0)
    max_selections: int | None = Field(default=None, ge=1)

    @property
    def effective_min(self) -> int:
        """At least one selection when required and no explicit minimum is given."""
        if self.min_selections is not None:
            return self.min_selections
        return 1 if self.required else 0

    @property
    def effective_max(self) -> int:
        return self.max_selections if self.max_selections is not None else len(self.choices)


class ScaleQuestion(QuestionBase):
    type: Literal["scale"]
    min: int
    max: int
    labels: dict[int, LocalizedText] = Field(default_factory=dict)
    dont_know: bool = False

    @property
    def points(self) -> tuple[int, ...]:
        return tuple(range(self.min, self.max + 1))

    @property
    def allows_dont_know(self) -> bool:
        return self.dont_know


class YesNoQuestion(QuestionBase):
    type: Literal["yes_no"]


class IntegerQuestion(QuestionBase):
    type: Literal["integer"]
    min: int | None = None
    max: int | None = None


class DecimalQuestion(QuestionBase):
    type: Literal["decimal"]
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)


class TextQuestion(QuestionBase):
    type: Literal["text"]
    # No longer used: every free text has the one limit ``validation.FREE_TEXT_LIMIT``. Kept
    # so that older files and stored versions still load.
    max_length: int = Field(default=1000, ge=1, le=4000)
    allow_voice: bool = False

    @property
    def allows_voice(self) -> bool:
        return self.allow_voice


class DateQuestion(QuestionBase):
    type: Literal["date"]
    min_date: DateBound | None = None
    max_date: DateBound | None = None

    def bounds(self, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """The allowed range on ``today`` (relative bounds move with the calendar)."""
        low = resolve_date_bound(self.min_date, today) if self.min_date else None
        high = resolve_date_bound(self.max_date, today) if self.max_date else None
        return low, high


class NoteQuestion(QuestionBase):
    type: Literal["note"]
    required: bool = False

    @property
    def is_answerable(self) -> bool:
        return False


Question = Annotated[
    SingleChoiceQuestion
    | MultipleChoiceQuestion
    | ScaleQuestion
    | YesNoQuestion
    | IntegerQuestion
    | DecimalQuestion
    | TextQuestion
    | DateQuestion
    | NoteQuestion,
    Field(discriminator="type"),
]
ChoiceQuestion = SingleChoiceQuestion | MultipleChoiceQuestion


class Survey(_Frozen):
    """A whole survey: metadata, optional sections and the ordered questions."""

    id: str = Field(pattern=KEY_PATTERN)
    version: int = Field(ge=1)
    default_language: str = Field(pattern=LANGUAGE_PATTERN)
    languages: list[Annotated[str, Field(pattern=LANGUAGE_PATTERN)]] = Field(min_length=1)
    title: LocalizedText
    intro: LocalizedText
    sections: list[Section] = Field(default_factory=list)
    #: What the sections are called in headings: "Part 2 of 5", or "Element 2 of 5" (J-PAT).
    section_name: Literal["part", "element"] = "part"
    questions: list[Question] = Field(min_length=1)

    @property
    def question_index(self) -> Mapping[str, int]:
        """Key -> position in definition order (first occurrence).

        Computed on access, not cached: ``model_copy(update=...)`` would copy a stale cache.
        """
        index: dict[str, int] = {}
        for i, question in enumerate(self.questions):
            index.setdefault(question.key, i)
        return index

    def question(self, key: str) -> Question | None:
        position = self.question_index.get(key)
        return None if position is None else self.questions[position]

    def section(self, key: str | None) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def section_position(self, key: str | None) -> tuple[int, int] | None:
        """``(n, total)`` for headings such as "Element 2/5"; None for an unknown section."""
        for n, section in enumerate(self.sections, start=1):
            if section.key == key:
                return n, len(self.sections)
        return None

    def language_chain(self, language: str | None) -> list[str]:
        """Languages to try, best first: exact, base (``fr`` for ``fr-CA``), then default."""
        chain: list[str] = []
        if language:
            chain.append(language)
            base = re.split(r"[-_]", language, maxsplit=1)[0]
            if base != language:
                chain.append(base)
        chain.append(self.default_language)
        return chain

    def resolve_language(self, language: str | None) -> str:
        """The survey language to use for a user's language (falls back to the default)."""
        return next(
            (lang for lang in self.language_chain(language) if lang in self.languages),
            self.default_language,
        )

    def text_for(self, texts: Mapping[str, str] | None, language: str | None = None) -> str:
        """The text in ``language``; a missing translation falls back to the default language.

        Blank strings count as missing, so a half-finished translation never shows an empty
        button or message.
        """
        if not texts:
            return ""
        for lang in self.language_chain(language):
            text = texts.get(lang)
            if text and text.strip():
                return text
        return next((t for t in texts.values() if t and t.strip()), "")

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the normalised content: changes whenever the meaning of the file does.

        Lets storage notice a file edited without a version bump. Comments, key order and
        YAML formatting do not change it; any text, choice or rule does.
        """
        data: Any = self.model_dump(mode="json")
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
