"""The steps of joining after /start: the ``ob`` buttons (``ob:lang:xx``,
``ob:consent:yes|no``, ``ob:tz:Zone|other``, ``ob:quiet:keep|HH:MM-HH:MM|other``,
``ob:attr:yes|no``) and what is typed while joining (a language, a city, quiet hours)."""

from __future__ import annotations

from telegram import Update

from bot import callbacks, timezones
from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.wizard import put_step, step_of
from bot.i18n import NATIVE_NAMES, normalise_language, translator
from bot.language_names import match_language
from bot.menus import publish_chat_menu
from bot.people import quiet_hours, service
from bot.people import timezone as zones
from bot.people.joining import FLOW, ask_consent
from bot.people.joining_view import (
    attribution_question,
    declined_text,
    problem_text,
    still_declined_text,
    welcome_text,
)
from bot.people.view import buttons_expected_text, help_keyboard, language_keyboard
from bot.replies import send_text
from storage.models import ChatFlow

#: button action -> the step it answers
EXPECTED = {
    "lang": "language",
    "consent": "consent",
    "tz": "timezone",
    "quiet": "quiet",
    "attr": "attribution",
}


async def on_button(update: Update, context: BotContext) -> None:
    """Every joining button: ``ob:ACTION:VALUE``, answered only in the step it belongs to."""
    query = update.callback_query
    person = await context.who()
    pieces = callbacks.parts(query.data, "ob", minimum=3)
    flow = await step_of(context.svc, update.effective_user.id, FLOW)
    if pieces is None or flow is None:
        await common.expired_button(update, context, person.lang)
        return
    action, value = pieces[1], ":".join(pieces[2:])
    step = "timezone" if flow.step == "timezone_typed" else flow.step  # suggestions are tz buttons
    if EXPECTED.get(action) != step:
        await common.expired_button(update, context, flow.data.get("language", person.lang))
        return
    lang = flow.data.get("language", "en")
    if action == "lang":
        await _chose_language(update, context, flow, value)
    elif action == "consent":
        await _consent(update, context, flow, value == "yes")
    elif action == "tz":
        zone = await zones.pressed(
            update, context, lang, value, (FLOW, "timezone_typed", flow.data)
        )
        if zone is not None:
            await _save_zone_then_quiet(update, context, flow, zone)
    elif action == "quiet":
        other = (FLOW, "quiet_typed", flow.data)
        hours = await quiet_hours.pressed(
            update, context, lang, value, other, quiet_hours.quiet_from_button
        )
        if hours is not None:
            await _save_quiet_then_attribution(update, context, flow, hours)
    elif action == "attr":
        await _chose_attribution(update, context, flow, value == "yes")


async def _chose_language(update: Update, context: BotContext, flow: ChatFlow, code: str) -> None:
    svc = context.svc
    if code not in NATIVE_NAMES:
        await common.expired_button(update, context, await svc.language_for(update.effective_user))
        return
    _ = translator(code)
    if update.callback_query is not None:
        await common.close_keyboard(
            update.callback_query, _("Language: {name}", name=NATIVE_NAMES[code]), code
        )
    else:  # typed: say what was understood, as the button would have
        await send_text(
            context,
            update.effective_chat.id,
            _("Language: {name}", name=NATIVE_NAMES[code]),
            code,
        )
    data = {**flow.data, "language": code}
    await put_step(svc, flow.telegram_user_id, FLOW, "consent", data)
    await ask_consent(context, update.effective_chat.id, code)


async def _consent(update: Update, context: BotContext, flow: ChatFlow, agreed: bool) -> None:
    svc = context.svc
    lang = flow.data.get("language", "en")
    _ = translator(lang)
    chat_id = update.effective_chat.id
    user = update.effective_user
    if not agreed:
        await common.close_keyboard(update.callback_query, _("Not now"), lang)
        # Only the step and the language chosen, so replies and /start stay in it; the step
        # expires like any other.
        await put_step(svc, user.id, FLOW, "declined", flow.data)
        await send_text(context, chat_id, declined_text(lang), lang)
        return
    await common.close_keyboard(update.callback_query, _("I agree"), lang)
    problem, country = await service.join_as_partner(svc, flow, user.full_name, lang)
    if problem is not None:
        await send_text(context, chat_id, problem_text(problem, lang), lang)
        return
    await zones.ask_timezone(context, chat_id, lang, flow.data.get("country") or country, "ob")


async def _save_zone_then_quiet(
    update: Update, context: BotContext, flow: ChatFlow, zone: str
) -> None:
    lang = flow.data.get("language", "en")
    then = (FLOW, "quiet", flow.data)
    await service.save_settings(context.svc, flow.telegram_user_id, then=then, timezone=zone)
    await quiet_hours.ask_quiet(context, update.effective_chat.id, lang, "21:00", "08:00", "ob")


async def on_text(update: Update, context: BotContext, person: Person, flow: ChatFlow) -> None:
    """Typed answers during onboarding: a city or zone name, or quiet hours."""
    svc = context.svc
    lang = flow.data.get("language", person.lang)
    _ = translator(lang)
    text = update.effective_message.text or ""
    chat_id = update.effective_chat.id
    if flow.step in ("timezone", "timezone_typed"):  # a typed city works with or without "Other"
        zone = await zones.match_typed_zone(context, chat_id, lang, text, "ob")
        if zone is not None:
            await send_text(
                context,
                chat_id,
                _("Time zone: {zone}", zone=timezones.label(zone, lang, svc.clock.now())),
                lang,
            )
            await _save_zone_then_quiet(update, context, flow, zone)
        return
    if flow.step == "quiet_typed":
        hours = await quiet_hours.match_typed_quiet(context, chat_id, lang, text)
        if hours is not None:
            await _save_quiet_then_attribution(update, context, flow, hours)
        return
    if flow.step == "language":
        code = match_language(text)
        if code is not None:
            await _chose_language(update, context, flow, code)
            return
        phone = update.effective_user.language_code
        _ = translator(normalise_language(phone))
        await send_text(
            context,
            chat_id,
            _("Sorry, I don't know that language. Please choose one of these, or type its name."),
            _.lang,
            keyboard=language_keyboard("ob", phone),
        )
        return
    if flow.step == "declined":
        await send_text(context, chat_id, still_declined_text(lang), lang)
        return
    await send_text(context, chat_id, buttons_expected_text(lang), lang)


async def _save_quiet_then_attribution(
    update: Update, context: BotContext, flow: ChatFlow, hours: tuple[str, str]
) -> None:
    lang = flow.data.get("language", "en")
    then = (FLOW, "attribution", flow.data)
    await service.save_settings(context.svc, flow.telegram_user_id, then=then, quiet=hours)
    text, keyboard = attribution_question(lang)
    await send_text(context, update.effective_chat.id, text, lang, keyboard=keyboard)


async def _chose_attribution(
    update: Update, context: BotContext, flow: ChatFlow, named: bool
) -> None:
    lang = flow.data.get("language", "en")
    _ = translator(lang)
    shown = _("Yes, you may name us") if named else _("No, only in totals")
    await common.close_keyboard(update.callback_query, shown, lang)
    attribution = "attributed" if named else "aggregate"
    await service.save_settings(
        context.svc, flow.telegram_user_id, then=None, attribution=attribution
    )
    person = await context.who()
    await publish_chat_menu(context.bot, person.user_id, "partner", lang)
    text = welcome_text(person, lang, update.effective_user.first_name)
    await send_text(context, update.effective_chat.id, text, lang, keyboard=help_keyboard(person))
