"""How a meeting reads in a chat: its title, time in the reader's zone beside the organiser's,
place, agenda, and the RSVP buttons (shared by invitations, reminders and staff views); the
/meetings lists, the meeting card staff change a meeting from, and the question-and-answer
relay between a partner and the organiser. The wizard's prompts are in ``wizard_view``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import N_, Translator, translator
from bot.keyboards import button, column, grid
from bot.meetings.when import format_offsets, format_time_only, format_when, same_wall_day
from storage.meeting_answers import Answer, Upcoming
from storage.models import Contact, Meeting

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


# ------------------------------------------------------------------------------ /meetings


def staff_list(_: Translator, rows: list[Upcoming], zone: str) -> tuple[str, InlineKeyboardMarkup]:
    """Staff's /meetings: every coming meeting with its answers counted, a button each."""
    lines = [_("Coming meetings:")]
    buttons = []
    for number, row in enumerate(rows, start=1):
        meeting = row.meeting
        lines.append(
            "\n".join(
                [
                    f"{number}. {title(meeting, row.partnership, _)}",
                    format_when(meeting.starts_at, zone, _.lang),
                    counts_line(row.attending, row.not_attending, row.need_info, row.no_answer, _),
                ]
            )
        )
        buttons.append(
            button(
                f"{number}. {kind_label(meeting.kind, _)} — {row.partnership}",
                callbacks.data("mtg", "v", meeting.id),
            )
        )
    text = _.paragraphs(*lines, _("Press a meeting to see who is coming or to change it."))
    return text, column(buttons)


def partner_meeting(
    _: Translator,
    meeting: Meeting,
    partnership: str,
    answer: str | None,
    zone: str,
    *,
    first_of: int | None,
    more_later: int,
) -> str:
    """One of a partner's coming meetings; the first says how many there are in all
    (``first_of``), the last how many more come later."""
    parts = []
    if first_of is not None:
        parts.append(
            _.ngettext(
                "You have {n} meeting coming up.", "You have {n} meetings coming up.", first_of
            )
        )
    parts += [
        "\n".join([title(meeting, partnership, _), *details(meeting, zone, _)]),
        _("Your answer: {answer}", answer=answer_label(answer, _)),
        _("You can change it with the buttons below."),
    ]
    if more_later:
        parts.append(
            _.ngettext(
                "{n} more meeting comes later; it will be shown once these are over.",
                "{n} more meetings come later; they will be shown once these are over.",
                more_later,
            )
        )
    return _.paragraphs(*parts)


# ------------------------------------------------------------------------------ the card

ANSWER_GROUPS = (
    ("attending", N_("Attending ({n}): {names}")),
    ("not_attending", N_("Can't attend ({n}): {names}")),
    ("need_info", N_("Need information ({n}): {names}")),
    (None, N_("No answer yet ({n}): {names}")),
)


def names(people: list[Answer], meeting: Meeting, _: Translator) -> str:
    shown = []
    for p in people:
        name = p.name or _("(no name)")
        if p.side == "ngo":
            name = _("{name} (NGO)", name=name)
        if is_organiser(meeting, p.contact_id):
            name = _("{name}, organiser", name=name)
        if p.status in ("stopped", "blocked"):
            name = _("{name}, not reachable", name=name)
        shown.append(name)
    return ", ".join(shown)


def card(
    _: Translator,
    meeting: Meeting,
    label: str,
    zone: str,
    people: list[Answer],
    pending: int,
    now: datetime,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One meeting: details, who answered what, reminders, and the buttons to change it."""
    lines = [title(meeting, label, _), *details(meeting, zone, _)]
    if meeting.status != "scheduled":
        lines.append(_("This meeting was cancelled."))
    answers_block = []
    for answer, template in ANSWER_GROUPS:
        group = [p for p in people if p.answer == answer]
        if group:
            shown = names(group, meeting, _)
            answers_block.append(_(template, n=len(group), names=shown))
    if not people:
        answers_block.append(_("Nobody is invited: the partnership had no members."))
    offsets = list(meeting.reminder_offsets or [])
    reminders = (
        _(
            "Reminders: {offsets} before ({n} still to send).",
            offsets=format_offsets(offsets, _),
            n=pending,
        )
        if offsets
        else _("Reminders: none.")
    )
    text = _.paragraphs("\n".join(lines), "\n".join(answers_block), reminders)
    keyboard = None
    if meeting.status == "scheduled" and meeting.starts_at > now:
        keyboard = column(
            [
                button(_("Reschedule"), callbacks.data("mtg", "rs", meeting.id, meeting.version)),
                button(
                    _("Change reminders"), callbacks.data("mtg", "rm", meeting.id, meeting.version)
                ),
                button(
                    _("Cancel the meeting"), callbacks.data("mtg", "c", meeting.id, meeting.version)
                ),
            ]
        )
    return text, keyboard


def cancel_question(
    _: Translator, meeting: Meeting, label: str, zone: str
) -> tuple[str, InlineKeyboardMarkup]:
    keyboard = column(
        [
            button(
                _("Yes, cancel the meeting"),
                callbacks.data("mtg", "cy", meeting.id, meeting.version),
            ),
            button(_("No, keep it"), callbacks.data("mtg", "v", meeting.id)),
        ]
    )
    text = _(
        "Cancel {title} on {when}? Everyone who was told about it will be told it is cancelled.",
        title=title(meeting, label, _),
        when=format_when(meeting.starts_at, zone, _.lang),
    )
    return text, keyboard


# ------------------------------------------------------------------------------ questions


def no_question(told: bool, _: Translator) -> str:
    if told:
        return _(
            "No question sent. I have told the organiser that you need more information; "
            "they can write to you through me."
        )
    return _("No question sent.")


def question_to_organiser(
    _: Translator, meeting: Meeting, label: str, zone: str, partner: Contact, question: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The partner's question (or that they need more information) as the organiser reads it,
    with the Reply button; the partner's name only, never a chat id."""
    name = partner.display_name or _("(no name)")
    heading = title(meeting, label, _)
    when = format_when(meeting.starts_at, zone, _.lang)
    if question is None:
        text = _(
            "{name} needs more information about {title} on {when}, but wrote no question. "
            "You can write to them through me with the Reply button.",
            name=name,
            title=heading,
            when=when,
        )
    else:
        text = _.paragraphs(
            _(
                "{name} asks about {title} on {when}:",
                name=name,
                title=heading,
                when=when,
            ),
            question,
            _("Press Reply to answer through me."),
        )
    keyboard = column(
        [
            button(_("Reply"), callbacks.data("mtg", "qr", meeting.id, partner.id)),
            button(_("See the meeting"), callbacks.data("mtg", "v", meeting.id)),
        ]
    )
    return text, keyboard


def answer_to_partner(
    meeting: Meeting, label: str, text: str, answer: str | None, lang: str, still_open: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The organiser's words as the partner reads them, in the partner's language."""
    _ = translator(lang)
    heading = title(meeting, label, _)
    parts = [_("The organiser of {title} answered your question:", title=heading), text]
    if not still_open:
        return _.paragraphs(*parts), None
    parts.append(
        _(
            "To ask something else, press Need information. "
            "You can change your answer with the buttons below."
        )
    )
    return _.paragraphs(*parts), rsvp_keyboard(meeting, answer, _)
