"""The checks of ``partnerbot doctor`` that need neither Telegram nor the database: time-zone
data, the catalogs and the survey definitions; and the line every check prints."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram.error import TimedOut

from bot import logs
from bot.settings import Settings

OK, WARN, FAIL, SKIP = "ok", "warn", "FAIL", "skip"
#: Zones the bot offers partners (bot.timezones) beside the configured default.
KNOWN_ZONES = ("Africa/Nairobi", "Asia/Amman", "America/Bogota", "Europe/Istanbul")


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4} {self.name}: {self.detail}"


def error_text(err: BaseException) -> str:
    """The exception's type, and its message where that comes from a server or the OS
    (``bot.logs.exception_text``); one line."""
    if isinstance(err, TimedOut):
        return "timed out"
    text = logs.exception_text(err).removeprefix("telegram.error.")
    return (text.splitlines() or [type(err).__name__])[0][:300]


def time_zones(settings: Settings | None) -> Check:
    zones = ([settings.default_timezone] if settings else []) + [
        z for z in KNOWN_ZONES if settings is None or z != settings.default_timezone
    ]
    missing = []
    for zone in zones:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            missing.append(zone)
    try:
        # A zone with daylight saving: the data is real, not a stub that knows only UTC.
        summer = datetime(2025, 7, 1, 12, tzinfo=ZoneInfo("Europe/Paris")).utcoffset()
        dst_ok = summer == timedelta(hours=2)
    except (ZoneInfoNotFoundError, ValueError):
        dst_ok = False
    source = _tz_source()
    if missing or not dst_ok:
        what = ", ".join(missing) if missing else "Europe/Paris has no summer time"
        return Check("time zones", FAIL, f"{what}: install tzdata (pip install tzdata)")
    else:
        return Check("time zones", OK, f"{', '.join(zones)} found, {source}")


def catalogs() -> Check:
    import gettext

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from bot.i18n import LANGUAGES
    from bot.locales_tool import PLACEHOLDER, po_path

    failures: list[str] = []
    warnings: list[str] = []
    counts: list[str] = []
    for lang in LANGUAGES:
        if lang == "en":
            continue  # the source language: the strings are in the code
        path = po_path(lang)
        if not path.is_file():
            failures.append(f"{lang}: no catalog at {path} (the bot would answer in English)")
            continue
        try:
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            buffer.seek(0)
            gettext.GNUTranslations(buffer)
        except Exception as err:
            failures.append(f"{lang}: does not compile ({error_text(err)})")
            continue
        untranslated = broken = 0
        for message in catalog:
            if not message.id:
                continue
            strings = message.string
            texts = list(strings) if isinstance(strings, (list, tuple)) else [strings]
            if message.fuzzy or not all(texts):
                untranslated += 1
                continue
            ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
            expected = {name for i in ids for name in PLACEHOLDER.findall(i)} | {"n"}
            if any(not set(PLACEHOLDER.findall(t)) <= expected for t in texts if t):
                broken += 1
        if broken:
            failures.append(f"{lang}: {broken} translation(s) with unknown {{placeholders}}")
        if untranslated:
            warnings.append(f"{lang}: {untranslated} untranslated (shown in English)")
        counts.append(f"{lang} {len(catalog) - 1}")
    hint = " (partnerbot locales check lists them)"
    if failures:
        return Check("catalogs", FAIL, "; ".join(failures + warnings) + hint)
    elif warnings:
        return Check("catalogs", WARN, "; ".join(warnings) + hint)
    else:
        return Check("catalogs", OK, f"compiled: {', '.join(counts)} messages; en is the source")


def surveys(
    settings: Settings | None, stored: Sequence[tuple[str, Mapping[str, object]]] = ()
) -> Check:
    from conversations.check import check_all

    report = check_all(settings.surveys_dir if settings else None, stored)
    summary = (
        f"{len(report.files)} definition(s) (files in {report.directory}, {len(stored)} installed), {report.error_count} error(s), "
        f"{report.warning_count} warning(s)"
    )
    if report.error_count:
        first = next(
            (f"{f.name}: {f.error}" for f in report.files if f.error),
            report.errors[0] if report.errors else "",
        )
        first = first.splitlines()[0] if first else ""
        return Check("surveys", FAIL, f"{summary}; first: {first} (partnerbot surveys check)")
    elif report.warning_count:
        return Check("surveys", WARN, f"{summary} (partnerbot surveys check lists them)")
    else:
        return Check("surveys", OK, summary)


def _tz_source(zone: str = "Africa/Nairobi") -> str:
    """Where ``zoneinfo`` reads zones from: the system's files first, else the tzdata package."""
    import zoneinfo

    if any((Path(folder) / zone).is_file() for folder in zoneinfo.TZPATH):
        return "from the system tz database"
    return "from the tzdata package"
