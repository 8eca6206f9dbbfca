"""/quiet, its buttons (``set:quiet:HH:MM-HH:MM|other``) and typed hours; the quiet hours
question itself, which joining asks too (with its ``ob`` buttons)."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update

from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.wizard import put_step
from bot.i18n import translator
from bot.people import service
from bot.people.joined import not_joined, partner_only
from bot.people.view import quiet_not_read, quiet_question, typed_quiet_question
from bot.quiet import PRESETS, parse_range
from bot.replies import send_text

Hours = tuple[str, str]


def quiet_from_button(value: str) -> Hours | None:
    hours = parse_range(value)
    return hours if hours in PRESETS else None


async def ask_quiet(
    context: BotContext, chat_id: int, lang: str, start: str, end: str, area: str
) -> None:
    text, keyboard = quiet_question(lang, start, end, area)
    await send_text(context, chat_id, text, lang, keyboard=keyboard)


async def ask_typed_quiet(context: BotContext, chat_id: int, lang: str) -> None:
    await send_text(context, chat_id, typed_quiet_question(lang), lang)


async def match_typed_quiet(
    context: BotContext, chat_id: int, lang: str, text: str
) -> Hours | None:
    hours = parse_range(text)
    if hours is None:
        await send_text(context, chat_id, quiet_not_read(lang), lang)
    return hours


async def pressed(
    update: Update,
    context: BotContext,
    lang: str,
    value: str,
    other: service.Step,
    read: Callable[[str], Hours | None],
) -> Hours | None:
    """A press on a quiet hours button: the hours (``read`` from it), its keyboard closed to
    show them; or None once "Choose other hours" (on to the step ``other``) or a stale press is
    answered."""
    _ = translator(lang)
    query = update.callback_query
    if value == "other":
        await common.close_keyboard(query, _("Choose other hours"), lang)
        await put_step(context.svc, update.effective_user.id, *other)
        await ask_typed_quiet(context, update.effective_chat.id, lang)
        return None
    hours = read(value)
    if hours is None:
        await common.expired_button(update, context, lang)
        return None
    await common.close_keyboard(
        query, _("Quiet hours: {start}–{end}", start=hours[0], end=hours[1]), lang
    )
    return hours


async def quiet_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    person = await context.who()
    if not partner_only(person) or person.contact is None:
        await not_joined(update, context, person)
        return
    await put_step(svc, person.user_id, service.SETTINGS, "quiet", {})
    await ask_quiet(
        context,
        update.effective_chat.id,
        person.lang,
        person.contact.quiet_start,
        person.contact.quiet_end,
        "set",
    )


async def chose(update: Update, context: BotContext, person: Person, value: str) -> None:
    other = (service.SETTINGS, "quiet_typed", {})
    hours = await pressed(update, context, person.lang, value, other, parse_range)
    if hours is not None:
        await save(context, person, hours, update.effective_chat.id)


async def save(context: BotContext, person: Person, hours: Hours, chat_id: int) -> None:
    _ = translator(person.lang)
    await service.save_settings(context.svc, person.user_id, then=None, quiet=hours)
    await send_text(
        context,
        chat_id,
        _(
            "Saved. I will not message you between {start} and {end} your time.",
            start=hours[0],
            end=hours[1],
        ),
        person.lang,
    )
