"""/mydata: a copy of everything stored about a person; /forget and its buttons
(``set:forget:yes|no``)."""

from __future__ import annotations

import io

from telegram import InputFile, Update

from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
from bot.i18n import bidi, translator
from bot.menus import publish_chat_menu
from bot.people import service
from bot.people.data_view import (
    after_forgetting_text,
    forget_question,
    forgotten_text,
    my_data_lines,
    shown_zone,
)


async def mydata_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    person = await context.who()
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    if person.contact is None or person.contact.telegram_user_id is None:
        text = _.paragraphs(
            _("I have no personal data about you."),
            after_forgetting_text(_, svc.settings.privacy_threshold),
        )
        await context.reply(text)
        return
    contact = person.contact
    org, sections = await service.my_data(svc, contact, person.lang)
    zone = shown_zone(contact.timezone, person.lang, svc.clock.now())
    lines = my_data_lines(contact, org, person.lang, zone, sections)
    # A text file has no Telegram to set its direction: each Arabic line starts right to left.
    body = bidi("\n".join(lines), person.lang).encode("utf-8")
    document = InputFile(io.BytesIO(body), filename="my-data.txt")
    await context.bot.send_document(
        chat_id, document, caption=_("Here is a copy of everything I store about you.")
    )


async def forget_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    person = await context.who()
    _ = translator(person.lang)
    if person.contact is None or person.contact.telegram_user_id is None:
        await context.reply(_("I have no personal data about you."))
        return
    kept = await service.what_forgetting_keeps(svc, person.contact.id)
    text, keyboard = forget_question(person.lang, kept, svc.settings.privacy_threshold)
    await context.reply(text, keyboard=keyboard)


async def chose_forget(update: Update, context: BotContext, person: Person, value: str) -> None:
    svc = context.svc
    _ = translator(person.lang)
    query = update.callback_query
    if value not in ("yes", "no"):
        await common.expired_button(update, context, person.lang)
        return
    if value == "no":
        await common.close_keyboard(query, _("No, keep it"), person.lang)
        await context.reply(_("Nothing was deleted."))
        return
    await common.close_keyboard(query, _("Yes, delete my data"), person.lang)
    kept = await service.forget(svc, person.user_id)
    await publish_chat_menu(context.bot, person.user_id, "stranger", person.lang)
    text = forgotten_text(person.lang, kept, svc.settings.privacy_threshold)
    await context.reply(text)
