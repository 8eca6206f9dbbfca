"""The words and letters a typed date is read with, in every language the bot ships.

Month and weekday names come from Babel (``ar_SY`` added for the Levantine month names);
"today", "tomorrow" and the small words that may stand beside a date are fixed tables here,
like survey content, because ``conversations`` has no access to the bot's gettext catalogs.
``normalise`` folds what people type (any digits, accents, bidi marks, Arabic letter forms)
so that these tables match. Kept apart from ``conversations.dates``, which reads and shows
dates with them, so that each stays short enough to read at once.

Pure: no Telegram, no database.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from babel import Locale
from babel.dates import get_date_format

LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ar", "sw")

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
FILLER = frozenset(
    {"le", "el", "the", "on", "of", "de", "del", "dia", "tarehe", "يوم", "في", "ifikapo"}
)
#: Words between the two dates of a period ("1/1/2026 au 31/3/2026").
CONNECTORS = frozenset(
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

#: Runs of white space, folded to one space.
SPACES = re.compile(r"\s+")
_ALIFS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "\u0640": None, "\u060c": ","})
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-"})


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
    return SPACES.sub(" ", text).strip()


def lang_key(lang: str | None) -> str | None:
    """The shipped language a locale code means (``fr_CA`` → ``fr``), or None: read all."""
    if not lang:
        return None
    base = lang.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def languages(key: str | None) -> tuple[str, ...]:
    """Whose words to accept: the reader's and English (many type English month names), or
    every shipped language when the reader's is unknown."""
    return LANGUAGES if key is None else tuple(dict.fromkeys((key, "en")))


@cache
def month_first(lang: str | None) -> bool:
    """Whether the locale writes numeric dates month first (Babel's short pattern: en)."""
    key = lang_key(lang)
    if key is None:
        return False
    pattern = re.sub(r"'[^']*'", "", get_date_format("short", locale=key).pattern)
    month, day = pattern.find("M"), pattern.find("d")
    return 0 <= month < day


@cache
def month_names(key: str | None) -> dict[str, int]:
    """Folded month names, full and abbreviated (three letters at least), to month numbers."""
    names: dict[str, int] = {}
    locales = list(languages(key))
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
def weekday_names(key: str | None) -> dict[str, int]:
    """Monday = 0, as ``date.weekday`` counts."""
    names: dict[str, int] = {}
    for name in languages(key):
        days = Locale.parse(name).days
        for width in ("wide", "abbreviated"):
            for number, word in days["format"][width].items():
                names.setdefault(normalise(word).rstrip("."), number)
    return names


@cache
def relative_words(key: str | None) -> dict[str, int]:
    """ "today", "tomorrow"... folded as ``normalise`` folds the text they are looked for in."""
    return {
        normalise(word): days
        for lang in languages(key)
        for word, days in RELATIVE_WORDS[lang].items()
    }


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def word_patterns(key: str | None) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Day before month ("2 mars 2026"), month before day ("March 2, 2026") and the relative
    words, built once per language from the names above."""
    months = _alternation(list(month_names(key)))
    year = r"(?:(?:\s+(?:de|del)\s+|\s*,\s*|\s+|[\-/.])(\d{4})(?![\d:])|[\-/](\d{2})(?![\d:]))?"
    day_month = re.compile(
        rf"(?<![\w:/])(\d{{1,2}})(?:er|re|eme|st|nd|rd|th|o|ro)?\.?"
        rf"(?:\s+(?:de|of)\s+|[\s\-/.]*)({months})(?!\w)\.?{year}"
    )
    month_day = re.compile(
        rf"(?<!\w)({months})(?!\w)\.?(?:\s+(?:the\s+)?|[\-/.]?)(\d{{1,2}})(?:st|nd|rd|th)?"
        rf"(?![\w:])(?:\s*,?\s*(\d{{4}})(?![\d:]))?"
    )
    relative = re.compile(rf"(?<!\w)({_alternation(list(relative_words(key)))})(?!\w)")
    return day_month, month_day, relative
