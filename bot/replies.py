"""Sending text to a person: one place that applies right-to-left marks and keeps limits.

Handlers call ``send_text``; the request then goes through ``bot.sending.SendPath`` like every
other call.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.ext import ContextTypes

from bot.i18n import bidi

MAX_TEXT = 4096


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at paragraph, then line, then word boundaries so no part exceeds Telegram's limit.

    Telegram counts UTF-16 code units; we count the same way so emoji never tip a part over.
    """

    def size(s: str) -> int:
        return len(s.encode("utf-16-le")) // 2

    if size(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for separator in ("\n\n", "\n", " "):
        pieces = text.split(separator)
        if all(size(p) <= limit for p in pieces):
            for piece in pieces:
                candidate = f"{current}{separator}{piece}" if current else piece
                if size(candidate) <= limit:
                    current = candidate
                else:
                    parts.append(current)
                    current = piece
            if current:
                parts.append(current)
            return parts
    # One enormous word: cut it.
    chunk = []
    for char in text:
        chunk.append(char)
        if size("".join(chunk)) >= limit:
            parts.append("".join(chunk))
            chunk = []
    if chunk:
        parts.append("".join(chunk))
    return parts


async def send_text(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    text: str,
    lang: str,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    bulk: bool = False,
    **kwargs: Any,
) -> Message:
    """Send a message (split if too long; the keyboard goes on the last part)."""
    parts = split_text(bidi(text, lang))
    message: Message | None = None
    extra: dict[str, Any] = dict(kwargs)
    if bulk:
        extra["rate_limit_args"] = {"priority": "bulk"}
    for index, part in enumerate(parts):
        markup = keyboard if index == len(parts) - 1 else None
        message = await context.bot.send_message(chat_id, part, reply_markup=markup, **extra)
    assert message is not None
    return message


async def post(bot: Bot, endpoint: str, *, read_timeout: float | None = None, **params: Any) -> Any:
    """A Bot API call whose answer is taken raw: the result's dict, or True.

    python-telegram-bot turns every message it gets back from a send or an edit into a
    ``Message`` object; that was a third of an edit's CPU under ``partnerbot bench survey``.
    The survey's hot path reads at most the message id, so it calls through here. The call
    takes the same door as every python-telegram-bot method (``Bot._post``), so it still goes
    through the send path (``bot.sending``: pacing, retries, the ambiguous-send policy) and
    raises the same errors.
    """
    if read_timeout is None:
        return await bot._post(endpoint, params)
    return await bot._post(endpoint, params, read_timeout=read_timeout)


async def edit_text(bot: Bot, chat_id: int, message_id: int, text: str, **params: Any) -> None:
    """Rewrite a message's text (and keyboard, if given), not reading the answer."""
    await post(bot, "editMessageText", chat_id=chat_id, message_id=message_id, text=text, **params)
