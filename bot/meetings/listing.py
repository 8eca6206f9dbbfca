"""/meetings: staff see every coming meeting with its answers; partners their own coming
meetings, each with its RSVP buttons."""

from __future__ import annotations

from telegram import Update

from bot.access import Person, log_staff_action, refuse
from bot.context import BotContext
from bot.handlers import common
from bot.i18n import translator
from bot.meetings import service, view
from bot.meetings.chat import staff_zone

PARTNER_MEETINGS_SHOWN = 5


async def meetings_command(update: Update, context: BotContext) -> None:
    """Staff: every coming meeting with its answers. Partners: their own coming meetings, with
    their answer and the buttons to change it. Anyone else: the unknown-command reply."""
    person = await context.who()
    if person.is_staff:
        await _staff_meetings(update, context, person)
    elif person.is_partner:
        await _partner_meetings(update, context, person)
    else:
        await refuse(update, context, person)


async def _partner_meetings(update: Update, context: BotContext, person: Person) -> None:
    """One message per meeting (at most five), each with its own RSVP buttons."""
    svc = context.svc
    _ = translator(person.lang)
    contact = person.contact
    assert contact is not None
    rows, total = await service.upcoming_of(svc, contact.id, limit=PARTNER_MEETINGS_SHOWN)
    if not rows:
        await context.reply(
            _(
                "You have no meeting coming up. When you are invited to one, the invitation will come here."
            )
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
        await context.reply(text, keyboard=view.rsvp_keyboard(meeting, answer, _))


async def _staff_meetings(update: Update, context: BotContext, person: Person) -> None:
    svc = context.svc
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
