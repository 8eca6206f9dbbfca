"""Issue 6, pure parts: meeting times typed by staff, reminder offsets, and the quiet-hour rule
for reminders (end of quiet hours, unless that is after the meeting: then their start)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import FSI, PDI, RLM, translator
from bot.meetings.when import (
    Parsed,
    format_offsets,
    format_when,
    parse_offsets,
    parse_when,
)
from bot.reminder_times import plan, quiet_start_before, reminder_due, verdict_at_send

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Paris, 12:00 in Nairobi
PARIS = "Europe/Paris"
NAIROBI = "Africa/Nairobi"


def local(text: str, zone: str = PARIS, now: datetime = MONDAY) -> datetime:
    parsed = parse_when(text, zone, now)
    assert isinstance(parsed, Parsed), (text, parsed)
    return parsed.at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/3 14:00", datetime(2026, 3, 12, 14, 0)),
        ("2026-03-12 2pm", datetime(2026, 3, 12, 14, 0)),
        ("2026-03-12 14h30", datetime(2026, 3, 12, 14, 30)),
        ("12.03.2026 14.30", datetime(2026, 3, 12, 14, 30)),
        ("12/03/26 9am", datetime(2026, 3, 12, 9, 0)),
        ("tomorrow 10:00", datetime(2026, 3, 3, 10, 0)),
        ("Tomorrow at 10", datetime(2026, 3, 3, 10, 0)),
        ("demain 10h", datetime(2026, 3, 3, 10, 0)),
        ("mañana 10:00", datetime(2026, 3, 3, 10, 0)),
        ("kesho 10:00", datetime(2026, 3, 3, 10, 0)),
        ("غداً 10:00", datetime(2026, 3, 3, 10, 0)),
        ("١٢/٣ ١٤:٠٠", datetime(2026, 3, 12, 14, 0)),
        ("٢٠٢٦-٠٣-١٢ ١٤:٣٠", datetime(2026, 3, 12, 14, 30)),
        ("jeudi 14h", datetime(2026, 3, 5, 14, 0)),
        ("Thursday 2:30 pm", datetime(2026, 3, 5, 14, 30)),
        ("Monday 08:00", datetime(2026, 3, 9, 8, 0)),  # today at 8 has passed: next Monday
        ("12 mars 14h30", datetime(2026, 3, 12, 14, 30)),
        ("jeudi 12 mars à 14h", datetime(2026, 3, 12, 14, 0)),
        ("March 12, 2026 at 14:00", datetime(2026, 3, 12, 14, 0)),
        ("12 de marzo 14:00", datetime(2026, 3, 12, 14, 0)),
        ("12 Machi 14:00", datetime(2026, 3, 12, 14, 0)),
        ("3/15 9am", datetime(2026, 3, 15, 9, 0)),  # day-first is impossible: month first
        ("1/2 10:00", datetime(2027, 2, 1, 10, 0)),  # 1 February has passed this year
        ("16:00", datetime(2026, 3, 2, 16, 0)),  # a time alone: today if still ahead
        ("09:00", datetime(2026, 3, 3, 9, 0)),  # ... else tomorrow
        ("12pm 12/3", datetime(2026, 3, 12, 12, 0)),
        ("12am 12/3", datetime(2026, 3, 12, 0, 0)),
    ],
)
def test_forgiving_date_and_time(text: str, expected: datetime) -> None:
    assert local(text) == expected


@pytest.mark.parametrize(
    "text", ["next week 10:00", "31/2 10:00", "12/3 25:00", "blah", "", "10:00 11:00", "13pm 12/3"]
)
def test_unclear_texts_are_refused_not_guessed(text: str) -> None:
    assert parse_when(text, PARIS, MONDAY) == "unclear"


def test_a_date_without_a_time_asks_for_the_time() -> None:
    assert parse_when("12/3", PARIS, MONDAY) == "no_time"
    assert parse_when("tomorrow", PARIS, MONDAY) == "no_time"


def test_the_time_is_read_in_the_organisers_zone() -> None:
    parsed = parse_when("12/3 14:00", NAIROBI, MONDAY)
    assert isinstance(parsed, Parsed)
    assert parsed.at == datetime(2026, 3, 12, 11, 0, tzinfo=UTC)


def test_a_time_skipped_by_the_clock_change_is_read_as_the_real_instant() -> None:
    # 02:30 does not exist in Paris on 29 March 2026: clocks jump from 02:00 to 03:00.
    parsed = parse_when("29/3 02:30", PARIS, MONDAY)
    assert isinstance(parsed, Parsed)
    assert parsed.at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert parsed.local.hour == 3


def plain(text: str) -> str:
    return text.replace(RLM, "").replace(FSI, "").replace(PDI, "")


def test_echo_names_weekday_month_and_zone_in_the_readers_locale() -> None:
    at = datetime(2026, 3, 12, 13, 0, tzinfo=UTC)
    english = format_when(at, PARIS, "en").replace("\u202f", " ")  # CLDR: narrow space before PM
    assert english == "Thursday, March 12, 2026, 2:00 PM (Paris, UTC+1)"
    assert format_when(at, PARIS, "fr") == "jeudi 12 mars 2026, 14:00 (Paris, UTC+1)"
    assert format_when(at, NAIROBI, "sw").startswith("Alhamisi, 12 Machi 2026 16:00")
    arabic = plain(format_when(at, NAIROBI, "ar"))
    assert "الخميس" in arabic and "مارس" in arabic and "UTC+3" in arabic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d 1d 2h", [10080, 1440, 120]),
        ("2h 7d 1d", [10080, 1440, 120]),
        ("3 days, 1 hour", [4320, 60]),
        ("1 semaine 2 heures", [10080, 120]),
        ("siku 7, saa 2", [10080, 120]),
        ("٢ ساعة", [120]),
        ("30m", [30]),
        ("1d 1d", [1440]),
    ],
)
def test_offsets(text: str, expected: list[int]) -> None:
    assert parse_offsets(text) == expected


@pytest.mark.parametrize(
    "text", ["", "soon", "7x", "1m", "61d", "1d 2d 3d 4d 5d 6d", "7d and more"]
)
def test_unclear_offsets(text: str) -> None:
    assert parse_offsets(text) is None


def test_offsets_read_exactly() -> None:
    assert format_offsets([10080, 1440, 150], translator("en")) == (
        "7 days, 1 day, and 2 hours and 30 minutes"
    )


# ------------------------------------------------------------------------------ quiet hours


def at(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def test_a_reminder_outside_quiet_hours_stays() -> None:
    nominal = at(NAIROBI, 2026, 3, 11, 14, 0)
    assert reminder_due(nominal, nominal + timedelta(days=1), NAIROBI, "21:00", "08:00") == nominal


def test_a_reminder_in_quiet_hours_moves_to_their_end_when_that_is_before_the_meeting() -> None:
    meeting = at(NAIROBI, 2026, 3, 12, 9, 0)
    nominal = meeting - timedelta(hours=2)  # 07:00, quiet until 08:00
    assert reminder_due(nominal, meeting, NAIROBI, "21:00", "08:00") == at(
        NAIROBI, 2026, 3, 12, 8, 0
    )


def test_a_reminder_in_quiet_hours_moves_to_their_start_when_the_end_is_too_late() -> None:
    meeting = at(NAIROBI, 2026, 3, 12, 7, 30)
    nominal = meeting - timedelta(hours=2)  # 05:30: 08:00 would be after the meeting
    assert reminder_due(nominal, meeting, NAIROBI, "21:00", "08:00") == at(
        NAIROBI, 2026, 3, 11, 21, 0
    )
    # A meeting exactly at the end of quiet hours: a reminder then would be too late too.
    meeting = at(NAIROBI, 2026, 3, 12, 8, 0)
    assert reminder_due(meeting - timedelta(hours=2), meeting, NAIROBI, "21:00", "08:00") == at(
        NAIROBI, 2026, 3, 11, 21, 0
    )


def test_quiet_hours_within_one_day() -> None:
    meeting = at(NAIROBI, 2026, 3, 12, 15, 0)
    nominal = meeting - timedelta(hours=2)  # 13:00, inside a 12:00-14:00 siesta
    assert reminder_due(nominal, meeting, NAIROBI, "12:00", "14:00") == at(
        NAIROBI, 2026, 3, 12, 14, 0
    )
    meeting = at(NAIROBI, 2026, 3, 12, 13, 30)
    nominal = meeting - timedelta(minutes=30)
    assert reminder_due(nominal, meeting, NAIROBI, "12:00", "14:00") == at(
        NAIROBI, 2026, 3, 12, 12, 0
    )


def test_the_shift_keeps_local_wall_times_across_a_clock_change() -> None:
    # Paris moves to summer time in the night of 28-29 March 2026.
    meeting = at(PARIS, 2026, 3, 29, 9, 0)
    nominal = meeting - timedelta(hours=2)
    assert reminder_due(nominal, meeting, PARIS, "22:00", "08:00") == at(PARIS, 2026, 3, 29, 8, 0)
    meeting = at(PARIS, 2026, 3, 29, 7, 0)
    start = quiet_start_before(meeting - timedelta(hours=2), PARIS, "22:00", "08:00")
    assert start == at(PARIS, 2026, 3, 28, 22, 0)
    assert start == datetime(2026, 3, 28, 21, 0, tzinfo=UTC)


def test_plan_leaves_out_what_has_passed_and_merges_what_lands_together() -> None:
    now = at(NAIROBI, 2026, 3, 10, 12, 0)
    meeting = at(NAIROBI, 2026, 3, 12, 6, 0)
    planned = plan(meeting, [10080, 1440, 120, 60], NAIROBI, "21:00", "08:00", now)
    # 7 days: already past. 1 day (06:00 on the 11th): to 08:00 on the 11th.
    # 2 hours (04:00) and 1 hour (05:00): 08:00 is after the meeting, so 21:00 the evening
    # before — both land there and become one reminder.
    assert [(p.offset_minutes, p.due_at) for p in planned] == [
        (1440, at(NAIROBI, 2026, 3, 11, 8, 0)),
        (120, at(NAIROBI, 2026, 3, 11, 21, 0)),
    ]


def test_plan_never_schedules_in_the_past() -> None:
    now = at(NAIROBI, 2026, 3, 11, 22, 0)
    meeting = at(NAIROBI, 2026, 3, 12, 2, 0)  # the start of quiet hours has gone by
    [planned] = plan(meeting, [120], NAIROBI, "21:00", "08:00", now)
    assert planned.due_at == now


def test_verdict_at_send() -> None:
    meeting = at(NAIROBI, 2026, 3, 12, 10, 0)
    quiet = at(NAIROBI, 2026, 3, 12, 6, 0)
    assert verdict_at_send(quiet, meeting, NAIROBI, "21:00", "08:00").until == at(
        NAIROBI, 2026, 3, 12, 8, 0
    )
    early = at(NAIROBI, 2026, 3, 12, 7, 0)
    assert verdict_at_send(quiet, early, NAIROBI, "21:00", "08:00").action == "send"
    assert verdict_at_send(meeting, meeting, NAIROBI, "21:00", "08:00").action == "skip"
    awake = at(NAIROBI, 2026, 3, 12, 9, 0)
    assert verdict_at_send(awake, meeting, NAIROBI, "21:00", "08:00").action == "send"
