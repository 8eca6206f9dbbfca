"""Recognise a language name typed on the first screen: "عربي", "français", "kiswahili".

Every shipped language is known by its name in every shipped language (from Babel's locale
data), plus a few everyday spellings Babel does not list. Matching ignores case, accents,
Arabic diacritics and letter variants, and punctuation, so "FRANCAIS", "Inglés" and
"الانجليزيه" are understood. Pure: no Telegram, no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from babel import Locale

from bot.i18n import LANGUAGES

# Everyday forms Babel's data does not give (adjectives, short forms, common misspellings).
EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("انجليزي", "إنجليزي", "انكليزي", "الانكليزية"),
    "fr": ("francaise", "فرنسي"),
    "es": ("castellano", "اسباني", "إسباني"),
    "ar": ("عربي", "عربى", "arab", "arabi"),
    "sw": ("souahili", "kiswahil", "سواحلي", "سواحيلي", "السواحيلية"),
}

_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ـ": None,  # tatweel
    }
)
_NOT_A_LETTER = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Case, accents, Arabic diacritics and letter variants, spacing and punctuation folded."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.translate(_ARABIC_FOLD)
    return _NOT_A_LETTER.sub(" ", bare).replace("_", " ").strip()


def _names_of(code: str, shipped: Iterable[str]) -> set[str]:
    names = {Locale.parse(code).display_name or ""}
    for reader in shipped:
        names.add(Locale.parse(reader).languages.get(code, ""))
    names.update(EXTRA_NAMES.get(code, ()))
    return {normalise(name) for name in names if name}


@cache
def _index() -> dict[str, str]:
    """Normalised name → language code; a name two languages share is left out."""
    index: dict[str, str] = {}
    clashes: set[str] = set()
    for code in LANGUAGES:
        for name in _names_of(code, LANGUAGES):
            variants = {name}
            if name.startswith("ال") and len(name) > 4:
                variants.add(name[2:])  # "الفرنسيه" and "فرنسيه"
            for variant in variants:
                if index.get(variant, code) != code:
                    clashes.add(variant)
                index[variant] = code
    for name in clashes:
        del index[name]
    return index


def match_language(text: str) -> str | None:
    """The shipped language ``text`` names, or None when it names none (or more than one).

    The whole text is tried first, then each word, so "en français" and "Kiswahili tafadhali"
    work too; a text naming two different languages is not guessed at.
    """
    index = _index()
    folded = normalise(text)
    if not folded:
        return None
    if folded in index:
        return index[folded]
    found = {index[word] for word in folded.split() if word in index}
    return found.pop() if len(found) == 1 else None
