"""Meeting pushes in the dispatcher: what each one says, and whether it is still worth sending.

``GUARDS`` decide when a push falls due (from a read-only look, just before the dispatcher
claims the row): a cancelled meeting's reminders and a reminder for a meeting that has begun
are recorded as skipped (that is the catch-up rule after downtime); after downtime only the
latest of several due reminders goes; a push that meets the person's quiet hours — changed
since it was scheduled, or reached late — waits for their end only if that is still before the
meeting, else goes at once. ``COMPOSERS`` write the message in the reader's language, time
zone and locale.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.i18n import Translator, translator
from bot.meetings.view import answer_label, counts_line, details, is_organiser, rsvp_keyboard, title
from bot.meetings.when import format_offset, format_offsets, format_when
from bot.reminder_times import Verdict, verdict_at_send
from bot.services import Services
from storage import meeting_answers as answers
from storage.meeting_pushes import CANCELLED, INVITE, MOVED, REMINDER, later_due_reminder
from storage.meetings import REVIEW_KINDS
from storage.models import Contact, Delivery, Meeting

Composed = tuple[str, InlineKeyboardMarkup | None, str | None]
Composer = Callable[[Services, Delivery, str, str], Awaitable[Composed]]
#: what one kind of push says: its text and its buttons
Written = tuple[str, InlineKeyboardMarkup | None]


async def guard(
    session: AsyncSession, delivery: Delivery, contact: Contact, now: datetime
) -> Verdict:
    meeting = await session.get(Meeting, delivery.meeting_id) if delivery.meeting_id else None
    if meeting is None:
        return Verdict("skip", reason="meeting gone")
    if delivery.kind == CANCELLED:
        deadline = meeting.starts_at
    elif meeting.status != "scheduled":
        return Verdict("skip", reason="meeting cancelled")
    elif delivery.kind == MOVED and meeting.previous_starts_at is not None:
        deadline = min(meeting.starts_at, meeting.previous_starts_at)
    else:
        deadline = meeting.starts_at
    if delivery.kind == REMINDER and await later_due_reminder(session, delivery, now):
        return Verdict("skip", reason="superseded")
    return verdict_at_send(now, deadline, contact.timezone, contact.quiet_start, contact.quiet_end)


@dataclass(frozen=True)
class _Facts:
    meeting: Meeting
    partnership: str
    answer: str | None
    jpat_waiting: bool
    organiser: bool  # the reader organised the meeting: no RSVP buttons, the counts instead
    counts: answers.Counts | None


async def _facts(svc: Services, delivery: Delivery) -> _Facts | None:
    if delivery.meeting_id is None:
        return None
    async with svc.db.sessions() as session:
        found = await answers.push_facts(session, delivery.meeting_id, delivery.contact_id)
        if found is None:
            return None
        waiting = (
            delivery.kind in (REMINDER, INVITE)
            and found.meeting.kind in REVIEW_KINDS
            and found.side == "partner"
            and await answers.jpat_waiting(
                session, found.meeting.partnership_id, delivery.contact_id
            )
        )
        organiser = is_organiser(found.meeting, delivery.contact_id)
        counts = await answers.counts(session, found.meeting.id) if organiser else None
    return _Facts(found.meeting, found.partnership, found.answer, waiting, organiser, counts)


def _organiser_line(facts: _Facts, _: Translator) -> str:
    """What the organiser reads instead of "Will you attend?": the answers so far."""
    counts = facts.counts
    assert counts is not None
    so_far = counts_line(
        counts.attending, counts.not_attending, counts.need_info, counts.no_answer, _
    )
    return _.paragraphs(
        _("You organise this meeting and are counted as attending."),
        _("Answers so far: {counts}", counts=so_far),
    )


def _jpat_line(facts: _Facts, lang: str) -> str:
    _ = translator(lang)
    if not facts.jpat_waiting:
        return ""
    return _(
        "Before this review, please complete your J-PAT check-in for this partnership: "
        "your side's answers are not in yet. Send /surveys to open it."
    )


def _invite(svc: Services, facts: _Facts, lang: str, zone: str) -> Written:
    _ = translator(lang)
    meeting = facts.meeting
    text = _.paragraphs(
        _("You are invited: {title}", title=title(meeting, facts.partnership, _)),
        "\n".join(details(meeting, zone, _)),
        _jpat_line(facts, lang),
        _("Will you attend? Please answer with the buttons below."),
        _(
            "I will remind you {offsets} before, never during your quiet hours. "
            "To stop reminders, send /stop.",
            offsets=format_offsets(list(meeting.reminder_offsets or []), _),
        )
        if meeting.reminder_offsets
        else _("To stop reminders, send /stop."),
    )
    return text, rsvp_keyboard(meeting, facts.answer, _)


def time_left(left: timedelta, _: Translator) -> str:
    """ "7 days", "22 hours", "10 hours and 30 minutes": whole days from two days on, else exact
    to the minute (a reminder moved by quiet hours must not say "10 hours" for 10½)."""
    minutes = max(0, round(left.total_seconds() / 60))
    if minutes >= 2 * 1440:
        return _.ngettext("{n} day", "{n} days", round(minutes / 1440))
    return format_offset(minutes, _)


def _reminder(svc: Services, facts: _Facts, lang: str, zone: str) -> Written:
    _ = translator(lang)
    meeting = facts.meeting
    duration = time_left(meeting.starts_at - svc.clock.now(), _)
    answered = (
        _(
            "Your answer so far: {answer}. You can change it below.",
            answer=answer_label(facts.answer, _),
        )
        if facts.answer
        else _("Will you attend? Please answer with the buttons below.")
    )
    if facts.organiser:
        answered = _organiser_line(facts, _)
    text = _.paragraphs(
        _(
            "Reminder: {title} starts in {duration}.",
            title=title(meeting, facts.partnership, _),
            duration=duration,
        ),
        "\n".join(details(meeting, zone, _)),
        _jpat_line(facts, lang),
        answered,
    )
    return text, _answer_buttons(facts, _)


def _moved(svc: Services, facts: _Facts, lang: str, zone: str) -> Written:
    _ = translator(lang)
    meeting = facts.meeting
    lines = [_("The meeting has moved: {title}", title=title(meeting, facts.partnership, _))]
    text = _.paragraphs(
        "\n".join(lines),
        "\n".join(details(meeting, zone, _)),
        _("Previously: {time}", time=format_when(meeting.previous_starts_at, zone, lang))
        if meeting.previous_starts_at
        else "",
        _organiser_line(facts, _)
        if facts.organiser
        else _("Will you attend at the new time? Please answer with the buttons below."),
    )
    return text, _answer_buttons(facts, _)


def _cancelled(svc: Services, facts: _Facts, lang: str, zone: str) -> Written:
    _ = translator(lang)
    meeting = facts.meeting
    text = _(
        "Cancelled: {title}, planned for {time}. There is nothing you need to do.",
        title=title(meeting, facts.partnership, _),
        time=format_when(meeting.starts_at, zone, lang),
    )
    return text, None


def _answer_buttons(facts: _Facts, _: Translator) -> InlineKeyboardMarkup | None:
    """The RSVP buttons, except for the organiser (who reads the answers so far instead)."""
    return None if facts.organiser else rsvp_keyboard(facts.meeting, facts.answer, _)


def _composer(write: Callable[[Services, _Facts, str, str], Written]) -> Composer:
    """The dispatcher's composer for one kind of push: the meeting's facts are read once, and a
    meeting that is gone meanwhile gets the same one line whatever the push was."""

    async def compose(svc: Services, delivery: Delivery, lang: str, zone: str) -> Composed:
        facts = await _facts(svc, delivery)
        if facts is None:
            _ = translator(lang)
            return _("This meeting no longer exists."), None, None
        text, keyboard = write(svc, facts, lang, zone)
        return text, keyboard, None

    return compose


COMPOSERS = {
    INVITE: _composer(_invite),
    REMINDER: _composer(_reminder),
    MOVED: _composer(_moved),
    CANCELLED: _composer(_cancelled),
}
GUARDS = {kind: guard for kind in COMPOSERS}
