"""The guard every one of a person's own settings shares: only someone who has joined has
settings."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.access import Person
from bot.people.view import not_joined_text
from bot.replies import send_text


def partner_only(person: Person) -> bool:
    return person.role != "stranger"


async def not_joined(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    await send_text(context, update.effective_chat.id, not_joined_text(person.lang), person.lang)
