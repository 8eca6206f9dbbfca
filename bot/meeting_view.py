"""How a meeting reads in a chat: its title, time in the reader's zone beside the organiser's,
place, agenda, and the RSVP buttons. Shared by invitations, reminders and staff views."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import N_, Translator
from bot.keyboards import button, grid
from bot.meeting_time import format_time_only, format_when, same_wall_day
from storage.models import Meeting

KIND_LABELS = {
    "kickoff": N_("Kickoff meeting"),
    "quarterly": N_("Quarterly review"),
    "biannual": N_("Biannual review"),
    "annual": N_("Annual evaluation"),
    "other": N_("Meeting"),
}
ANSWER_CODES = {"a": "attending", "n": "not_attending", "i": "need_info"}
CODE_OF_ANSWER = {v: k for k, v in ANSWER_CODES.items()}


def kind_label(kind: str, _: Translator) -> str:
    return _(KIND_LABELS.get(kind, KIND_LABELS["other"]))


def answer_label(answer: str | None, _: Translator) -> str:
    if answer == "attending":
        return _("Attending")
    if answer == "not_attending":
        return _("Can't attend")
    if answer == "need_info":
        return _("Need information")
    return _("No answer yet")


def counts_line(
    attending: int, not_attending: int, need_info: int, no_answer: int, _: Translator
) -> str:
    """The answers of one meeting in one line: the same in /meetings and the organiser's
    reminders (the organiser counts as attending)."""
    return _(
        "{yes} attending · {no} can't attend · {info} need information · {none} no answer yet",
        yes=attending,
        no=not_attending,
        info=need_info,
        none=no_answer,
    )


def is_organiser(meeting: Meeting, contact_id: int | None) -> bool:
    return contact_id is not None and meeting.created_by == contact_id


def title(meeting: Meeting, partnership: str, _: Translator) -> str:
    return _("{kind} — {partnership}", kind=kind_label(meeting.kind, _), partnership=partnership)


def _differs(at: datetime, zone_a: str, zone_b: str) -> bool:
    return (
        at.astimezone(ZoneInfo(zone_a)).utcoffset() != at.astimezone(ZoneInfo(zone_b)).utcoffset()
    )


def when_lines(at: datetime, zone: str, organiser_zone: str, _: Translator) -> list[str]:
    """The time in the reader's zone; the organiser's beside it when their clocks differ."""
    lines = [_("When: {time}", time=format_when(at, zone, _.lang))]
    if _differs(at, zone, organiser_zone):
        theirs = (
            format_time_only(at, organiser_zone, _.lang)
            if same_wall_day(at, zone, organiser_zone)
            else format_when(at, organiser_zone, _.lang)
        )
        lines.append(_("Organiser's time: {time}", time=theirs))
    return lines


def details(meeting: Meeting, zone: str, _: Translator) -> list[str]:
    lines = when_lines(meeting.starts_at, zone, meeting.organiser_timezone, _)
    if meeting.place:
        lines.append(_("Where: {place}", place=meeting.place))
    if meeting.agenda:
        lines.append(_("Agenda: {agenda}", agenda=meeting.agenda))
    return lines


def rsvp_keyboard(meeting: Meeting, answer: str | None, _: Translator) -> InlineKeyboardMarkup:
    """Attending / Can't attend / Need information; the current answer is ticked."""
    buttons = []
    for code, value in ANSWER_CODES.items():
        text = answer_label(value, _)
        if value == answer:
            text = f"✓ {text}"
        buttons.append(button(text, callbacks.data("rsvp", meeting.id, meeting.version, code)))
    return grid(buttons, 2)
