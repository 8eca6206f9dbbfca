"""Meeting times typed by staff, and read back so nobody can misunderstand them.

Staff type a date and time the way they would write it to a colleague — "12/3 14:00",
"2026-03-12 2pm", "tomorrow 10:00", "jeudi 14h", "١٢/٣ ١٤:٠٠" — in their own time zone. The
parser is forgiving about the form but strict about meaning: a text with words it does not
understand is refused rather than guessed ("next week 10:00" must not become "today 10:00").
Numeric dates are read day first, as in every language we ship except US English; the echo
names the weekday and the month in words, so a wrong reading is caught before anyone is invited.

Reminder offsets ("7d 1d 2h") are parsed and shown here too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.lists import format_list

from bot.i18n import LANGUAGES, Translator, translator
from bot.quiet import DIGITS
from bot.timezones import city, offset_text

DEFAULT_OFFSETS = (7 * 24 * 60, 24 * 60, 2 * 60)  # minutes before the meeting
MAX_OFFSETS = 5
MAX_OFFSET_MINUTES = 60 * 24 * 60  # 60 days
MIN_OFFSET_MINUTES = 5
MAX_AHEAD = timedelta(days=2 * 366)

# Words for "today", "tomorrow", "the day after tomorrow" in the languages staff write in.
RELATIVE_DAYS = {
    "day after tomorrow": 2,
    "apres demain": 2,
    "apres-demain": 2,
    "pasado manana": 2,
    "kesho kutwa": 2,
    "بعد غد": 2,
    "today": 0,
    "aujourd'hui": 0,
    "aujourdhui": 0,
    "hoy": 0,
    "leo": 0,
    "اليوم": 0,
    "tomorrow": 1,
    "demain": 1,
    "manana": 1,
    "kesho": 1,
    "غدا": 1,
    "بكرة": 1,
}
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

_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?!\d)")
_DM = re.compile(r"(?<![\d:])(\d{1,2})[/\-](\d{1,2})(?![\d:/\-])")
_TIME = re.compile(
    r"(?<![\d/\-])(\d{1,2})(?:\s*[:h.]\s*(\d{2}))?\s*(a\.?m\.?|p\.?m\.?|h(?![a-z]))?(?![\d/\-])"
)


@dataclass(frozen=True)
class Parsed:
    """A moment the text names: ``at`` in UTC; ``local`` is the wall-clock time typed."""

    at: datetime
    local: datetime


def _fold(text: str) -> str:
    """Lower case, Western digits, no accents (Arabic letters kept), single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(DIGITS).lower()
    text = text.replace("\u060c", ",").replace("\u2019", "'").replace("\u0640", "")
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = unicodedata.normalize("NFKC", text)
    # Arabic: hamza forms of alif read alike; tanween on "غداً" is a combining mark, gone above.
    text = text.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا")
    return re.sub(r"\s+", " ", text).strip()


@cache
def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for lang in LANGUAGES:
        locale = Locale.parse(lang)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    folded = _fold(name).rstrip(".")
                    if len(folded) >= 3:
                        names.setdefault(folded, number)
    names["sept"] = 9
    return names


@cache
def _weekday_names() -> dict[str, int]:
    """Monday = 0, as ``date.weekday`` counts."""
    names: dict[str, int] = {}
    for lang in LANGUAGES:
        for number, name in Locale.parse(lang).days["format"]["wide"].items():
            names.setdefault(_fold(name), number)
    for number, name in enumerate(EN_WEEKDAY_ABBREVIATIONS):
        names.setdefault(name, number)
    return names


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _word_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    months = _alternation(list(_month_names()))
    day_month = re.compile(
        rf"(?<!\d)(\d{{1,2}})(?:er|st|nd|rd|th)?\s*(?:de\s+)?({months})\.?(?:\s*(?:de\s+)?(\d{{4}}))?(?![\w])"
    )
    month_day = re.compile(
        rf"(?<![\w])({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s*(\d{{4}}))?"
    )
    relative = re.compile(rf"(?<![\w])({_alternation([_fold(w) for w in RELATIVE_DAYS])})(?![\w])")
    weekday = re.compile(rf"(?<![\w])({_alternation(list(_weekday_names()))})\.?(?![\w])")
    return day_month, month_day, relative, weekday


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    value = int(raw)
    return 2000 + value if value < 100 else value


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _with_year(month: int, day: int, year: int | None, today: date) -> date | None:
    """A date without a year is the next one to come (this year, else next year)."""
    if year is not None:
        return _safe_date(year, month, day)
    found = _safe_date(today.year, month, day)
    if found is not None and found >= today:
        return found
    return _safe_date(today.year + 1, month, day)


def _take_date(text: str, today: date) -> tuple[date | None, str, bool, int]:
    """(date, text with the date removed, whether a date-like part was found but invalid,
    days to add if the time turns out to be already past on that date: 7 for a weekday)."""
    day_month, month_day, relative, weekday = _word_patterns()
    if match := _ISO.search(text):
        y, m, d = (int(g) for g in match.groups())
        return _safe_date(y, m, d), _cut(text, match), _safe_date(y, m, d) is None, 0
    if match := _DMY.search(text):
        d, m, y = int(match[1]), int(match[2]), _year(match[3])
        found = _numeric(d, m, y, today)
        return found, _cut(text, match), found is None, 0
    if match := day_month.search(text):
        month = _month_names()[match[2]]
        found = _with_year(month, int(match[1]), _year(match[3]), today)
        text = _cut(text, match)
        return found, _drop_weekday(text), found is None, 0
    if match := month_day.search(text):
        month = _month_names()[match[1]]
        found = _with_year(month, int(match[2]), _year(match[3]), today)
        text = _cut(text, match)
        return found, _drop_weekday(text), found is None, 0
    if match := _DM.search(text):
        found = _numeric(int(match[1]), int(match[2]), None, today)
        return found, _drop_weekday(_cut(text, match)), found is None, 0
    if match := relative.search(text):
        days = {_fold(k): v for k, v in RELATIVE_DAYS.items()}[match[1]]
        return today + timedelta(days=days), _cut(text, match), False, 0
    if match := weekday.search(text):
        wanted = _weekday_names()[match[1]]
        ahead = (wanted - today.weekday()) % 7
        return today + timedelta(days=ahead), _cut(text, match), False, 7
    return None, text, False, 1


def _numeric(first: int, second: int, year: int | None, today: date) -> date | None:
    """Day first; month first only when the day-first reading is impossible (3/15)."""
    if first <= 31 and 1 <= second <= 12:
        found = _with_year(second, first, year, today)
        if found is not None:
            return found
    if 1 <= first <= 12 and second > 12:
        return _with_year(first, second, year, today)
    return None


def _drop_weekday(text: str) -> str:
    """A weekday written beside a full date ("jeudi 12 mars") adds nothing; the echo checks it."""
    _, _, _, weekday = _word_patterns()
    return weekday.sub(" ", text)


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
    for filler in sorted({_fold(f) for f in FILLER}, key=len, reverse=True):
        joined = re.sub(rf"(?<![\w]){re.escape(filler)}(?![\w])", " ", joined)
    return joined.strip() == ""


def parse_when(text: str, zone: str, now: datetime) -> Parsed | str:
    """The moment a staff member means, or a reason code: ``unclear``, ``no_time``.

    Whether the moment is in the past is for the caller to judge (it echoes the reading
    back either way).
    """
    tz = ZoneInfo(zone)
    folded = _fold(text)
    if not folded or len(folded) > 80:
        return "unclear"
    local_now = now.astimezone(tz)
    day, rest, bad_date, roll = _take_date(folded, local_now.date())
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
    folded = _fold(text)
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
