"""The small pieces every report text is made of: which questions a summary covers, and
numbers, percentages, language names, text bars, quotes and chart labels formatted for the
reader's locale."""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel import Locale
from babel.numbers import format_decimal, format_percent

from bot.i18n import Translator
from conversations import Survey
from storage.summary_figures import QuestionSpec

if TYPE_CHECKING:
    from bot.services import Services

QUOTE_LIMIT = 300
KIND_OF_TYPE = {
    "scale": "scale",
    "integer": "number",
    "decimal": "number",
    "single_choice": "choice",
    "yes_no": "choice",
    "multiple_choice": "multi",
    "text": "text",
    "date": "other",
}


def specs(survey: Survey) -> list[QuestionSpec]:
    """The survey's answerable questions as storage's summary needs them. A confidential
    question is never one of them: its words go to the safeguarding focal point only."""
    return [
        QuestionSpec(q.key, KIND_OF_TYPE[q.type])
        for q in survey.questions
        if q.type in KIND_OF_TYPE and not getattr(q, "confidential", False)
    ]


def number(value: float, _: Translator) -> str:
    return format_decimal(round(value, 1), locale=_.locale)


def percent(share: float, _: Translator) -> str:
    return format_percent(share, locale=_.locale)


def language_name(code: str, lang: str) -> str:
    """``fr`` as a French reader calls English, etc."""
    try:
        return Locale.parse(code).get_display_name(lang) or code
    except (ValueError, TypeError):
        return code


def bar(share: float, width: int = 10) -> str:
    """A tiny text bar for the message itself (readable without opening the chart)."""
    filled = round(max(0.0, min(1.0, share)) * width)
    return "▓" * filled + "░" * (width - filled)


def quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"


def short(text: str, limit: int = 70) -> str:
    """A chart label in whole words: the chart wraps it onto more lines. Only a text far
    longer than ``limit`` is shortened, and then at a space, never inside a word."""
    text = " ".join(text.split())
    cap = max(3 * limit, 240)
    return text if len(text) <= cap else text[:cap].rsplit(" ", 1)[0] + "…"


def survey_title(svc: Services, survey_id: str, lang: str) -> str:
    entry = svc.surveys.get(survey_id)
    return entry[0].text_for(entry[0].title, lang) if entry else survey_id
