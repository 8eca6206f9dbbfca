"""/language, and its buttons (``set:lang:xx``)."""

from __future__ import annotations

from telegram import Update

from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
from bot.i18n import NATIVE_NAMES, translator
from bot.keyboards import button, column
from bot.menus import publish_chat_menu
from bot.people import service
from bot.people.joined import not_joined, partner_only
from bot.people.view import language_keyboard
from bot.replies import send_text
from bot.surveys.view import button_data as survey_button


async def language_command(update: Update, context: BotContext) -> None:
    person = await context.who()
    if not partner_only(person):
        await not_joined(update, context, person)
        return
    _ = translator(person.lang)
    await context.reply(
        _("Which language would you like me to use?"),
        keyboard=language_keyboard("set", person.lang),
    )


async def chose(update: Update, context: BotContext, person: Person, value: str) -> None:
    if value not in NATIVE_NAMES:
        await common.expired_button(update, context, person.lang)
        return
    response_id = await service.change_language(context.svc, person.user_id, value)
    _ = translator(value)
    await common.close_keyboard(
        update.callback_query, _("Language: {name}", name=NATIVE_NAMES[value]), value
    )
    await publish_chat_menu(context.bot, person.user_id, person.role, value)
    text = _("From now on I will write to you in this language.")
    keyboard = None
    if response_id is not None:
        # Mid-survey: offer the question again in the new language (the survey's own
        # "go" button: it turns this message into the current question).
        text = _.paragraphs(
            text,
            _("You were answering a survey. Your answers so far are saved."),
        )
        keyboard = column([button(_("Continue the survey"), survey_button(response_id, "-", "go"))])
    await send_text(context, update.effective_chat.id, text, value, keyboard=keyboard)
