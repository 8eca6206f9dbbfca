"""The first words: /start without onboarding, /help, and replies to what we don't understand."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import translator
from bot.replies import send_text
from bot.services import services


async def _language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    return await services(context).language_for(update.effective_user)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = await _language(update, context)
    _ = translator(lang)
    text = _.paragraphs(
        _("I help our partners tell us how the partnership is going."),
        _("You can use these commands:"),
        "\n".join(
            [
                _("/help - what I can do"),
                _("/start - begin, or open an invitation link"),
            ]
        ),
    )
    await send_text(context, update.effective_chat.id, text, lang)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = await _language(update, context)
    _ = translator(lang)
    await send_text(
        context,
        update.effective_chat.id,
        _("Sorry, I don't know that command. Send /help to see what I can do."),
        lang,
    )


async def not_understood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = await _language(update, context)
    _ = translator(lang)
    await send_text(
        context,
        update.effective_chat.id,
        _("Sorry, I didn't understand that. Send /help to see what I can do."),
        lang,
    )
