"""Time zones a partner can pick: likely ones for their country, or one found from typed text.

A zone is shown to people only through ``zone_label`` (its city in the reader's language, from
CLDR), ``label`` (with the UTC offset) or ``place_label`` (with the country as well): never as
an IANA id such as ``Africa/Nairobi``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.core import get_global
from babel.dates import get_timezone_location

from bot import countries
from bot.i18n import LANGUAGES, comma

# Cities partners are likely to type that do not name a time zone themselves.
ALIASES = {
    "yaounde": "Africa/Douala",
    "goma": "Africa/Lubumbashi",
    "bukavu": "Africa/Lubumbashi",
    "uvira": "Africa/Lubumbashi",
    "rdc": "Africa/Kinshasa",
    "kakuma": "Africa/Nairobi",
    "dadaab": "Africa/Nairobi",
    "mombasa": "Africa/Nairobi",
    "gulu": "Africa/Kampala",
    "nyarugusu": "Africa/Dar_es_Salaam",
    "kigoma": "Africa/Dar_es_Salaam",
    "dodoma": "Africa/Dar_es_Salaam",
    "arusha": "Africa/Dar_es_Salaam",
    "bujumbura": "Africa/Bujumbura",
    "gitega": "Africa/Bujumbura",
    "kigali": "Africa/Kigali",
    "goma rdc": "Africa/Lubumbashi",
    "medellin": "America/Bogota",
    "cali": "America/Bogota",
    "cucuta": "America/Bogota",
    "barranquilla": "America/Bogota",
    "quito": "America/Guayaquil",
    "aleppo": "Asia/Damascus",
    "alep": "Asia/Damascus",
    "حلب": "Asia/Damascus",
    "homs": "Asia/Damascus",
    "حمص": "Asia/Damascus",
    "idlib": "Asia/Damascus",
    "إدلب": "Asia/Damascus",
    "zaatari": "Asia/Amman",
    "الزعتري": "Asia/Amman",
    "irbid": "Asia/Amman",
    "erbil": "Asia/Baghdad",
    "أربيل": "Asia/Baghdad",
    "mosul": "Asia/Baghdad",
    "الموصل": "Asia/Baghdad",
    "gaziantep": "Europe/Istanbul",
    "tripoli lebanon": "Asia/Beirut",
    "طرابلس": "Asia/Beirut",
    "juba": "Africa/Juba",
    "جوبا": "Africa/Juba",
    "port sudan": "Africa/Khartoum",
    "بورتسودان": "Africa/Khartoum",
    "cox's bazar": "Asia/Dhaka",
    "n'djamena": "Africa/Ndjamena",
    "ndjamena": "Africa/Ndjamena",
}


def is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"


def zones_for_country(country: str | None, limit: int = 6) -> list[str]:
    if not country:
        return []
    zones = get_global("territory_zones").get(country.upper(), [])
    return [z for z in zones if is_zone(z)][:limit]


def territory(zone: str) -> str | None:
    """The two-letter country a zone belongs to (CLDR), or None for UTC and the like."""
    aliases = get_global("zone_aliases")
    code = get_global("zone_territories").get(aliases.get(zone, zone))
    return code if code and code not in ("ZZ", "001") else None


def offset_text(zone: str, at: datetime) -> str:
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


@cache
def zone_label(zone: str, lang: str) -> str:
    """A zone as a person reads it: its city in the reader's language ("نيروبي" for
    ``Africa/Nairobi`` in Arabic), from CLDR through Babel. Never the raw id: this is the one
    helper for every place a time zone is shown to someone."""
    if zone in ("UTC", "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "Etc/GMT"):
        return "UTC"
    try:
        name = get_timezone_location(zone, locale=lang, return_city=True)
    except Exception:
        name = ""
    if not name or "/" in name:  # Babel's fallback for ids CLDR has no city for
        name = zone.rsplit("/", 1)[-1].replace("_", " ")
    return name


def city(zone: str, lang: str) -> str:
    """The zone's city in the reader's language (same as ``zone_label``)."""
    return zone_label(zone, lang)


def label(zone: str, lang: str, at: datetime) -> str:
    """ "Nairobi (UTC+3)" in the reader's language: short enough for a button."""
    return f"{zone_label(zone, lang)} ({offset_text(zone, at)})"


def place_label(zone: str, lang: str, at: datetime) -> str:
    """ "Amman, Jordan (UTC+3)": the city with its country, where a name is ambiguous."""
    code = territory(zone)
    city_name = zone_label(zone, lang)
    country = countries.name(code, lang) if code else ""
    if country and _fold(country) != _fold(city_name):
        city_name = f"{city_name}{comma(lang)}{country}"
    return f"{city_name} ({offset_text(zone, at)})"


def _fold(text: str) -> str:
    """A zone id's or city's lookup key: ``Dar_es_Salaam`` and ``Port-au-Prince`` as typed."""
    return countries.fold(text, separators="_-")


@cache
def _names() -> dict[str, tuple[str, ...]]:
    """Folded city names in every shipped language, and full IANA names, to their zones.

    A name can belong to several places (Arabic "عمان" is Amman and also Oman): every zone
    it names is kept, the likeliest first.
    """
    names: dict[str, list[str]] = {}

    def add(name: str, zone: str) -> None:
        zones = names.setdefault(_fold(name), [])
        if zone not in zones:
            zones.append(zone)

    for alias, zone in ALIASES.items():  # chosen by hand: they come first
        add(alias, zone)
    for zone in sorted(available_timezones()):
        if "/" not in zone or zone.startswith(("Etc/", "SystemV/", "posix/", "right/")):
            continue
        add(zone, zone)
        add(zone.rsplit("/", 1)[-1], zone)
        for lang in LANGUAGES:
            add(zone_label(zone, lang), zone)
    names.setdefault("utc", ["UTC"])
    return {name: tuple(zones) for name, zones in names.items()}


@dataclass(frozen=True)
class Found:
    """What typed text names: one zone, several places to choose between, or near misses."""

    zone: str | None = None
    choices: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    country: str | None = None  # the choices are this country's zones, not namesakes


def _places(zones: tuple[str, ...]) -> list[str]:
    """One zone per country (the first named), so a city's several ids are not a choice."""
    seen: set[str] = set()
    kept: list[str] = []
    for zone in zones:
        key = territory(zone) or zone
        if key not in seen:
            seen.add(key)
            kept.append(zone)
    return kept


def resolve(text: str) -> Found:
    """The zone typed text names, asking between places when the name is ambiguous.

    A city name that is also the name of another country ("عمان": Amman, Jordan, or Oman), or
    that names cities in several countries, gives ``choices``; a country with one time zone
    gives that zone; a country with several gives them as ``choices``.
    """
    folded = _fold(text)
    if not folded or len(folded) > 64:
        return Found()
    places = _places(_names().get(folded, ()))
    country = countries.by_name(text)
    if country is not None:
        if places and all(territory(z) != country for z in places):
            places += zones_for_country(country, limit=3)
        elif not places:
            places = zones_for_country(country)
            if len(places) > 1:
                return Found(choices=tuple(places), country=country)
    if len(places) == 1:
        return Found(zone=places[0])
    if places:
        return Found(choices=tuple(places[:6]))
    names = _names()
    close = difflib.get_close_matches(folded, list(names), n=8, cutoff=0.7)
    suggestions: list[str] = []
    for name in close:
        for zone in _places(names[name]):
            if zone not in suggestions:
                suggestions.append(zone)
    return Found(suggestions=tuple(suggestions[:4]))


def find(text: str) -> tuple[str | None, list[str]]:
    """An exact zone for the text, or up to four suggestions (choices, or near misses)."""
    found = resolve(text)
    return found.zone, list(found.choices or found.suggestions)[:4]
