"""/stop and /resume: reminders and surveys paused, and back."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.i18n import translator
from bot.people import service
from bot.people.joined import not_joined, partner_only


async def stop_command(update: Update, context: BotContext) -> None:
    await _set_stopped(update, context, stopped=True)


async def resume_command(update: Update, context: BotContext) -> None:
    await _set_stopped(update, context, stopped=False)


async def _set_stopped(update: Update, context: BotContext, *, stopped: bool) -> None:
    person = await context.who()
    if not partner_only(person) or person.contact is None:
        await not_joined(update, context, person)
        return
    _ = translator(person.lang)
    await service.set_stopped(context.svc, person.user_id, stopped)
    text = (
        _(
            "Done: I will not send you reminders or surveys. Send /resume whenever you want them again."
        )
        if stopped
        else _(
            "Welcome back: reminders and surveys will reach you again. Send /stop to pause them."
        )
    )
    await context.reply(text)
