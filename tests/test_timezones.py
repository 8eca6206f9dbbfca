"""Time zones shown by city in the reader's language, and found from what people type."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import countries, timezones
from bot.i18n import LANGUAGES, comma, punctuation

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "lang", "shown"),
    [
        ("Africa/Nairobi", "ar", "نيروبي"),
        ("Africa/Nairobi", "sw", "Nairobi"),
        ("Africa/Dar_es_Salaam", "en", "Dar es Salaam"),
        ("Africa/Dar_es_Salaam", "es", "Dar es-Salam"),
        ("Asia/Muscat", "fr", "Mascate"),
        ("America/Bogota", "es", "Bogotá"),
        ("America/Argentina/Buenos_Aires", "ar", "Buenos Aires"),  # CLDR has no city: from the id
        ("UTC", "ar", "UTC"),
        ("Etc/UTC", "en", "UTC"),
    ],
)
def test_zone_label_is_a_city_in_the_readers_language(zone: str, lang: str, shown: str) -> None:
    assert timezones.zone_label(zone, lang) == shown
    assert timezones.city(zone, lang) == shown


def test_no_zone_is_ever_labelled_with_its_id() -> None:
    from zoneinfo import available_timezones

    for zone in available_timezones():
        if "/" not in zone or zone.startswith(("posix/", "right/")):
            continue
        for lang in LANGUAGES:
            assert "/" not in timezones.zone_label(zone, lang), (zone, lang)
            assert "_" not in timezones.zone_label(zone, lang), (zone, lang)


def test_place_label_adds_the_country_with_the_readers_comma() -> None:
    assert timezones.place_label("Asia/Amman", "ar", NOW) == "عمّان، الأردن (UTC+3)"
    assert timezones.place_label("Asia/Amman", "en", NOW) == "Amman, Jordan (UTC+3)"
    assert timezones.place_label("Asia/Kuwait", "en", NOW) == "Kuwait (UTC+3)"  # not twice


def test_arabic_punctuation() -> None:
    assert comma("ar") == "، " and comma("sw") == ", "
    assert punctuation(";", "ar") == "؛" and punctuation("?", "ar") == "؟"
    assert punctuation("?", "fr") == "?"


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Nairobi", "Africa/Nairobi"),
        ("  nairobi ", "Africa/Nairobi"),
        ("نيروبي", "Africa/Nairobi"),
        ("Africa/Nairobi", "Africa/Nairobi"),
        ("Bogotá", "America/Bogota"),
        ("Goma", "Africa/Lubumbashi"),
        ("اربيل", "Asia/Baghdad"),  # typed without the hamza
        ("Amman", "Asia/Amman"),
        ("Oman", "Asia/Muscat"),  # a country with one time zone
        ("Kenya", "Africa/Nairobi"),
        ("UTC", "UTC"),
    ],
)
def test_typed_names_that_name_one_zone(typed: str, zone: str) -> None:
    assert timezones.resolve(typed) == timezones.Found(zone=zone)
    assert timezones.find(typed) == (zone, [])


@pytest.mark.parametrize("typed", ["عمان", "عمّان", "عُمان"])
def test_amman_or_oman_is_a_choice(typed: str) -> None:
    assert timezones.resolve(typed).choices == ("Asia/Amman", "Asia/Muscat")


def test_tripoli_in_arabic_is_lebanon_or_libya() -> None:
    found = timezones.resolve("طرابلس")
    assert found.zone is None and set(found.choices) == {"Asia/Beirut", "Africa/Tripoli"}
    assert found.country is None


def test_a_country_with_several_zones_offers_them() -> None:
    found = timezones.resolve("Russia")
    assert found.zone is None and 1 < len(found.choices) <= 6 and found.country == "RU"
    assert all(timezones.territory(z) == "RU" for z in found.choices)


def test_near_misses_are_suggestions_and_nonsense_is_nothing() -> None:
    assert timezones.resolve("Naiorbi") == timezones.Found(suggestions=("Africa/Nairobi",))
    assert timezones.find("Kampla") == (None, ["Africa/Kampala"])
    assert timezones.resolve("Qwxzv") == timezones.Found()
    assert timezones.resolve("") == timezones.Found()
    assert timezones.resolve("x" * 100) == timezones.Found()


def test_countries_by_name_only_takes_whole_names() -> None:
    assert countries.by_name("عُمان") == "OM"
    assert countries.by_name("Kenya") == "KE"
    assert countries.by_name("ke") is None  # a code is not a name
    assert countries.find("ke") == ("KE", [])  # staff may still type codes
