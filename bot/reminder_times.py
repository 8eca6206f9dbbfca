"""When a meeting reminder may reach a person: before the meeting, never in their quiet hours
if that can be helped.

The rule (issue 6): a reminder whose time falls inside the contact's quiet hours moves to the
END of those quiet hours — unless that would be at or after the meeting, in which case it moves
back to the START of the quiet hours, so it still arrives in time. Computed once when the
reminder is scheduled (``due_at``), and checked again when it falls due (``verdict_at_send``)
because the person may have changed their quiet hours or time zone meanwhile, or the bot may
have been down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.quiet import is_quiet, quiet_end_after


def quiet_start_before(moment: datetime, zone: str, start: str, end: str) -> datetime:
    """The start of the quiet period ``moment`` is in (call only when it is quiet)."""
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    hours, minutes = (int(part) for part in start.split(":"))
    candidate = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    if candidate > local:
        candidate -= timedelta(days=1)
    # Rebuild from wall-clock fields so a DST change in between lands on the right local time.
    naive = candidate.replace(tzinfo=None)
    return naive.replace(tzinfo=tz).astimezone(moment.tzinfo)


def reminder_due(
    nominal: datetime, meeting_at: datetime, zone: str, start: str, end: str
) -> datetime:
    """Where a reminder meant for ``nominal`` goes, given the contact's quiet hours."""
    if not is_quiet(nominal, zone, start, end):
        return nominal
    after = quiet_end_after(nominal, zone, start, end)
    if after < meeting_at:
        return after
    return quiet_start_before(nominal, zone, start, end)


@dataclass(frozen=True)
class PlannedReminder:
    offset_minutes: int
    due_at: datetime


def plan(
    meeting_at: datetime,
    offsets: list[int],
    zone: str,
    start: str,
    end: str,
    now: datetime,
) -> list[PlannedReminder]:
    """The reminders still worth scheduling for one contact.

    An offset whose moment has already passed when the meeting is scheduled is left out:
    the invitation, sent now, says everything that reminder would. A reminder the quiet-hour
    rule moves into the past goes out now instead; two offsets landing on the same moment
    (both pushed to the end of one night) become one reminder.
    """
    planned: list[PlannedReminder] = []
    seen: set[datetime] = set()
    for minutes in sorted(offsets, reverse=True):
        nominal = meeting_at - timedelta(minutes=minutes)
        if nominal <= now:
            continue
        due = max(reminder_due(nominal, meeting_at, zone, start, end), now)
        if due in seen:
            continue
        seen.add(due)
        planned.append(PlannedReminder(minutes, due))
    return planned


@dataclass(frozen=True)
class Verdict:
    """What to do with a meeting push that is due now: send, skip, or wait until ``until``."""

    action: str  # "send", "skip" or "wait"
    until: datetime | None = None
    reason: str | None = None


def verdict_at_send(now: datetime, deadline: datetime, zone: str, start: str, end: str) -> Verdict:
    """Judge a due push against the meeting (``deadline``) and the contact's quiet hours now.

    Past the deadline it is useless: skipped. Inside quiet hours it waits for their end if
    that is still before the deadline; otherwise it goes now (the start of the quiet hours,
    where the rule would have put it, has already come).
    """
    if now >= deadline:
        return Verdict("skip", reason="meeting passed")
    if is_quiet(now, zone, start, end):
        after = quiet_end_after(now, zone, start, end)
        if after < deadline:
            return Verdict("wait", until=after)
    return Verdict("send")
