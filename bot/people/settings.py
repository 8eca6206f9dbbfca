"""Where a press on a settings button (``set:…``) and text typed in a settings step go: to the
module of that setting."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
from bot.people import language, mydata, privacy, quiet_hours, service, timezone
from bot.people.view import buttons_expected_text
from storage.models import ChatFlow

FLOW = service.SETTINGS

CHOICES = {
    "lang": language.chose,
    "tz": timezone.chose,
    "quiet": quiet_hours.chose,
    "attr": privacy.chose,
    "forget": mydata.chose_forget,
}


async def on_button(update: Update, context: BotContext) -> None:
    """``set:lang:xx``, ``set:tz:Zone|other``, ``set:quiet:…``, ``set:attr:yes|no``,
    ``set:forget:yes|no``."""
    person = await context.who()
    pieces = callbacks.parts(update.callback_query.data, "set", minimum=3)
    if pieces is None or person.contact is None or person.role == "stranger":
        await common.expired_button(update, context, person.lang)
        return
    chose = CHOICES.get(pieces[1])
    if chose is None:
        await common.expired_button(update, context, person.lang)
        return
    await chose(update, context, person, ":".join(pieces[2:]))


async def on_text(update: Update, context: BotContext, person: Person, flow: ChatFlow) -> None:
    text = update.effective_message.text or ""
    chat_id = update.effective_chat.id
    if flow.step in ("timezone", "timezone_typed"):  # a city typed instead of a button
        zone = await timezone.match_typed_zone(context, chat_id, person.lang, text, "set")
        if zone is not None:
            await timezone.save(context, person, zone, chat_id)
        return
    if flow.step == "quiet_typed":
        hours = await quiet_hours.match_typed_quiet(context, chat_id, person.lang, text)
        if hours is not None:
            await quiet_hours.save(context, person, hours, chat_id)
        return
    await context.reply(buttons_expected_text(person.lang))
