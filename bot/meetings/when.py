"""Meeting times typed by staff, and read back so nobody can misunderstand them.

Staff type a date and time the way they would write it to a colleague — "12/3 14:00",
"2026-03-12 2pm", "tomorrow 10:00", "jeudi 14h", "١٢/٣ ١٤:٠٠" — in their own time zone. The
parser is forgiving about the form but strict about meaning: a text with words it does not
understand is refused rather than guessed ("next week 10:00" must not become "today 10:00").
Dates are read as every date prompt reads them (``conversations.dates``): numeric ones in the
writer's order (day first, month first in English; day first when the language is unknown);
the echo names the weekday and the month in words, so a wrong reading is caught before anyone
is invited.

Reminder offsets ("7d 1d 2h") are parsed and shown here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.lists import format_list

from bot.i18n import LANGUAGES, Translator, translator
from bot.timezones import city, offset_text
from conversations import dates

DEFAULT_OFFSETS = (7 * 24 * 60, 24 * 60, 2 * 60)  # minutes before the meeting
MAX_OFFSETS = 5
MAX_OFFSET_MINUTES = 60 * 24 * 60  # 60 days
MIN_OFFSET_MINUTES = 5
MAX_AHEAD = timedelta(days=2 * 366)

# Words that carry no meaning of their own between a date and a time.
FILLER = {
    "at",
    "on",
    "the",
    "of",
    "a",
    "à",
    "a las",
    "a la",
    "le",
    "de",
    "del",
    "el",
    "saa",
    "tarehe",
    "ifikapo",
    "في",
    "الساعة",
    "الساعه",
    "يوم",
    "h",
}
EN_WEEKDAY_ABBREVIATIONS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_TIME = re.compile(
    r"(?<![\d/\-])(\d{1,2})(?:\s*[:h.]\s*(\d{2}))?\s*(a\.?m\.?|p\.?m\.?|h(?![a-z]))?(?![\d/\-])"
)


@dataclass(frozen=True)
class Parsed:
    """A moment the text names: ``at`` in UTC; ``local`` is the wall-clock time typed."""

    at: datetime
    local: datetime


@cache
def _weekday_names() -> dict[str, int]:
    """Monday = 0, as ``date.weekday`` counts."""
    names: dict[str, int] = {}
    for lang in LANGUAGES:
        for number, name in Locale.parse(lang).days["format"]["wide"].items():
            names.setdefault(dates.normalise(name), number)
    for number, name in enumerate(EN_WEEKDAY_ABBREVIATIONS):
        names.setdefault(name, number)
    return names


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _weekday_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w])({_alternation(list(_weekday_names()))})\.?(?![\w])")


def _take_date(text: str, today: date, lang: str | None) -> tuple[date | None, str, bool, int]:
    """(date, text with the date removed, whether a date-like part was found but invalid,
    days to add if the time turns out to be already past on that date: 7 for a weekday).

    Dates are read as every date prompt reads them (``conversations.dates``); a date without
    a year is the next one to come. A weekday alone means the next such day.
    """
    found = dates.search_date(text, lang, today, allow_past=False)
    if found is not None:
        return found.value, _drop_weekday(found.rest), found.value is None, 0
    if match := _weekday_pattern().search(text):
        wanted = _weekday_names()[match[1]]
        ahead = (wanted - today.weekday()) % 7
        return today + timedelta(days=ahead), _cut(text, match), False, 7
    return None, text, False, 1


def _drop_weekday(text: str) -> str:
    """A weekday written beside a full date ("jeudi 12 mars") adds nothing; the echo checks it."""
    return _weekday_pattern().sub(" ", text)


def _cut(text: str, match: re.Match[str]) -> str:
    return f"{text[: match.start()]} {text[match.end() :]}"


def _take_time(text: str) -> tuple[time | None, str, bool]:
    """(time, rest, whether something time-like was found but invalid or repeated)."""
    found = [m for m in _TIME.finditer(text) if m[2] is not None or m[3] is not None]
    if not found:
        # "tomorrow at 10": one bare number left beside the date is an hour.
        found = list(_TIME.finditer(text))
        if len(found) != 1:
            return None, text, len(found) > 1
    if len(found) > 1:
        return None, text, True
    match = found[0]
    hours, minutes = int(match[1]), int(match[2] or 0)
    suffix = (match[3] or "").replace(".", "")
    if suffix in ("am", "pm"):
        if not 1 <= hours <= 12:
            return None, text, True
        hours = hours % 12 + (12 if suffix == "pm" else 0)
    if hours == 24 and minutes == 0:
        hours = 0
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        return None, text, True
    return time(hours, minutes), _cut(text, match), False


def _only_filler(rest: str) -> bool:
    words = re.sub(r"[,;]", " ", rest).split()
    joined = " ".join(words)
    for filler in sorted({dates.normalise(f) for f in FILLER}, key=len, reverse=True):
        joined = re.sub(rf"(?<![\w]){re.escape(filler)}(?![\w])", " ", joined)
    return joined.strip() == ""


def parse_when(text: str, zone: str, now: datetime, lang: str | None = None) -> Parsed | str:
    """The moment a staff member means, or a reason code: ``unclear``, ``no_time``.

    ``lang`` is the writer's language: numeric dates in its order (month first in English),
    month names and "tomorrow" in it and in English; None reads every language, day first.
    Whether the moment is in the past is for the caller to judge (it echoes the reading
    back either way).
    """
    tz = ZoneInfo(zone)
    folded = dates.normalise(text)
    if not folded or len(folded) > 80:
        return "unclear"
    local_now = now.astimezone(tz)
    day, rest, bad_date, roll = _take_date(folded, local_now.date(), lang)
    if bad_date:
        return "unclear"
    moment, rest, bad_time = _take_time(rest)
    if bad_time or not _only_filler(rest):
        return "unclear"
    if moment is None:
        return "no_time"
    if day is None:
        day = local_now.date()
    if roll and datetime.combine(day, moment, tz) <= local_now:
        day += timedelta(days=roll)
    wall = datetime.combine(day, moment)
    # A time skipped by a clock change (02:30 on the night clocks go forward) becomes the
    # real instant it names; reading it back from UTC shows the shifted wall time.
    at = wall.replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))
    return Parsed(at=at, local=at.astimezone(tz))


def when_example(lang: str, zone: str, now: datetime) -> str:
    """One date and time typed the reader's way, for the prompt: "13/03/2026 14:00" in French,
    "3/13/2026 14:00" in English (a day after the 12th, so the order cannot be misread)."""
    today = now.astimezone(ZoneInfo(zone)).date()
    return f"{dates.example(lang, today, allow_past=False)} 14:00"


def is_too_far(at: datetime, now: datetime) -> bool:
    return at - now > MAX_AHEAD


# ------------------------------------------------------------------------------ showing


def format_when(at: datetime, zone: str, lang: str, *, with_zone: bool = True) -> str:
    """ "Thursday, March 12, 2026, 2:00 PM (Nairobi, UTC+3)" in the reader's locale and zone."""
    _ = translator(lang)
    local = at.astimezone(ZoneInfo(zone))
    day = format_date(local.date(), "full", locale=_.locale)
    clock = format_time(local, "short", locale=_.locale)
    pattern = get_datetime_format("medium", locale=_.locale)
    text = pattern.replace("{1}", day).replace("{0}", clock).replace("'", "")
    if not with_zone:
        return text
    return _with_zone(_, text, zone, at)


def _with_zone(_: Translator, text: str, zone: str, at: datetime) -> str:
    return _(
        "{datetime} ({city}, {offset})",
        datetime=text,
        city=city(zone, _.lang),
        offset=offset_text(zone, at),
    )


def format_time_only(at: datetime, zone: str, lang: str) -> str:
    """ "12:00 (Paris, UTC+1)": the organiser's time beside the reader's, in the reader's locale."""
    _ = translator(lang)
    local = at.astimezone(ZoneInfo(zone))
    return _with_zone(_, format_time(local, "short", locale=_.locale), zone, at)


def same_wall_day(at: datetime, zone_a: str, zone_b: str) -> bool:
    return at.astimezone(ZoneInfo(zone_a)).date() == at.astimezone(ZoneInfo(zone_b)).date()


# ------------------------------------------------------------------------------ offsets

_OFFSET = re.compile(r"(\d{1,4})\s*([^\d\s,;]*)")
_UNITS = {
    "d": 1440,
    "day": 1440,
    "days": 1440,
    "j": 1440,
    "jour": 1440,
    "jours": 1440,
    "dia": 1440,
    "dias": 1440,
    "siku": 1440,
    "يوم": 1440,
    "ايام": 1440,
    "w": 10080,
    "week": 10080,
    "weeks": 10080,
    "semaine": 10080,
    "semaines": 10080,
    "semana": 10080,
    "semanas": 10080,
    "wiki": 10080,
    "اسبوع": 10080,
    "اسابيع": 10080,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "heure": 60,
    "heures": 60,
    "hora": 60,
    "horas": 60,
    "saa": 60,
    "ساعة": 60,
    "ساعات": 60,
    "ساعه": 60,
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "minuto": 1,
    "minutos": 1,
    "dakika": 1,
    "دقيقة": 1,
    "دقائق": 1,
}


def parse_offsets(text: str) -> list[int] | None:
    """ "7d 1d 2h", "3 days, 1 hour", "٢ ساعة" → minutes before the meeting, largest first.

    None when unclear, empty, too many, or out of range (5 minutes to 60 days).
    Swahili puts the unit first ("siku 7"); that order is read too.
    """
    folded = dates.normalise(text)
    folded = re.sub(r"(?<![\w])(siku|saa|wiki|dakika)\s+(\d{1,4})", r"\2 \1", folded)
    found: set[int] = set()
    position = 0
    for match in _OFFSET.finditer(folded):
        gap = folded[position : match.start()]
        if gap.strip(" ,;") and not _only_filler(gap):
            return None
        position = match.end()
        unit = _UNITS.get(match[2].rstrip("."))
        if unit is None:
            return None
        minutes = int(match[1]) * unit
        if not MIN_OFFSET_MINUTES <= minutes <= MAX_OFFSET_MINUTES:
            return None
        found.add(minutes)
    tail = folded[position:]
    if tail.strip(" ,;") and not _only_filler(tail):
        return None
    if not found or len(found) > MAX_OFFSETS:
        return None
    return sorted(found, reverse=True)


def format_offset(minutes: int, _: Translator) -> str:
    """ "1 day", "2 hours", "1 day and 12 hours" — exact, never rounded."""
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_.ngettext("{n} day", "{n} days", days))
    if hours:
        parts.append(_.ngettext("{n} hour", "{n} hours", hours))
    if mins:
        parts.append(_.ngettext("{n} minute", "{n} minutes", mins))
    return (
        format_list(parts, locale=_.locale) if parts else _.ngettext("{n} minute", "{n} minutes", 0)
    )


def format_offsets(offsets: list[int], _: Translator) -> str:
    return format_list([format_offset(m, _) for m in offsets], locale=_.locale)
