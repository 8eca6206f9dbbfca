"""Small things most handlers do: answer a button press, close its keyboard, say "expired"."""

from __future__ import annotations

from babel.numbers import format_decimal
from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.i18n import bidi, translator
from conversations.validation import FREE_TEXT_LIMIT


async def close_keyboard(query: CallbackQuery, shown: str, lang: str) -> None:
    """Edit the pressed message to show what was chosen, without buttons (no double presses)."""
    await query.answer()
    try:
        await query.edit_message_text(bidi(shown, lang))
    except BadRequest as err:  # "message is not modified" after a double tap is harmless
        if "not modified" not in str(err):
            raise


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> None:
    """A press on an old keyboard, or forged data: a short notice, nothing changes."""
    _ = translator(lang)
    query = update.callback_query
    if query is not None:
        await query.answer(_("This button is no longer active. Send /help to see what you can do."))


def too_long(lang: str) -> str:
    """The refusal for free text over the one limit: refused whole, never cut without a word."""
    _ = translator(lang)
    return _(
        "That is too long: please keep it under {max} characters.",
        max=format_decimal(FREE_TEXT_LIMIT, locale=_.locale),
    )
