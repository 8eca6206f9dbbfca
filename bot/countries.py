"""Countries typed by staff (a name in any shipped language, or a two-letter code)."""

from __future__ import annotations

import difflib
import unicodedata
from functools import cache

from babel import Locale

from bot.i18n import LANGUAGES

# Arabic spellings that differ only in letters people use interchangeably when typing.
_ARABIC_FOLD = str.maketrans({"ى": "ي", "ة": "ه", "ـ": None})


def fold(text: str, *, separators: str = "") -> str:
    """The key a typed place name (a country here, a city or zone id in ``bot.timezones``) is
    looked up by: lower case, no accents, Arabic letter variants alike, single spaces, and each
    of ``separators`` (``"_-"`` for zone ids) read as a space.

    Not ``conversations.parsing.fold``: that one also turns every punctuation mark into a space
    and folds Persian letters and digits, which would merge names kept apart here (and change
    which near misses are suggested); the survey answers it matches are a different kind of
    text."""
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_ARABIC_FOLD)
    for separator in separators:
        text = text.replace(separator, " ")
    return " ".join(text.split())


@cache
def _full_names() -> dict[str, str]:
    """Folded country names in every shipped language (no codes), to the two-letter code."""
    names: dict[str, str] = {}
    for lang in LANGUAGES:
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "UN", "EZ", "QO"):
                names.setdefault(fold(name), code)
    return names


@cache
def _names() -> dict[str, str]:
    names = dict(_full_names())
    for code in set(_full_names().values()):
        names.setdefault(code.lower(), code)
    return names


def by_name(text: str) -> str | None:
    """The country whose name (in any shipped language) is exactly the text, else None."""
    return _full_names().get(fold(text))


def name(code: str | None, lang: str) -> str:
    if not code:
        return ""
    return Locale.parse(lang).territories.get(code, code)


def find(text: str) -> tuple[str | None, list[str]]:
    folded = fold(text)
    if not folded or len(folded) > 80:
        return None, []
    names = _names()
    if folded in names:
        return names[folded], []
    close = difflib.get_close_matches(folded, list(names), n=6, cutoff=0.75)
    codes: list[str] = []
    for match in close:
        if names[match] not in codes:
            codes.append(names[match])
    return None, codes[:4]
