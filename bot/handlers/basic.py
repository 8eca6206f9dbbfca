"""Replies to what the bot does not understand, and /cancel for any multi-step chat."""

from __future__ import annotations

from telegram import Update

from bot.access import unknown_command_text
from bot.context import BotContext
from bot.i18n import translator
from bot.replies import send_text
from storage import flows


async def unknown_command(update: Update, context: BotContext) -> None:
    lang = await context.svc.language_for(update.effective_user)
    await send_text(context, update.effective_chat.id, unknown_command_text(lang), lang)


async def not_understood(update: Update, context: BotContext) -> None:
    lang = await context.svc.language_for(update.effective_user)
    _ = translator(lang)
    await send_text(
        context,
        update.effective_chat.id,
        _("Sorry, I didn't understand that. Send /help to see what I can do."),
        lang,
    )


async def cancel_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    person = await context.who()
    _ = translator(person.lang)
    for hook in svc.registry.cancel_hooks:  # a feature's own "leave what you are doing"
        if await hook(update, context, person):
            return
    async with svc.db.transaction() as session:
        flow = await flows.get(session, person.user_id)
        if flow is not None:
            await flows.clear(session, person.user_id)
    if flow is None:
        text = _("There is nothing to cancel. Send /help to see what I can do.")
    elif flow.flow == "onboarding" and flow.step in ("language", "consent"):
        text = _(
            "Cancelled. I have not stored anything about you. Open the invitation link again when you are ready."
        )
    else:
        text = _("Cancelled. Send /help to see what I can do.")
    await context.reply(text)
