"""/stop and /resume: reminders and surveys paused, and back."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.access import person_of
from bot.i18n import translator
from bot.people import service
from bot.people.joined import not_joined, partner_only
from bot.replies import send_text
from bot.services import services


async def stop_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_stopped(update, context, stopped=True)


async def resume_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_stopped(update, context, stopped=False)


async def _set_stopped(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, stopped: bool
) -> None:
    person = await person_of(update, context)
    if not partner_only(person) or person.contact is None:
        await not_joined(update, context, person)
        return
    _ = translator(person.lang)
    await service.set_stopped(services(context), person.user_id, stopped)
    text = (
        _(
            "Done: I will not send you reminders or surveys. Send /resume whenever you want them again."
        )
        if stopped
        else _(
            "Welcome back: reminders and surveys will reach you again. Send /stop to pause them."
        )
    )
    await send_text(context, update.effective_chat.id, text, person.lang)
