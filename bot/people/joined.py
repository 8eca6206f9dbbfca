"""The guard every one of a person's own settings shares: only someone who has joined has
settings."""

from __future__ import annotations

from telegram import Update

from bot.access import Person
from bot.context import BotContext
from bot.people.view import not_joined_text


def partner_only(person: Person) -> bool:
    return person.role != "stranger"


async def not_joined(update: Update, context: BotContext, person: Person) -> None:
    await context.reply(not_joined_text(person.lang))
