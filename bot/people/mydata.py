"""/mydata: a copy of everything stored about a person; /forget and its buttons
(``set:forget:yes|no``)."""

from __future__ import annotations

import io

from telegram import InputFile, Update
from telegram.ext import ContextTypes

from bot.access import Person, person_of
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
from bot.replies import send_text
from bot.services import services


async def mydata_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    if person.contact is None or person.contact.telegram_user_id is None:
        text = _.paragraphs(
            _("I have no personal data about you."),
            after_forgetting_text(_, svc.settings.privacy_threshold),
        )
        await send_text(context, chat_id, text, person.lang)
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


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
    _ = translator(person.lang)
    if person.contact is None or person.contact.telegram_user_id is None:
        await send_text(
            context, update.effective_chat.id, _("I have no personal data about you."), person.lang
        )
        return
    kept = await service.what_forgetting_keeps(svc, person.contact.id)
    text, keyboard = forget_question(person.lang, kept, svc.settings.privacy_threshold)
    await send_text(context, update.effective_chat.id, text, person.lang, keyboard=keyboard)


async def chose_forget(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, value: str
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    query = update.callback_query
    chat_id = update.effective_chat.id
    if value not in ("yes", "no"):
        await common.expired_button(update, context, person.lang)
        return
    if value == "no":
        await common.close_keyboard(query, _("No, keep it"), person.lang)
        await send_text(context, chat_id, _("Nothing was deleted."), person.lang)
        return
    await common.close_keyboard(query, _("Yes, delete my data"), person.lang)
    kept = await service.forget(svc, person.user_id)
    await publish_chat_menu(context.bot, person.user_id, "stranger", person.lang)
    text = forgotten_text(person.lang, kept, svc.settings.privacy_threshold)
    await send_text(context, chat_id, text, person.lang)
