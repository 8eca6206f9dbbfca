"""Typed language names on the first screen (issue 12, item 6)."""

from __future__ import annotations

import pytest
from babel import Locale

from bot.i18n import LANGUAGES
from bot.language_names import match_language, normalise

NAMES = {
    "en": [
        "English",
        "english",
        "anglais",
        "inglés",
        "ingles",
        "الإنجليزية",
        "انجليزي",
        "kiingereza",
    ],
    "fr": ["French", "francais", "français", "FRANÇAIS", "francés", "الفرنسية", "kifaransa"],
    "ar": ["arabic", "arabe", "árabe", "عربي", "العربية", "العربيه", "kiarabu"],
    "es": ["spanish", "espagnol", "español", "espanol", "Español", "الإسبانية", "kihispania"],
    "sw": ["swahili", "Kiswahili", "souahili", "suajili", "السواحلية", "سواحلي"],
}


@pytest.mark.parametrize(
    ("code", "typed"), [(code, typed) for code, names in NAMES.items() for typed in names]
)
def test_every_common_name_is_understood(code: str, typed: str) -> None:
    assert match_language(typed) == code


@pytest.mark.parametrize("reader", LANGUAGES)
@pytest.mark.parametrize("code", LANGUAGES)
def test_every_name_babel_gives_is_understood(reader: str, code: str) -> None:
    name = Locale.parse(reader).languages[code]
    assert match_language(name) == code
    assert match_language(name.upper()) == code
    assert match_language(f"  {name}! ") == code


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("en français", "fr"),
        ("Kiswahili tafadhali", "sw"),
        ("español por favor", "es"),
        ("الْعَرَبِيَّة", "ar"),  # with harakat
        ("العـربية", "ar"),  # with tatweel
        ("الانجليزيه", "en"),  # plain alef, heh for teh marbuta
    ],
)
def test_phrases_and_spelling_variants(typed: str, code: str) -> None:
    assert match_language(typed) == code


@pytest.mark.parametrize(
    "typed", ["", "   ", "?!", "hello", "asdfgh", "1234", "english or french", "Deutsch", "中文"]
)
def test_nothing_or_two_languages_is_not_guessed(typed: str) -> None:
    assert match_language(typed) is None


def test_normalise_folds_case_accents_and_punctuation() -> None:
    assert normalise(" Français! ") == "francais"
    assert normalise("ESPAÑOL") == "espanol"
    assert normalise("إنجليزي") == normalise("انجليزي")
