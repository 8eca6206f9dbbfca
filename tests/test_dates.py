"""Dates as every date prompt reads them (conversations/dates.py), and how /audit shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from babel.dates import format_date, get_month_names
from hypothesis import given
from hypothesis import strategies as st

from bot import periods
from bot.people.audit_view import entry_line, when_text
from conversations.dates import (
    LANGUAGES,
    RELATIVE_WORDS,
    example,
    example_date,
    format_numeric,
    month_first,
    parse_date,
    parse_two_dates,
    read_date,
)

TODAY = date(2026, 3, 5)  # a Thursday
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def test_the_order_of_day_and_month_comes_from_babel() -> None:
    assert month_first("en")
    assert not any(month_first(lang) for lang in ("fr", "es", "ar", "sw"))
    assert not month_first(None)  # no language known: day first, as most partners write


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("2026-03-02", "en", date(2026, 3, 2)),
        ("2026/3/2", "sw", date(2026, 3, 2)),
        ("3/2/2026", "en", date(2026, 3, 2)),
        ("2/3/2026", "fr", date(2026, 3, 2)),
        ("2/3/2026", "es", date(2026, 3, 2)),
        ("02.03.2026", "fr", date(2026, 3, 2)),
        ("02-03-26", "sw", date(2026, 3, 2)),
        ("3/2/26", "en", date(2026, 3, 2)),
        ("31/12/2025", "en", date(2025, 12, 31)),  # month first impossible: day first
        ("12/31/2025", "fr", date(2025, 12, 31)),  # and the other way round
        ("2\u200f/3\u200f/2026", "ar", date(2026, 3, 2)),  # Babel's Arabic short form
        ("٢/٣/٢٠٢٦", "ar", date(2026, 3, 2)),
        ("۲/۳/۲۰۲۶", "ar", date(2026, 3, 2)),  # Persian digits
        ("2 mars 2026", "fr", date(2026, 3, 2)),
        ("2 MARS 2026", "fr", date(2026, 3, 2)),
        ("1er février 2026", "fr", date(2026, 2, 1)),
        ("1 fevrier 2026", "fr", date(2026, 2, 1)),
        ("2 févr. 2026", "fr", date(2026, 2, 2)),
        ("lundi 2 mars 2026", "fr", date(2026, 3, 2)),
        ("le 2 mars", "fr", date(2026, 3, 2)),
        ("March 2", "en", date(2026, 3, 2)),
        ("March 2, 2026", "en", date(2026, 3, 2)),
        ("Mar 2 2026", "en", date(2026, 3, 2)),
        ("2nd of March 2026", "en", date(2026, 3, 2)),
        ("2 de marzo de 2026", "es", date(2026, 3, 2)),
        ("2 mar 2026", "es", date(2026, 3, 2)),
        ("2 Machi 2026", "sw", date(2026, 3, 2)),
        ("tarehe 2 Machi 2026", "sw", date(2026, 3, 2)),
        ("٢ مارس ٢٠٢٦", "ar", date(2026, 3, 2)),
        ("2 آذار 2026", "ar", date(2026, 3, 2)),  # Levantine month names
        ("1 كانون الثاني 2026", "ar", date(2026, 1, 1)),
        ("2 March 2026", "fr", date(2026, 3, 2)),  # English month names in every language
        ("today", "en", TODAY),
        ("aujourd’hui", "fr", TODAY),
        ("demain", "fr", date(2026, 3, 6)),
        ("hier", "fr", date(2026, 3, 4)),
        ("yesterday", "fr", date(2026, 3, 4)),  # English in every language
        ("Mañana", "es", date(2026, 3, 6)),
        ("ayer", "es", date(2026, 3, 4)),
        ("أمس", "ar", date(2026, 3, 4)),
        ("غداً", "ar", date(2026, 3, 6)),
        ("jana", "sw", date(2026, 3, 4)),
        ("kesho", "sw", date(2026, 3, 6)),
        (" 2/3 ", "fr", date(2026, 3, 2)),  # no year: the nearest such day
    ],
)
def test_the_forms_every_prompt_accepts(text: str, lang: str, expected: date) -> None:
    assert parse_date(text, lang, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("", "en"),
        ("blah", "en"),
        ("31/2/2026", "fr"),
        ("2026-13-01", "en"),
        ("mardi 2 mars 2026", "fr"),  # 2 March 2026 is a Monday
        ("2 mars 2026 et 3 mars 2026", "fr"),
        ("next week", "en"),
        ("2/3/2026 14:00", "fr"),  # a time is not a date
        ("2 mars 2026" * 10, "fr"),
        ("hier", "en"),  # French words are for French readers (English is for all)
    ],
)
def test_what_is_not_one_date_is_refused(text: str, lang: str) -> None:
    assert parse_date(text, lang, TODAY) is None


def test_the_past_and_the_future_only_where_the_prompt_allows_them() -> None:
    assert parse_date("yesterday", "en", TODAY, allow_past=False) is None
    assert read_date("hier", "fr", TODAY, allow_past=False).problem == "past"
    assert read_date("demain", "fr", TODAY, allow_future=False).problem == "future"
    assert parse_date("today", "en", TODAY, allow_past=False, allow_future=False) == TODAY
    # Without a year, the nearest day of the side allowed.
    assert parse_date("1/3", "fr", TODAY, allow_future=False) == date(2026, 3, 1)
    assert parse_date("1/3", "fr", TODAY, allow_past=False) == date(2027, 3, 1)
    assert parse_date("10 March", "en", TODAY, allow_future=False) == date(2025, 3, 10)
    assert parse_date("29/2", "fr", TODAY, allow_past=False) == date(2028, 2, 29)


def test_two_digit_years_are_the_nearest_sensible_century() -> None:
    """ "99" is 1999, not 2099; up to 20 years ahead stays in this century."""
    assert parse_date("1/1/99", "fr", TODAY) == date(1999, 1, 1)
    assert parse_date("31/12/98", "en", TODAY) == date(1998, 12, 31)
    assert parse_date("2/3/26", "fr", TODAY) == date(2026, 3, 2)
    assert parse_date("5/5/46", "fr", TODAY) == date(2046, 5, 5)
    assert parse_date("5/5/47", "fr", TODAY) == date(1947, 5, 5)


def test_without_a_language_every_language_is_read_day_first() -> None:
    assert parse_date("2/3/2026", None, TODAY) == date(2026, 3, 2)
    assert parse_date("hier", None, TODAY) == date(2026, 3, 4)
    assert parse_date("2 Machi 2026", None, TODAY) == date(2026, 3, 2)
    assert parse_date("2/3/2026", "pt-BR", TODAY) == date(2026, 3, 2)  # unknown: as None


def test_every_language_has_its_relative_words() -> None:
    for lang in LANGUAGES:
        days = set(RELATIVE_WORDS[lang].values())
        assert {-1, 0, 1} <= days, lang
        for word, offset in RELATIVE_WORDS[lang].items():
            assert parse_date(word, lang, TODAY) == TODAY + timedelta(days=offset), (lang, word)


@pytest.mark.parametrize(
    ("lang", "past", "future"),
    [
        ("en", "2/28/2026", "3/13/2026"),
        ("fr", "28/02/2026", "13/03/2026"),
        ("es", "28/2/2026", "13/3/2026"),
        ("ar", "28\u200f/2\u200f/2026", "13\u200f/3\u200f/2026"),
        ("sw", "28/02/2026", "13/03/2026"),
    ],
)
def test_one_example_in_the_readers_format(lang: str, past: str, future: str) -> None:
    assert example(lang, TODAY) == past
    assert example(lang, TODAY, allow_past=False) == future
    # and the example is read back as the date it shows
    assert parse_date(past, lang, TODAY) == date(2026, 2, 28)
    assert parse_date(future, lang, TODAY) == date(2026, 3, 13)


def test_the_example_stays_inside_the_bounds() -> None:
    low, high = date(2020, 1, 1), date(2020, 12, 31)
    assert example_date(TODAY, low=low, high=high) == high
    assert example_date(date(2019, 6, 1), low=low, high=high) == low


def test_two_dates_of_a_period() -> None:
    expected = (date(2026, 1, 1), date(2026, 3, 31))
    assert parse_two_dates("1/1/2026 au 31/3/2026", "fr", TODAY) == expected
    assert parse_two_dates("1 janv. 2026 – 31 mars 2026", "fr", TODAY) == expected
    assert parse_two_dates("3/31/2026 1/1/2026", "en", TODAY) == expected
    assert parse_two_dates("2026-01-01 - 2026-03-31", "es", TODAY) == expected
    assert parse_two_dates("1 enero 2026 hasta hoy", "es", TODAY) == (date(2026, 1, 1), TODAY)
    assert parse_two_dates("from January to March", "en", TODAY) is None
    assert parse_two_dates("1/1/2026", "en", TODAY) is None
    assert parse_two_dates("1/1/2026 blah 31/3/2026", "en", TODAY) is None


def test_periods_read_the_readers_order() -> None:
    period = periods.parse_dates("1/2/2026 3/2/2026", "UTC", "en", TODAY)
    assert period is not None
    assert (period.start, period.end) == (
        datetime(2026, 1, 2, tzinfo=UTC),
        datetime(2026, 3, 3, tzinfo=UTC),
    )
    period = periods.parse_dates("1/2/2026 3/2/2026", "UTC", "fr", TODAY)
    assert period is not None
    assert (period.start, period.end) == (
        datetime(2026, 2, 1, tzinfo=UTC),
        datetime(2026, 2, 4, tzinfo=UTC),
    )
    now = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert periods.example_dates("fr", now, "UTC") == ("01/10/2025", "31/12/2025")
    assert periods.example_dates("en", now, "UTC") == ("10/1/2025", "12/31/2025")


def test_audit_dates_follow_the_readers_locale() -> None:
    at = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert when_text(at, "fr", "Africa/Nairobi") == "2 mars 2026, 10:00"
    assert when_text(at, "en", "Africa/Nairobi").replace("\u202f", " ") == "Mar 2, 2026, 10:00 AM"
    assert "مارس" in when_text(at, "ar", "Africa/Nairobi")  # never the all-digit form
    line = entry_line(at, "Grace", "summary.read", None, False, "fr", "Africa/Nairobi")
    assert line.startswith("2 mars 2026, 10:00 · Grace · ")
    assert "3/2/26" not in when_text(at, "en", "UTC")


# ------------------------------------------------------------------------------ properties

days = st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31))
langs = st.sampled_from(LANGUAGES)


@given(days, langs)
def test_every_date_written_the_readers_way_reads_back(day: date, lang: str) -> None:
    assert parse_date(format_numeric(day, lang), lang, TODAY) == day
    assert parse_date(day.isoformat(), lang, TODAY) == day
    for width in ("medium", "long"):
        written = format_date(day, width, locale=lang)
        assert parse_date(written, lang, TODAY) == day, written


@given(days, langs, st.sampled_from(("wide", "abbreviated")))
def test_month_names_full_and_short_read_back(day: date, lang: str, width: str) -> None:
    month = get_month_names(width, locale=lang)[day.month]
    assert parse_date(f"{day.day} {month} {day.year}", lang, TODAY) == day


@given(days, langs)
def test_arabic_indic_digits_read_like_ascii(day: date, lang: str) -> None:
    written = format_numeric(day, lang)
    assert parse_date(written.translate(ARABIC_INDIC), lang, TODAY) == day


@given(days, st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=31))
def test_numbers_follow_the_locale_when_both_orders_could_be_meant(
    day: date, first: int, second: int
) -> None:
    text = f"{first}/{second}/{day.year}"
    en, fr = parse_date(text, "en", TODAY), parse_date(text, "fr", TODAY)
    if second <= 12:
        assert en == date(day.year, first, second)
        assert fr == date(day.year, second, first)
    else:  # only one reading exists: both take it (or neither, for 31/4)
        try:
            expected: date | None = date(day.year, first, second)
        except ValueError:
            expected = None
        assert en == fr == expected


@given(st.text(max_size=100), langs, days, st.booleans(), st.booleans())
def test_never_raises_and_respects_what_is_allowed(
    text: str, lang: str, today: date, past: bool, future: bool
) -> None:
    found = parse_date(text, lang, today, allow_past=past, allow_future=future)
    if found is not None:
        assert past or found >= today
        assert future or found <= today
    parse_two_dates(text, lang, today)


@given(langs, days, st.booleans(), st.booleans())
def test_the_example_is_accepted_by_its_own_prompt(
    lang: str, today: date, past: bool, future: bool
) -> None:
    shown = example(lang, today, allow_past=past, allow_future=future)
    if past or future:
        assert parse_date(shown, lang, today, allow_past=past, allow_future=future) is not None
