"""/help: what the bot can do for this person, with a button for each of their own settings
(``help:…``)."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.handlers import common
from bot.i18n import translator
from bot.people import language, mydata, pause, privacy, quiet_hours, timezone
from bot.people.view import help_keyboard, help_text

ACTIONS = {
    "language": language.language_command,
    "timezone": timezone.timezone_command,
    "quiet": quiet_hours.quiet_command,
    "privacy": privacy.privacy_command,
    "mydata": mydata.mydata_command,
    "forget": mydata.forget_command,
    "stop": pause.stop_command,
    "resume": pause.resume_command,
}


async def help_command(update: Update, context: BotContext) -> None:
    person = await context.who()
    _ = translator(person.lang)
    intro = _("I help our partners tell us how the partnership is going.")
    await context.reply(_.paragraphs(intro, help_text(person)), keyboard=help_keyboard(person))


async def on_help_button(update: Update, context: BotContext) -> None:
    person = await context.who()
    pieces = callbacks.parts(update.callback_query.data, "help")
    if pieces is None or pieces[1] not in ACTIONS or person.role == "stranger":
        await common.expired_button(update, context, person.lang)
        return
    await update.callback_query.answer()
    await ACTIONS[pieces[1]](update, context)
