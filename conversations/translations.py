"""Find missing translations and over-long button labels.

Translators work file by file and language by language; this module lists exactly which
text of which question still needs their attention, so a release can be checked in CI
(``partnerbot surveys check --strict``) instead of by reading YAML.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from conversations.definition import (
    MultipleChoiceQuestion,
    ScaleQuestion,
    SingleChoiceQuestion,
    Survey,
)

#: A labelled scale point gets a row of its own ("3 · label"), so a standard Likert label such
#: as "Ni de acuerdo ni en desacuerdo" must fit; longer than this wraps badly on a phone.
SCALE_LABEL_LIMIT = 32
#: Choice buttons get a row each, so they may be longer, but not a sentence.
CHOICE_LABEL_LIMIT = 40


@dataclass(frozen=True)
class TextRef:
    """One translatable text of a survey and where it lives."""

    question_key: str | None
    field: str
    texts: Mapping[str, str]
    button_limit: int | None = None


@dataclass(frozen=True)
class MissingText:
    """A text that has no (or a blank) translation in ``language``."""

    survey_id: str
    language: str
    question_key: str | None
    field: str

    def __str__(self) -> str:
        where = f"question '{self.question_key}' " if self.question_key else ""
        return f"{where}{self.field}"


@dataclass(frozen=True)
class LongLabel:
    """A button label longer than phones show comfortably."""

    survey_id: str
    language: str
    question_key: str | None
    field: str
    length: int
    limit: int

    def __str__(self) -> str:
        where = f"question '{self.question_key}' " if self.question_key else ""
        return f"{where}{self.field} has {self.length} characters (limit {self.limit})"


def iter_texts(survey: Survey) -> Iterator[TextRef]:
    """Every translatable text in the survey, in file order."""
    yield TextRef(None, "title", survey.title)
    yield TextRef(None, "intro", survey.intro)
    for section in survey.sections:
        yield TextRef(None, f"sections[{section.key}].title", section.title)
    for question in survey.questions:
        yield TextRef(question.key, "text", question.text)
        if question.hint is not None:
            yield TextRef(question.key, "hint", question.hint)
        if question.constraint_message is not None:
            yield TextRef(question.key, "constraint_message", question.constraint_message)
        if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
            for choice in question.choices:
                yield TextRef(
                    question.key, f"choices[{choice.code}].label", choice.label, CHOICE_LABEL_LIMIT
                )
        if isinstance(question, ScaleQuestion):
            for point, label in sorted(question.labels.items()):
                yield TextRef(question.key, f"labels[{point}]", label, SCALE_LABEL_LIMIT)


def check_translations(survey: Survey) -> list[MissingText]:
    """Every missing text, grouped by language (in the survey's language order)."""
    return [
        MissingText(survey.id, language, ref.question_key, ref.field)
        for language in survey.languages
        for ref in iter_texts(survey)
        if not (ref.texts.get(language) or "").strip()
    ]


def check_label_lengths(survey: Survey) -> list[LongLabel]:
    """Every button label over its limit, in any language."""
    problems: list[LongLabel] = []
    for language in survey.languages:
        for ref in iter_texts(survey):
            text = (ref.texts.get(language) or "").strip()
            if ref.button_limit is not None and len(text) > ref.button_limit:
                problems.append(
                    LongLabel(
                        survey.id,
                        language,
                        ref.question_key,
                        ref.field,
                        len(text),
                        ref.button_limit,
                    )
                )
    return problems
