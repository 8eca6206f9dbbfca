"""Reporting periods (this quarter, last quarter, typed dates) in the reader's time zone.

A quarter begins at midnight where the staff member lives, not in UTC, so "this quarter" means
what they expect; storage gets plain UTC bounds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_interval

from conversations import dates
from storage.scopes import Period


def zone_info(name: str | None) -> ZoneInfo:
    """The reader's zone; UTC for a missing or unknown name rather than an error, so a stored
    zone that this machine's tz database lacks never stops a date from being shown. The one
    such fallback: every view that shows a moment in someone's zone uses it."""
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError, OSError):  # unknown; malformed; a folder such as "America"
        return ZoneInfo("UTC")


def day_in(moment: datetime, zone: str | None) -> date:
    """The calendar day a UTC moment falls on where the reader lives."""
    return moment.astimezone(zone_info(zone)).date()


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _shift(first: date, quarters: int) -> date:
    index = first.year * 4 + (first.month - 1) // 3 + quarters
    return date(index // 4, 3 * (index % 4) + 1, 1)


def _bounds(first: date, last_exclusive: date, zone: str | None) -> Period:
    tz = zone_info(zone)
    start = datetime(first.year, first.month, first.day, tzinfo=tz).astimezone(UTC)
    end = datetime(
        last_exclusive.year, last_exclusive.month, last_exclusive.day, tzinfo=tz
    ).astimezone(UTC)
    return Period(start, end)


def quarter(now: datetime, zone: str | None, back: int = 0) -> Period:
    """The calendar quarter ``back`` quarters before the one ``now`` is in."""
    first = _shift(quarter_start(now.astimezone(zone_info(zone)).date()), -back)
    return _bounds(first, _shift(first, 1), zone)


def quarters(now: datetime, zone: str | None, count: int) -> list[Period]:
    """The last ``count`` quarters, oldest first, ending with the current one."""
    return [quarter(now, zone, back) for back in range(count - 1, -1, -1)]


def whole_quarters(period: Period, zone: str | None) -> Period:
    """The smallest run of whole calendar quarters covering ``period`` (disclosure rule 5:
    fixed windows, so "1–28 Feb" and "11–28 Feb" are both Q1 and cannot be subtracted)."""
    if period.start is None or period.end is None:
        return period
    tz = zone_info(zone)
    first = quarter_start(period.start.astimezone(tz).date())
    last = quarter_start((period.end.astimezone(tz) - timedelta(microseconds=1)).date())
    return _bounds(first, _shift(last, 1), zone)


def parse_dates(
    text: str, zone: str | None, lang: str | None = None, today: date | None = None
) -> Period | None:
    """Two dates typed any way a date prompt accepts (``2026-01-01``, ``1/1/2026`` in the
    reader's order, ``1 janv. 2026``, "today"...): the first and last day, in either order."""
    if today is None:
        today = datetime.now(zone_info(zone)).date()
    found = dates.parse_two_dates(text, lang, today)
    if found is None:
        return None
    first, last = found
    try:
        return _bounds(first, last + timedelta(days=1), zone)
    except OverflowError:  # 9999-12-31 has no next day; 0001-01-01 no UTC day before it
        return None


def example_dates(lang: str, now: datetime, zone: str | None) -> tuple[str, str]:
    """The first and last day of last quarter, typed the reader's way (28/02/2026 in French,
    2/28/2026 in English), for the prompt that asks for a period."""
    last_quarter = quarter(now, zone, back=1)
    assert last_quarter.start is not None and last_quarter.end is not None
    tz = zone_info(zone)
    first = last_quarter.start.astimezone(tz).date()
    last = (last_quarter.end.astimezone(tz) - timedelta(seconds=1)).date()
    return dates.format_numeric(first, lang), dates.format_numeric(last, lang)


def label(period: Period, zone: str | None, locale: object) -> str:
    """ "1 janv. – 31 mars 2026" in the reader's language; open ends are left out."""
    tz = zone_info(zone)
    if period.start is None or period.end is None:
        return ""
    first = period.start.astimezone(tz).date()
    last = (period.end.astimezone(tz) - timedelta(seconds=1)).date()
    if first == last:
        return format_date(first, "medium", locale=locale)
    return format_interval(first, last, "yMMMd", locale=locale)


def quarter_label(period: Period, zone: str | None, locale: object) -> str:
    """ "Q1 2026", "T1 2026", "الربع الأول 2026"..."""
    assert period.start is not None
    return format_date(period.start.astimezone(zone_info(zone)).date(), "QQQ y", locale=locale)
