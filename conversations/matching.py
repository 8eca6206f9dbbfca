"""Match typed text to the options of a choice or scale question.

People often type instead of pressing a button: the option number (``2``, ``٢``), its label in
any of the survey's languages (``Souvent``), or its code. A match must be unique; otherwise we
ask again rather than store a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from conversations.definition import MultipleChoiceQuestion, ScaleQuestion, SingleChoiceQuestion
from conversations.parsing import fold, normalize_digits

_LIST_SEPARATORS = re.compile(r"[,;،؛、\n]+")
_SMALL_NUMBER = re.compile(r"^\d{1,3}$")


def _unique(candidates: Iterable[str]) -> str | None:
    found = set(candidates)
    return found.pop() if len(found) == 1 else None


def _by_label(folded: str, labels: Mapping[str, Mapping[str, str]]) -> str | None:
    """The one option whose label, in any language, folds to ``folded``."""
    return _unique(
        option
        for option, texts in labels.items()
        for text in texts.values()
        if fold(text) == folded
    )


def match_choice(text: str, question: SingleChoiceQuestion | MultipleChoiceQuestion) -> str | None:
    """The choice code for typed text: a code, a label in any language, or a 1-based number."""
    folded = fold(text)
    if not folded:
        return None
    by_code = _unique(code for code in question.codes if fold(code) == folded)
    if by_code is not None:
        return by_code
    by_label = _by_label(folded, {choice.code: choice.label for choice in question.choices})
    if by_label is not None:
        return by_label
    digits = normalize_digits(folded)
    if _SMALL_NUMBER.match(digits):
        number = int(digits)
        if 1 <= number <= len(question.choices):
            return question.choices[number - 1].code
    return None


def match_choices(text: str, question: MultipleChoiceQuestion) -> list[str] | None:
    """Several codes from ``"1, 3"``, ``"1 3"`` or ``"Training, Food"``; None if any part fails.

    The whole text is tried as one option first, since labels may contain spaces or commas.
    """
    whole = match_choice(text, question)
    if whole is not None:
        return [whole]
    codes: list[str] = []
    for part in _LIST_SEPARATORS.split(text):
        if not fold(part):
            continue
        code = match_choice(part, question)
        if code is not None:
            codes.append(code)
            continue
        words = fold(part).split()
        numbered = [match_choice(word, question) for word in words]
        if (
            len(words) > 1
            and all(_SMALL_NUMBER.match(normalize_digits(w)) for w in words)
            and all(numbered)
        ):
            codes.extend(code for code in numbered if code is not None)
            continue
        return None
    if not codes:
        return None
    return [code for code in question.codes if code in set(codes)]


def match_scale(text: str, question: ScaleQuestion) -> int | None:
    """A scale point from a typed number (any digits) or a point's label in any language."""
    folded = fold(text)
    if not folded:
        return None
    digits = normalize_digits(text).strip().rstrip(".")
    if re.fullmatch(r"[+-]?\d{1,3}", digits):
        return int(digits)
    by_label = _by_label(folded, {str(point): label for point, label in question.labels.items()})
    return int(by_label) if by_label is not None else None
