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
the reader's language). The words for today/tomorrow/yesterday are a fixed table here, like
survey content: ``conversations`` has no access to the bot's gettext catalogs.

Pure: no Telegram, no database; Babel only for month names and the locale's date order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal

from babel import Locale
from babel.dates import format_date, get_date_format

LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ar", "sw")
MAX_TEXT = 80

#: Days from today for the relative words of each language (folded when used).
RELATIVE_WORDS: dict[str, dict[str, int]] = {
    "en": {
        "today": 0,
        "tomorrow": 1,
        "yesterday": -1,
        "day after tomorrow": 2,
        "the day after tomorrow": 2,
        "day before yesterday": -2,
        "the day before yesterday": -2,
    },
    "fr": {
        "aujourd'hui": 0,
        "aujourdhui": 0,
        "aujourd hui": 0,
        "demain": 1,
        "hier": -1,
        "après-demain": 2,
        "après demain": 2,
        "avant-hier": -2,
        "avant hier": -2,
    },
    "es": {
        "hoy": 0,
        "mañana": 1,
        "ayer": -1,
        "pasado mañana": 2,
        "anteayer": -2,
        "antier": -2,
        "antes de ayer": -2,
    },
    "ar": {
        "اليوم": 0,
        "غدا": 1,
        "غداً": 1,
        "بكرة": 1,
        "بكره": 1,
        "أمس": -1,
        "الأمس": -1,
        "بالأمس": -1,
        "البارحة": -1,
        "مبارح": -1,
        "امبارح": -1,
        "بعد غد": 2,
        "بعد بكرة": 2,
        "أول أمس": -2,
        "قبل أمس": -2,
        "أول امبارح": -2,
    },
    "sw": {
        "leo": 0,
        "kesho": 1,
        "jana": -1,
        "kesho kutwa": 2,
        "keshokutwa": 2,
        "juzi": -2,
    },
}

#: Words that may stand beside a date without changing it ("le 2 mars", "tarehe 2 Machi").
_FILLER = frozenset(
    {"le", "el", "the", "on", "of", "de", "del", "dia", "tarehe", "يوم", "في", "ifikapo"}
)
#: Words between the two dates of a period ("1/1/2026 au 31/3/2026").
_CONNECTORS = frozenset(
    {
        "to",
        "until",
        "till",
        "through",
        "from",
        "and",
        "between",
        "au",
        "a",
        "jusqu'au",
        "jusquau",
        "du",
        "et",
        "entre",
        "hasta",
        "al",
        "desde",
        "y",
        "hadi",
        "mpaka",
        "kutoka",
        "na",
        "kati",
        "ya",
        "من",
        "الى",
        "حتى",
        "و",
        "بين",
        "-",
    }
)

_SPACES = re.compile(r"\s+")
_ALIFS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "\u0640": None, "\u060c": ","})
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-"})

_ISO = re.compile(r"(?<![\d/.\-])(\d{4})([\-/.])(\d{1,2})\2(\d{1,2})(?![\d/\-]|\.\d)")
_NUMERIC = re.compile(r"(?<![\d/.\-:])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/\-:]|\.\d)")
_NUMERIC_NO_YEAR = re.compile(r"(?<![\d/.\-:])(\d{1,2})[/\-](\d{1,2})(?![\d/\-:]|\.\d)")


def normalise(text: str) -> str:
    """Lower case, ASCII digits, no accents or bidi marks (Arabic letters kept), one space."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        str(unicodedata.decimal(ch))
        if ch.isdecimal()
        else ("" if unicodedata.category(ch) == "Cf" else ch)
        for ch in text
    )
    text = text.lower().translate(_QUOTES).translate(_DASHES)
    decomposed = unicodedata.normalize("NFKD", text)
    text = unicodedata.normalize(
        "NFKC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )
    text = text.translate(_ALIFS)
    return _SPACES.sub(" ", text).strip()


def _lang_key(lang: str | None) -> str | None:
    if not lang:
        return None
    base = lang.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def _languages(key: str | None) -> tuple[str, ...]:
    return LANGUAGES if key is None else tuple(dict.fromkeys((key, "en")))


@cache
def month_first(lang: str | None) -> bool:
    """Whether the locale writes numeric dates month first (Babel's short pattern: en)."""
    key = _lang_key(lang)
    if key is None:
        return False
    pattern = re.sub(r"'[^']*'", "", get_date_format("short", locale=key).pattern)
    month, day = pattern.find("M"), pattern.find("d")
    return 0 <= month < day


@cache
def _month_names(key: str | None) -> dict[str, int]:
    names: dict[str, int] = {}
    locales = list(_languages(key))
    if "ar" in locales:
        locales.append("ar_SY")  # كانون الثاني, شباط, آذار...: the names Syrians and Iraqis use
    for name in locales:
        months = Locale.parse(name).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, word in months[context][width].items():
                    folded = normalise(word).rstrip(".")
                    if len(folded) >= 3:
                        names.setdefault(folded, number)
    names.setdefault("sept", 9)
    return names


@cache
def _weekday_names(key: str | None) -> dict[str, int]:
    """Monday = 0, as ``date.weekday`` counts."""
    names: dict[str, int] = {}
    for name in _languages(key):
        days = Locale.parse(name).days
        for width in ("wide", "abbreviated"):
            for number, word in days["format"][width].items():
                names.setdefault(normalise(word).rstrip("."), number)
    return names


@cache
def _relative_words(key: str | None) -> dict[str, int]:
    return {
        normalise(word): days
        for lang in _languages(key)
        for word, days in RELATIVE_WORDS[lang].items()
    }


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _word_patterns(key: str | None) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    months = _alternation(list(_month_names(key)))
    year = r"(?:(?:\s+(?:de|del)\s+|\s*,\s*|\s+|[\-/.])(\d{4})(?![\d:])|[\-/](\d{2})(?![\d:]))?"
    day_month = re.compile(
        rf"(?<![\w:/])(\d{{1,2}})(?:er|re|eme|st|nd|rd|th|o|ro)?\.?"
        rf"(?:\s+(?:de|of)\s+|[\s\-/.]*)({months})(?!\w)\.?{year}"
    )
    month_day = re.compile(
        rf"(?<!\w)({months})(?!\w)\.?(?:\s+(?:the\s+)?|[\-/.]?)(\d{{1,2}})(?:st|nd|rd|th)?"
        rf"(?![\w:])(?:\s*,?\s*(\d{{4}})(?![\d:]))?"
    )
    relative = re.compile(rf"(?<!\w)({_alternation(list(_relative_words(key)))})(?!\w)")
    return day_month, month_day, relative


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
    return _SPACES.sub(" ", f"{text[: match.start()]} {text[match.end() :]}").strip()


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
    key = _lang_key(lang)
    day_month, month_day, relative = _word_patterns(key)
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
        month = _month_names(key)[match[2]]
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
        month = _month_names(key)[match[1]]
        found = _resolve(
            month, int(match[2]), _year(match[3], today), today, allow_past, allow_future
        )
        return Found(found, _cut(folded, match))
    if match := _NUMERIC_NO_YEAR.search(folded):
        found = _numeric(int(match[1]), int(match[2]), None, key, today, allow_past, allow_future)
        return Found(found, _cut(folded, match))
    if match := relative.search(folded):
        return Found(today + timedelta(days=_relative_words(key)[match[1]]), _cut(folded, match))
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
    weekdays = _weekday_names(key)
    for token in _TOKENS.findall(rest):
        if token in _FILLER or token in extra:
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
    if not _only_filler(found.rest, found.value, _lang_key(lang)):
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
    key = _lang_key(lang)
    # A weekday beside either date is fine; check each against its own date loosely.
    if not (
        _only_filler(second.rest, first.value, key, _CONNECTORS)
        or _only_filler(second.rest, second.value, key, _CONNECTORS)
    ):
        return None
    low, high = sorted((first.value, second.value))
    return low, high


# ------------------------------------------------------------------------------ showing


@cache
def numeric_pattern(lang: str | None) -> str:
    """The locale's short numeric pattern with a four-digit year (fr ``dd/MM/y``, en ``M/d/y``)."""
    key = _lang_key(lang)
    if key is None:
        return "dd/MM/y"
    pattern = get_date_format("short", locale=key).pattern
    return re.sub(r"(?<!y)yy(?!y)", "y", pattern)


def format_numeric(day: date, lang: str | None) -> str:
    """``28/02/2026`` in French, ``2/28/2026`` in English: how the reader types a date."""
    return format_date(day, numeric_pattern(lang), locale=_lang_key(lang) or "en")


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
