"""Countries typed by staff (a name in any shipped language, or a two-letter code)."""

from __future__ import annotations

import difflib
import unicodedata
from functools import cache

from babel import Locale

from bot.i18n import LANGUAGES


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c))


@cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for lang in LANGUAGES:
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "UN", "EZ", "QO"):
                names.setdefault(_fold(name), code)
                names.setdefault(code.lower(), code)
    return names


def name(code: str | None, lang: str) -> str:
    if not code:
        return ""
    return Locale.parse(lang).territories.get(code, code)


def find(text: str) -> tuple[str | None, list[str]]:
    folded = _fold(text)
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
