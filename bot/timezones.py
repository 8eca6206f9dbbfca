"""Time zones a partner can pick: likely ones for their country, or one found from typed text."""

from __future__ import annotations

import difflib
import unicodedata
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.core import get_global
from babel.dates import get_timezone_location

from bot.i18n import LANGUAGES

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


def offset_text(zone: str, at: datetime) -> str:
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


def city(zone: str, lang: str) -> str:
    if zone == "UTC":
        return "UTC"
    try:
        return get_timezone_location(zone, locale=lang, return_city=True)
    except Exception:
        return zone.rsplit("/", 1)[-1].replace("_", " ")


def label(zone: str, lang: str, at: datetime) -> str:
    """ "Nairobi (UTC+3)" in the reader's language: short enough for a button."""
    return f"{city(zone, lang)} ({offset_text(zone, at)})"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("_", " ").replace("-", " ")


@cache
def _names() -> dict[str, str]:
    """Folded city names in every shipped language, and full IANA names, to zone."""
    names: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        if "/" not in zone or zone.startswith(("Etc/", "SystemV/", "posix/", "right/")):
            continue
        names[_fold(zone)] = zone
        names.setdefault(_fold(zone.rsplit("/", 1)[-1]), zone)
        for lang in LANGUAGES:
            names.setdefault(_fold(city(zone, lang)), zone)
    names["utc"] = "UTC"
    names.update({_fold(alias): zone for alias, zone in ALIASES.items()})
    return names


def find(text: str) -> tuple[str | None, list[str]]:
    """An exact zone for the text, or up to four suggestions for a near miss."""
    folded = _fold(text)
    if not folded or len(folded) > 64:
        return None, []
    names = _names()
    if folded in names:
        return names[folded], []
    close = difflib.get_close_matches(folded, list(names), n=8, cutoff=0.7)
    suggestions: list[str] = []
    for name in close:
        zone = names[name]
        if zone not in suggestions:
            suggestions.append(zone)
    return None, suggestions[:4]
