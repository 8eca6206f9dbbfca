"""Kind parsing of what people type on their phones, in many languages and scripts.

Partners answer in English, French, Spanish, Arabic and Swahili, on keyboards that produce
Arabic-Indic or Persian digits, non-breaking spaces and curly apostrophes. These functions
accept the common ways of writing a number, a date or a yes/no, and return ``None`` (never
raise) when the text does not fit, so the engine can ask again politely.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

from conversations import dates

#: Characters people put between thousands: spaces of all widths, Swiss apostrophes, Arabic ٬.
_GROUP_ONLY = frozenset(" \u00a0\u202f\u2009\u2007'’٬")
_DECIMAL_ONLY = frozenset("٫")
_AMBIGUOUS_SEPARATORS = frozenset(".,")
_MINUS = frozenset("-−–")
_TRAILING_NOISE = ".!?؟。"
_MAX_NUMBER_TEXT = 64  # longer "numbers" are not numbers people type (and int() has limits)

_ASCII_DIGITS = frozenset("0123456789")
_APOSTROPHES = dict.fromkeys(map(ord, "'’`ʼ‘"), None)
_ARABIC_FOLDS = str.maketrans({"ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه", "ـ": None})


@dataclass(frozen=True)
class AmbiguousNumber:
    """``1,200`` or ``1.200`` typed for a decimal: thousands or a fraction? We ask, not guess."""

    as_thousands: float
    as_decimal: float


def normalize_digits(text: str) -> str:
    """Map every Unicode decimal digit (Arabic-Indic ٣, Persian ۳, ...) to ASCII."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def fold(text: str) -> str:
    """A matching key: case, accents, Arabic letter variants and punctuation do not matter.

    ``"Sí"`` matches ``"si"``, ``"don’t know"`` matches ``"Dont know"``, ``"أوافق"`` matches
    ``"اوافق"``.
    """
    decomposed = unicodedata.normalize("NFKD", normalize_digits(text))
    no_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    simplified = no_marks.translate(_APOSTROPHES).translate(_ARABIC_FOLDS).casefold()
    spaced = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in simplified)
    return " ".join(spaced.split())


def _number_core(text: str) -> tuple[bool, str] | None:
    """Strip blanks, currency signs and a sign; return ``(negative, digits-and-separators)``."""
    if len(text) > _MAX_NUMBER_TEXT:
        return None
    core = normalize_digits(text).strip()
    while core and (unicodedata.category(core[0]) == "Sc" or core[0].isspace()):
        core = core[1:]
    while core and (
        unicodedata.category(core[-1]) == "Sc" or core[-1].isspace() or core[-1] in _TRAILING_NOISE
    ):
        core = core[:-1]
    negative = False
    if core[:1] in _MINUS or core[:1] == "+":
        negative = core[0] in _MINUS
        core = core[1:].lstrip()
    if not core or core[0] not in _ASCII_DIGITS or core[-1] not in _ASCII_DIGITS:
        return None
    allowed = _ASCII_DIGITS | _GROUP_ONLY | _DECIMAL_ONLY | _AMBIGUOUS_SEPARATORS
    if any(ch not in allowed for ch in core):
        return None
    return negative, core


def _split(core: str) -> tuple[list[str], list[str]]:
    """``"1 200,5"`` -> groups ``["1", "200", "5"]``, separators ``[" ", ","]``."""
    groups = re.split(r"[^0-9]", core)
    separators = re.findall(r"[^0-9]", core)
    return groups, separators


def _valid_thousands(groups: list[str]) -> bool:
    """First group 1-3 digits without a leading zero, then groups of exactly three."""
    first, rest = groups[0], groups[1:]
    if not 1 <= len(first) <= 3 or (first.startswith("0") and rest):
        return False
    return all(len(group) == 3 for group in rest)


def _read(core: str, *, integer: bool) -> tuple[str, str] | AmbiguousNumber | None:
    """Split into ``(whole digits, fraction digits)`` deciding which separator is which."""
    groups, separators = _split(core)
    if any(group == "" for group in groups):
        return None  # two separators in a row
    if not separators:
        return core, ""
    kinds = set(separators)
    decimal_marks = [i for i, sep in enumerate(separators) if sep in _DECIMAL_ONLY]
    ambiguous = kinds & _AMBIGUOUS_SEPARATORS
    decimal_at: int | None
    if decimal_marks:
        if len(decimal_marks) > 1 or decimal_marks[0] != len(separators) - 1 or ambiguous:
            return None
        decimal_at = decimal_marks[0]
    elif len(ambiguous) == 2:
        last = separators[-1]
        if separators.count(last) != 1:
            return None
        decimal_at = len(separators) - 1
    elif len(ambiguous) == 1:
        (mark,) = ambiguous
        count = separators.count(mark)
        if count > 1:
            decimal_at = None  # "1,200,000": only thousands can repeat
        elif separators[-1] != mark:
            return None  # "1,200 300": a lone mark must be the last separator
        elif len(kinds) > 1:
            decimal_at = len(separators) - 1  # "1 200,5": spaces group, so the mark is decimal
        elif _valid_thousands(groups) and len(groups[-1]) == 3:
            if integer:
                decimal_at = None
            else:
                whole, fraction = groups[0], groups[1]
                return AmbiguousNumber(float(whole + fraction), float(f"{whole}.{fraction}"))
        else:
            decimal_at = len(separators) - 1
    else:
        decimal_at = None  # only spaces / apostrophes / ٬
    whole_groups = groups if decimal_at is None else groups[: decimal_at + 1]
    fraction = "" if decimal_at is None else groups[-1]
    if len(whole_groups) > 1 and not _valid_thousands(whole_groups):
        return None
    return "".join(whole_groups), fraction


def parse_integer(text: str) -> int | None:
    """A whole number: ``"1 200"``, ``"1,200"``, ``"1.200"``, ``"١٢٠٠"``, ``"12.0"`` -> int."""
    core = _number_core(text)
    if core is None:
        return None
    negative, body = core
    read = _read(body, integer=True)
    if read is None or isinstance(read, AmbiguousNumber):
        return None
    whole, fraction = read
    if fraction.strip("0"):
        return None
    value = int(whole)
    return -value if negative else value


def parse_decimal(text: str) -> float | AmbiguousNumber | None:
    """A number with an optional fraction: ``"3,5"``, ``"3.5"``, ``"1 200,50"``, ``"1,200.5"``.

    A lone ``,``/``.`` followed by exactly three digits (``"1,200"``) could be either reading,
    so it comes back as ``AmbiguousNumber`` for the caller to ask about.
    """
    core = _number_core(text)
    if core is None:
        return None
    negative, body = core
    read = _read(body, integer=False)
    if read is None:
        return None
    if isinstance(read, AmbiguousNumber):
        if negative:
            return AmbiguousNumber(-read.as_thousands, -read.as_decimal)
        return read
    whole, fraction = read
    value = float(f"{whole}.{fraction or '0'}")
    if not math.isfinite(value):
        return None
    return -value if negative else value


def parse_date(
    text: str,
    lang: str | None = None,
    today: dt.date | None = None,
    *,
    allow_past: bool = True,
    allow_future: bool = True,
) -> dt.date | None:
    """A typed date in any form ``conversations.dates`` reads: ``2026-03-02``, ``2/3/2026`` in
    the reader's order (day first without ``lang``), ``2 mars 2026``, "yesterday"..."""
    if not isinstance(text, str):
        return None
    return dates.parse_date(
        text,
        lang,
        today if today is not None else dt.date.today(),
        allow_past=allow_past,
        allow_future=allow_future,
    )


_YES_WORDS = frozenset(
    fold(word)
    for word in ("yes", "y", "yeah", "yep", "oui", "sí", "si", "نعم", "أجل", "بلى", "ndiyo", "ndio")
)
_NO_WORDS = frozenset(fold(word) for word in ("no", "n", "nope", "non", "لا", "كلا", "hapana"))
_DONT_KNOW_WORDS = frozenset(
    fold(word)
    for word in (
        "don't know",
        "do not know",
        "dont know",
        "not sure",
        "idk",
        "je ne sais pas",
        "je sais pas",
        "ne sais pas",
        "sais pas",
        "no sé",
        "no lo sé",
        "no estoy seguro",
        "no estoy segura",
        "لا أعرف",
        "لا أعلم",
        "لا أدري",
        "sijui",
        "sina uhakika",
    )
)


def parse_yes_no(text: str) -> str | None:
    """``"yes"``/``"no"`` from typed words in en/fr/es/ar/sw (``oui``, ``sí``, ``نعم``, ``hapana``...)."""
    folded = fold(text)
    if folded in _YES_WORDS:
        return "yes"
    if folded in _NO_WORDS:
        return "no"
    return None


def is_dont_know(text: str) -> bool:
    """True for "don't know" typed in one of our languages."""
    return fold(text) in _DONT_KNOW_WORDS
