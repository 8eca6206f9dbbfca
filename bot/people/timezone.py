"""/timezone, its buttons (``set:tz:Zone|other``) and a typed city; the time zone question
itself, which joining asks too (with its ``ob`` buttons)."""

from __future__ import annotations

from telegram import Update

from bot import timezones
from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.wizard import put_step
from bot.i18n import translator
from bot.people import service
from bot.people.joined import not_joined, partner_only
from bot.people.view import typed_zone_question, zone_not_found, zone_question
from bot.replies import send_text


async def ask_timezone(
    context: BotContext, chat_id: int, lang: str, country: str | None, area: str
) -> None:
    svc = context.svc
    zones = timezones.zones_for_country(country) or [svc.settings.default_timezone]
    text, keyboard = zone_question(lang, country, zones, svc.clock.now(), area)
    await send_text(context, chat_id, text, lang, keyboard=keyboard)


async def ask_typed_zone(context: BotContext, chat_id: int, lang: str) -> None:
    await send_text(context, chat_id, typed_zone_question(lang), lang)


async def match_typed_zone(
    context: BotContext, chat_id: int, lang: str, text: str, area: str
) -> str | None:
    """The zone for typed text, or None after offering suggestions / asking again."""
    found = timezones.resolve(text)
    if found.zone is not None:
        return found.zone
    reply, keyboard = zone_not_found(lang, text, found, context.svc.clock.now(), area)
    await send_text(context, chat_id, reply, lang, keyboard=keyboard)
    return None


async def pressed(
    update: Update, context: BotContext, lang: str, value: str, other: service.Step
) -> str | None:
    """A press on a time zone button: the zone, its keyboard closed to show it; or None once
    "Other" (on to the step ``other``, asking for a city) or a stale press is answered."""
    svc = context.svc
    _ = translator(lang)
    query = update.callback_query
    if value == "other":
        await common.close_keyboard(query, _("Time zone: another one"), lang)
        await put_step(svc, update.effective_user.id, *other)
        await ask_typed_zone(context, update.effective_chat.id, lang)
        return None
    if not timezones.is_zone(value):
        await common.expired_button(update, context, lang)
        return None
    await common.close_keyboard(
        query, _("Time zone: {zone}", zone=timezones.label(value, lang, svc.clock.now())), lang
    )
    return value


async def timezone_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    person = await context.who()
    if not partner_only(person):
        await not_joined(update, context, person)
        return
    _ = translator(person.lang)
    country = await service.start_zone_setting(svc, person.user_id, person.contact)
    current = (
        timezones.label(person.contact.timezone, person.lang, svc.clock.now())
        if person.contact
        else ""
    )
    await context.reply(_("Your time zone now: {zone}", zone=current))
    await ask_timezone(context, update.effective_chat.id, person.lang, country, "set")


async def chose(update: Update, context: BotContext, person: Person, value: str) -> None:
    other = (service.SETTINGS, "timezone_typed", {})
    zone = await pressed(update, context, person.lang, value, other)
    if zone is not None:
        await save(context, person, zone, update.effective_chat.id)


async def save(context: BotContext, person: Person, zone: str, chat_id: int) -> None:
    svc = context.svc
    _ = translator(person.lang)
    await service.save_settings(svc, person.user_id, then=None, timezone=zone)
    await send_text(
        context,
        chat_id,
        _(
            "Saved. Your time zone is now {zone}.",
            zone=timezones.label(zone, person.lang, svc.clock.now()),
        ),
        person.lang,
    )
