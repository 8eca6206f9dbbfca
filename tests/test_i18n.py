from __future__ import annotations

from bot import i18n
from bot.i18n import FSI, PDI, RLM, bidi, language_choices, normalise_language, translator
from bot.replies import split_text


def test_telegram_language_codes_map_to_shipped_catalogs() -> None:
    assert normalise_language("fr-CA") == "fr"
    assert normalise_language("AR") == "ar"
    assert normalise_language("sw") == "sw"
    assert normalise_language("de") == "en"
    assert normalise_language(None) == "en"


def test_each_language_is_translated() -> None:
    english = translator("en")("Sorry, I don't know that command. Send /help to see what I can do.")
    for lang in ("fr", "es", "ar", "sw"):
        translated = translator(lang)(
            "Sorry, I don't know that command. Send /help to see what I can do."
        )
        assert translated != english, lang
        assert "/help" in translated


def test_values_are_isolated_in_arabic_only() -> None:
    assert translator("en")("{n}", n=5) == "5"
    assert translator("ar")("{n}", n=5) == f"{FSI}5{PDI}"


def test_rtl_lines_start_with_a_mark() -> None:
    assert bidi("12 سؤال\nنعم", "ar") == f"{RLM}12 سؤال\n{RLM}نعم"
    assert bidi("12 questions", "en") == "12 questions"


def test_picker_puts_the_users_language_first() -> None:
    codes = [code for code, _ in language_choices("ar")]
    assert codes[0] == "ar"
    assert sorted(codes) == sorted(i18n.LANGUAGES)
    names = dict(language_choices(None))
    assert names["ar"] == "العربية"
    assert names["sw"] == "Kiswahili"


def test_pseudo_locale_marks_every_string() -> None:
    i18n.enable_pseudo(True)
    try:
        assert translator("fr")("What I can do").startswith(i18n.PSEUDO_OPEN)
    finally:
        i18n.enable_pseudo(False)


def test_long_text_is_split_under_the_limit_at_paragraphs() -> None:
    paragraph = "word " * 300
    text = "\n\n".join([paragraph.strip()] * 10)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


def test_emoji_count_as_two_units() -> None:
    text = "😀" * 2049  # 4098 UTF-16 units
    parts = split_text(text)
    assert len(parts) == 2
