"""Dates as people type them, in the reader's language, and one example of how to type one.

Every date prompt of the bot accepts the same forms:

- ISO: ``2026-03-02`` (also ``2026/3/2``);
- numbers in the reader's order: day first (``2/3/2026``, ``02.03.26``) or, where the locale
  writes the month first (Babel's short date pattern says so: English), ``3/2/2026``; when the
  reader's order gives no date but the other one does (``31/12/2026`` for an English reader),
  that one is taken; the year may be left out (``2/3``) and then means the nearest such day
  the prompt allows;
- month names, full or abbreviated, in the reader's language and in English: ``2 mars 2026``,
  ``2 de marzo de 2026``, ``March 2``, ``2 Machi 2026``, ``٢ مارس ٢٠٢٦`` (Levantine Arabic
  month names such as ``آذار`` too); a weekday beside them is accepted when it is the right one;
- "today", "tomorrow", "yesterday" (and the days after tomorrow and before yesterday) in the
  reader's language and in English; a day in the past only where the past is allowed;
- any script of digits (Arabic-Indic ``٠١٢٣``, Persian ``۰۱۲۳``...), with or without the
  right-to-left marks Arabic keyboards put around ``/``.

``lang=None`` reads every language we ship, numbers day first (staff commands that do not know
the reader's language). The words for today/tomorrow/yesterday, the month names and the
folding of what people type are in ``conversations.date_words``; this module reads dates with
them and shows one back.

Pure: no Telegram, no database; Babel only for month names and the locale's date order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal

from babel.dates import format_date, get_date_format

from conversations.date_words import (
    CONNECTORS,
    FILLER,
    LANGUAGES,
    RELATIVE_WORDS,
    SPACES,
    lang_key,
    month_first,
    month_names,
    normalise,
    relative_words,
    weekday_names,
    word_patterns,
)

__all__ = [
    "LANGUAGES",
    "MAX_TEXT",
    "RELATIVE_WORDS",
    "DateReading",
    "Found",
    "Problem",
    "example",
    "example_date",
    "format_numeric",
    "month_first",
    "normalise",
    "numeric_pattern",
    "parse_date",
    "parse_two_dates",
    "read_date",
    "search_date",
]

MAX_TEXT = 80

_ISO = re.compile(r"(?<![\d/.\-])(\d{4})([\-/.])(\d{1,2})\2(\d{1,2})(?![\d/\-]|\.\d)")
_NUMERIC = re.compile(r"(?<![\d/.\-:])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/\-:]|\.\d)")
_NUMERIC_NO_YEAR = re.compile(r"(?<![\d/.\-:])(\d{1,2})[/\-](\d{1,2})(?![\d/\-:]|\.\d)")


# ------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Found:
    """A date found in a text: ``value`` is None when it looks like one but is none (31/2);
    ``rest`` is the normalised text with the date cut out."""

    value: date | None
    rest: str


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(raw: str | None, today: date) -> int | None:
    """A typed year; two digits mean the year within 20 ahead or 80 behind today ("99" is
    1999, not 2099), as people write birth years and past dates."""
    if raw is None:
        return None
    value = int(raw)
    if len(raw) > 2:
        return value
    year = today.year // 100 * 100 + value
    return year - 100 if year > today.year + 20 else year


def _allowed(day: date, today: date, allow_past: bool, allow_future: bool) -> bool:
    return (allow_past or day >= today) and (allow_future or day <= today)


def _resolve(
    month: int, day: int, year: int | None, today: date, allow_past: bool, allow_future: bool
) -> date | None:
    """The date; without a year, the nearest such day the prompt allows (29/2: a leap year)."""
    if year is not None:
        return _safe(year, month, day) if year >= 1 else None
    candidates = [
        found
        for offset in range(-4, 5)
        if 1 <= today.year + offset <= 9999
        and (found := _safe(today.year + offset, month, day)) is not None
    ]
    allowed = [d for d in candidates if _allowed(d, today, allow_past, allow_future)] or candidates
    if not allowed:
        return None
    return min(allowed, key=lambda d: (abs((d - today).days), d > today))


def _numeric(
    first: int,
    second: int,
    year: int | None,
    key: str | None,
    today: date,
    allow_past: bool,
    allow_future: bool,
) -> date | None:
    """In the reader's order; the other order only when the reader's gives no date (31/12 for
    a month-first reader)."""
    readings = [(second, first), (first, second)]  # (month, day): day first, then month first
    if month_first(key):
        readings.reverse()
    for month, day in readings:
        if 1 <= month <= 12:
            found = _resolve(month, day, year, today, allow_past, allow_future)
            if found is not None:
                return found
    return None


def _cut(text: str, match: re.Match[str]) -> str:
    return SPACES.sub(" ", f"{text[: match.start()]} {text[match.end() :]}").strip()


def search_date(
    text: str,
    lang: str | None,
    today: date,
    *,
    allow_past: bool = True,
    allow_future: bool = True,
) -> Found | None:
    """The first date written anywhere in ``text`` (for texts that also hold a time, or two
    dates), or None. ``allow_past``/``allow_future`` only choose the year of a date written
    without one; whether the date is allowed is for the caller to judge."""
    folded = normalise(text)
    key = lang_key(lang)
    day_month, month_day, relative = word_patterns(key)
    if match := _ISO.search(folded):
        found = _safe(int(match[1]), int(match[3]), int(match[4]))
        return Found(found, _cut(folded, match))
    if match := _NUMERIC.search(folded):
        found = _numeric(
            int(match[1]),
            int(match[3]),
            _year(match[4], today),
            key,
            today,
            allow_past,
            allow_future,
        )
        return Found(found, _cut(folded, match))
    if match := day_month.search(folded):
        month = month_names(key)[match[2]]
        found = _resolve(
            month,
            int(match[1]),
            _year(match[3] or match[4], today),
            today,
            allow_past,
            allow_future,
        )
        return Found(found, _cut(folded, match))
    if match := month_day.search(folded):
        month = month_names(key)[match[1]]
        found = _resolve(
            month, int(match[2]), _year(match[3], today), today, allow_past, allow_future
        )
        return Found(found, _cut(folded, match))
    if match := _NUMERIC_NO_YEAR.search(folded):
        found = _numeric(int(match[1]), int(match[2]), None, key, today, allow_past, allow_future)
        return Found(found, _cut(folded, match))
    if match := relative.search(folded):
        return Found(today + timedelta(days=relative_words(key)[match[1]]), _cut(folded, match))
    return None


Problem = Literal["unclear", "past", "future"]


@dataclass(frozen=True)
class DateReading:
    """What a typed date means: ``value`` (also when it is outside what the prompt allows, so
    a reply can name it) and ``problem``: None, ``unclear``, ``past`` or ``future``."""

    value: date | None
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


_TOKENS = re.compile(r"[^\s,.;:!?()؟]+")


def _only_filler(
    rest: str, day: date, key: str | None, extra: frozenset[str] = frozenset()
) -> bool:
    """Nothing but small words, punctuation and, at most, the right weekday."""
    weekdays = weekday_names(key)
    for token in _TOKENS.findall(rest):
        if token in FILLER or token in extra:
            continue
        if weekdays.get(token) == day.weekday():
            continue
        return False
    return True


def read_date(
    text: str,
    lang: str | None,
    today: date,
    *,
    allow_past: bool = True,
    allow_future: bool = True,
) -> DateReading:
    """The one date ``text`` is, and whether the prompt allows it."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return DateReading(None, "unclear")
    found = search_date(text, lang, today, allow_past=allow_past, allow_future=allow_future)
    if found is None or found.value is None:
        return DateReading(None, "unclear")
    if not _only_filler(found.rest, found.value, lang_key(lang)):
        return DateReading(None, "unclear")
    if not allow_past and found.value < today:
        return DateReading(found.value, "past")
    if not allow_future and found.value > today:
        return DateReading(found.value, "future")
    return DateReading(found.value)


def parse_date(
    text: str,
    lang: str | None,
    today: date,
    *,
    allow_past: bool = True,
    allow_future: bool = True,
) -> date | None:
    """The date typed, or None when it is not one or not one the prompt allows."""
    reading = read_date(text, lang, today, allow_past=allow_past, allow_future=allow_future)
    return reading.value if reading.ok else None


def parse_two_dates(text: str, lang: str | None, today: date) -> tuple[date, date] | None:
    """The first and last day of a period, typed in either order ("1/1/2026 au 31/3/2026")."""
    if not isinstance(text, str) or len(text) > 2 * MAX_TEXT:
        return None
    first = search_date(text, lang, today)
    if first is None or first.value is None:
        return None
    second = search_date(first.rest, lang, today)
    if second is None or second.value is None:
        return None
    key = lang_key(lang)
    # A weekday beside either date is fine; check each against its own date loosely.
    if not (
        _only_filler(second.rest, first.value, key, CONNECTORS)
        or _only_filler(second.rest, second.value, key, CONNECTORS)
    ):
        return None
    low, high = sorted((first.value, second.value))
    return low, high


# ------------------------------------------------------------------------------ showing


@cache
def numeric_pattern(lang: str | None) -> str:
    """The locale's short numeric pattern with a four-digit year (fr ``dd/MM/y``, en ``M/d/y``)."""
    key = lang_key(lang)
    if key is None:
        return "dd/MM/y"
    pattern = get_date_format("short", locale=key).pattern
    return re.sub(r"(?<!y)yy(?!y)", "y", pattern)


def format_numeric(day: date, lang: str | None) -> str:
    """``28/02/2026`` in French, ``2/28/2026`` in English: how the reader types a date."""
    return format_date(day, numeric_pattern(lang), locale=lang_key(lang) or "en")


def example_date(
    today: date,
    *,
    allow_past: bool = True,
    allow_future: bool = True,
    low: date | None = None,
    high: date | None = None,
) -> date:
    """A date the prompt allows whose day is above 12, so its order cannot be misread."""
    if allow_past or not allow_future:
        day = today if today.day > 12 else today.replace(day=1) - timedelta(days=1)
    else:
        day = today if today.day > 12 else today.replace(day=13)
    if low is not None and day < low:
        day = low
    if high is not None and day > high:
        day = high
    return day


def example(
    lang: str | None,
    today: date,
    *,
    allow_past: bool = True,
    allow_future: bool = True,
    low: date | None = None,
    high: date | None = None,
) -> str:
    """One date typed the reader's way, for a prompt: "28/02/2026" (fr), "2/28/2026" (en)."""
    day = example_date(today, allow_past=allow_past, allow_future=allow_future, low=low, high=high)
    return format_numeric(day, lang)
