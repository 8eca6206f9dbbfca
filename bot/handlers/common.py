"""Small things most handlers do: answer a button press, close its keyboard, say "expired",
refuse over-long text, show a list or say there is none."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from babel.numbers import format_decimal
from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.context import BotContext
from bot.i18n import bidi, translator
from bot.replies import send_text
from conversations.validation import FREE_TEXT_LIMIT

Row = TypeVar("Row")
#: a list as it is shown: its text and its buttons (if any)
Listed = tuple[str, InlineKeyboardMarkup | None]


async def close_keyboard(query: CallbackQuery, shown: str, lang: str) -> None:
    """Edit the pressed message to show what was chosen, without buttons (no double presses)."""
    await query.answer()
    try:
        await query.edit_message_text(bidi(shown, lang))
    except BadRequest as err:  # "message is not modified" after a double tap is harmless
        if "not modified" not in str(err):
            raise


async def expired_button(update: Update, context: BotContext, lang: str) -> None:
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


def free_text_refusal(text: str, lang: str, missing: str | None = None) -> str | None:
    """Why typed free text is refused, or None when it is fine: ``missing`` when nothing was
    typed (given only where an empty text is not an answer), else the one refusal over the one
    limit, so every prompt refuses the same way."""
    if not text and missing is not None:
        return missing
    if len(text) > FREE_TEXT_LIMIT:
        return too_long(lang)
    return None


async def send_listing(
    context: BotContext,
    chat_id: int,
    lang: str,
    rows: Sequence[Row],
    empty: str,
    render: Callable[[Sequence[Row]], Listed],
) -> None:
    """A list someone asked for (/campaigns, /meetings, /invites…): ``empty``, which says how to
    make the first one, when there are no rows; else the rows as ``render`` writes them."""
    if not rows:
        await send_text(context, chat_id, empty, lang)
        return
    text, keyboard = render(rows)
    await send_text(context, chat_id, text, lang, keyboard=keyboard)
