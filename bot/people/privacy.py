"""/privacy: how a partner's answers may be shown to funders, and its buttons
(``set:attr:yes|no``)."""

from __future__ import annotations

from telegram import Update

from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
from bot.i18n import translator
from bot.people import service
from bot.people.joined import not_joined, partner_only
from bot.people.view import attribution_keyboard


async def privacy_command(update: Update, context: BotContext) -> None:
    person = await context.who()
    if not partner_only(person) or person.contact is None:
        await not_joined(update, context, person)
        return
    _ = translator(person.lang)
    named = person.contact.attribution == "attributed"
    now_text = (
        _("Now: the NGO may name your organisation next to your answers in reports to funders.")
        if named
        else _("Now: your answers are only used in totals together with other partners.")
    )
    await context.reply(
        _.paragraphs(now_text, _("What would you like?")), keyboard=attribution_keyboard(_, "set")
    )


async def chose(update: Update, context: BotContext, person: Person, value: str) -> None:
    if value not in ("yes", "no"):
        await common.expired_button(update, context, person.lang)
        return
    attribution = "attributed" if value == "yes" else "aggregate"
    await service.save_settings(
        context.svc, person.user_id, then=service.KEEP, attribution=attribution
    )
    _ = translator(person.lang)
    shown = _("Yes, you may name us") if value == "yes" else _("No, only in totals")
    await common.close_keyboard(update.callback_query, shown, person.lang)
    await context.reply(_("Saved. You can change this again with /privacy."))
