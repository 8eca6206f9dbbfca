"""/meetings: staff see every coming meeting with its answers; partners their own coming
meetings, each with its RSVP buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.access import Person, log_staff_action, person_of, refuse
from bot.handlers import common
from bot.i18n import translator
from bot.meetings import service, view
from bot.meetings.chat import staff_zone
from bot.replies import send_text
from bot.services import services

PARTNER_MEETINGS_SHOWN = 5


async def meetings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Staff: every coming meeting with its answers. Partners: their own coming meetings, with
    their answer and the buttons to change it. Anyone else: the unknown-command reply."""
    person = await person_of(update, context)
    if person.is_staff:
        await _staff_meetings(update, context, person)
    elif person.is_partner:
        await _partner_meetings(update, context, person)
    else:
        await refuse(update, context, person)


async def _partner_meetings(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """One message per meeting (at most five), each with its own RSVP buttons."""
    svc = services(context)
    _ = translator(person.lang)
    contact = person.contact
    assert contact is not None
    chat_id = update.effective_chat.id
    rows, total = await service.upcoming_of(svc, contact.id, limit=PARTNER_MEETINGS_SHOWN)
    if not rows:
        await send_text(
            context,
            chat_id,
            _(
                "You have no meeting coming up. When you are invited to one, the invitation will come here."
            ),
            person.lang,
        )
        return
    for number, (meeting, partnership, answer) in enumerate(rows, start=1):
        text = view.partner_meeting(
            _,
            meeting,
            partnership,
            answer,
            contact.timezone,
            first_of=total if number == 1 else None,
            more_later=total - len(rows) if number == len(rows) else 0,
        )
        await send_text(
            context,
            chat_id,
            text,
            person.lang,
            keyboard=view.rsvp_keyboard(meeting, answer, _),
        )


async def _staff_meetings(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    zone = staff_zone(svc, person)
    rows = await service.upcoming(svc, limit=10)
    await log_staff_action(svc, person, "meeting.list")
    await common.send_listing(
        context,
        update.effective_chat.id,
        person.lang,
        rows,
        _("No meeting is coming up. Schedule one with /meeting."),
        lambda shown: view.staff_list(_, shown, zone),
    )
