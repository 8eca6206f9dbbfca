"""What the /meeting wizard and a meeting's edits say: the date-and-time prompts and their read
back, the reminder-offset prompts, the summary before scheduling and the empty-side warning."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import Translator
from bot.keyboards import button, column, grid
from bot.meetings.view import details, title
from bot.meetings.when import Parsed, format_offsets, format_when, is_too_far, when_example
from bot.timezones import city
from storage.meetings import MemberCounts
from storage.models import Meeting


def when_examples(_: Translator, zone: str, now: datetime) -> str:
    """One example typed the reader's way (day and month in their order) and one in words."""
    return _("for example: {example}, or tomorrow 10:00", example=when_example(_.lang, zone, now))


def ask_when(_: Translator, zone: str, now: datetime, *, new: bool) -> str:
    question = _("When should it take place instead?") if new else _("When does it take place?")
    return _.paragraphs(
        question,
        _(
            "Type the date and time in your time zone ({zone}), {examples}.",
            zone=city(zone, _.lang),
            examples=when_examples(_, zone, now),
        ),
    )


def when_refusal(_: Translator, parsed: Parsed | str, zone: str, now: datetime) -> str | None:
    """What is wrong with a typed moment, or None when it can be used."""
    if parsed == "no_time":
        return _("Please add the time too, {examples}.", examples=when_examples(_, zone, now))
    if isinstance(parsed, str):
        return _(
            "I could not read that date and time. Please try again, {examples}.",
            examples=when_examples(_, zone, now),
        )
    if parsed.at <= now:
        return _(
            "{when} has already passed. Please send a date and time in the future.",
            when=format_when(parsed.at, zone, _.lang),
        )
    if is_too_far(parsed.at, now):
        return _(
            "{when} is more than two years away. Please check the date.",
            when=format_when(parsed.at, zone, _.lang),
        )
    return None


def echo_when(
    _: Translator, at: datetime, zone: str, confirm_action: str
) -> tuple[str, InlineKeyboardMarkup]:
    keyboard = grid(
        [
            button(_("Yes, that's right"), callbacks.data("mtg", confirm_action)),
            button(_("Cancel"), callbacks.data("mtg", "x")),
        ]
    )
    text = _.paragraphs(
        _("I read: {when}", when=format_when(at, zone, _.lang)),
        _("Is that right? If not, type the date and time again."),
    )
    return text, keyboard


def ask_offsets(_: Translator, current: list[int]) -> str:
    return _.paragraphs(
        _("Now: {offsets} before.", offsets=format_offsets(current, _)) if current else "",
        _(
            "When should reminders go out? Send how long before the meeting, for example: 7d 1d 2h (d = days, h = hours, m = minutes; at most 5)."
        ),
    )


def offsets_help(_: Translator) -> str:
    return _(
        "I could not read that. Send up to 5 times before the meeting, each between 5 minutes and 60 days, for example: 7d 1d 2h."
    )


def draft(data: dict[str, Any], zone: str) -> Meeting:
    """An unsaved meeting, so the summary reads exactly like the invitation will."""
    return Meeting(
        id=0,
        partnership_id=int(data["partnership_id"]),
        kind=data["kind"],
        starts_at=datetime.fromisoformat(data["starts_at"]),
        organiser_timezone=zone,
        place=data.get("place"),
        agenda=data.get("agenda"),
        reminder_offsets=list(data.get("offsets") or []),
        version=1,
    )


def summary(
    _: Translator, data: dict[str, Any], zone: str, counts: MemberCounts
) -> tuple[str, InlineKeyboardMarkup]:
    """The draft read back before anyone is invited, with who will take part."""
    meeting = draft(data, zone)
    lines = [
        _("Please check the meeting:"),
        title(meeting, data["partnership"], _),
        *details(meeting, zone, _),
        _(
            "Invitations: {partner} on the partner side, {ngo} on the NGO side.",
            partner=counts.partner_side,
            ngo=counts.ngo_side,
        )
        if counts.organiser_side is None
        else _(
            "Taking part: {partner} on the partner side, {ngo} on the NGO side, you included: "
            "as the organiser you get no invitation and are counted as attending.",
            partner=counts.partner_side,
            ngo=counts.ngo_side,
        ),
    ]
    if counts.unreachable:
        lines.append(
            _.ngettext(
                "{n} member stopped reminders or blocked the bot and will not be invited.",
                "{n} members stopped reminders or blocked the bot and will not be invited.",
                counts.unreachable,
            )
        )
    offsets = data.get("offsets") or []
    lines.append(
        _(
            "Reminders: {offsets} before, never during each person's quiet hours.",
            offsets=format_offsets(offsets, _),
        )
        if offsets
        else _("Reminders: none.")
    )
    keyboard = column(
        [
            button(_("Schedule and invite"), callbacks.data("mtg", "go")),
            button(_("Change reminders"), callbacks.data("mtg", "rem")),
            button(_("Cancel"), callbacks.data("mtg", "x")),
        ]
    )
    return "\n".join(lines), keyboard


def empty_sides(
    _: Translator, partnership: str, sides: list[str]
) -> tuple[str, InlineKeyboardMarkup]:
    """Before any invitation goes: a side of the partnership nobody will take part from."""
    lines = [
        _(
            "Nobody on the NGO side of {partnership} will take part: that side has no member the bot can reach.",
            partnership=partnership,
        )
        if side == "ngo"
        else _(
            "Nobody on the partner side of {partnership} will get the invitation: that side has no member the bot can reach.",
            partnership=partnership,
        )
        for side in sides
    ]
    keyboard = column(
        [
            button(_("Send the invitations anyway"), callbacks.data("mtg", "gy")),
            button(_("Cancel"), callbacks.data("mtg", "x")),
        ]
    )
    text = _.paragraphs(
        "\n".join(lines),
        _("You can cancel and add people with /partnership first, or send the invitations anyway."),
    )
    return text, keyboard
