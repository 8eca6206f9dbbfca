"""Quiet hours: when a contact does not want pushes, in their own time zone."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_TIME = re.compile(r"(\d{1,2})(?:\s*[:h.]\s*(\d{2}))?")

PRESETS = (("21:00", "08:00"), ("22:00", "07:00"), ("20:00", "06:00"), ("23:00", "06:00"))


def parse_range(text: str) -> tuple[str, str] | None:
    """ "22-7", "22:00 – 07:00", "21h-8h", "٢١-٨" → ("22:00", "07:00"); None when unclear."""
    found = _TIME.findall(text.translate(DIGITS))
    if len(found) != 2:
        return None
    times = []
    for hours, minutes in found:
        h, m = int(hours), int(minutes or 0)
        if h == 24 and m == 0:
            h = 0
        if not (0 <= h <= 23 and 0 <= m <= 59):
            return None
        times.append(f"{h:02d}:{m:02d}")
    if times[0] == times[1]:
        return None
    return times[0], times[1]


def _parse(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def is_quiet(moment: datetime, zone: str, start: str, end: str) -> bool:
    local = moment.astimezone(ZoneInfo(zone)).time()
    begin, finish = _parse(start), _parse(end)
    if begin < finish:
        return begin <= local < finish
    return local >= begin or local < finish


def quiet_end_after(moment: datetime, zone: str, start: str, end: str) -> datetime:
    """The first moment at or after ``moment`` that is outside quiet hours."""
    if not is_quiet(moment, zone, start, end):
        return moment
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    finish = _parse(end)
    candidate = local.replace(hour=finish.hour, minute=finish.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate = (local + timedelta(days=1)).replace(
            hour=finish.hour, minute=finish.minute, second=0, microsecond=0
        )
    # Rebuild from wall-clock fields so a DST change in between lands on the right local time.
    naive = candidate.replace(tzinfo=None)
    return naive.replace(tzinfo=tz).astimezone(moment.tzinfo)
