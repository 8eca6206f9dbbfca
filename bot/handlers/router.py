"""Where a typed message goes: the step the person is on (onboarding, a wizard, a survey),
else a polite "I didn't understand"."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import Update

from bot.access import Person
from bot.context import BotContext
from bot.handlers import basic
from bot.i18n import translator
from conversations.validation import FREE_TEXT_LIMIT, SPLIT_WINDOW_SECONDS
from storage import flows
from storage.models import ChatFlow

FlowHandler = Callable[[Update, BotContext, Person, ChatFlow], Awaitable[None]]
Fallback = Callable[[Update, BotContext, Person], Awaitable[bool]]

REFUSED_LONG = "router.refused_long"  # Services.extras: chat id -> when a too-long text came


async def _rest_of_a_refused_text(update: Update, context: BotContext) -> bool:
    """Telegram sends a text over 4,096 characters as several messages at once. Every
    free-text prompt refuses the first part as too long; the next part must not then be taken
    as the whole comment, question or note. True (after saying so) for such a second part."""
    svc = context.svc
    chat_id = update.effective_chat.id
    text = update.effective_message.text or ""
    refused: dict[int, datetime] = svc.extras.setdefault(REFUSED_LONG, {})
    now = svc.clock.now()
    if len(text) > FREE_TEXT_LIMIT:
        refused[chat_id] = now  # the prompt's handler refuses it and says the limit
        return False
    since = refused.pop(chat_id, None)
    if since is None or (now - since).total_seconds() > SPLIT_WINDOW_SECONDS:
        return False
    person = await context.who()
    _ = translator(person.lang)
    await context.reply(
        _(
            "This was the rest of the long text, so I did not keep it either. "
            "Please send a shorter text in one message."
        )
    )
    return True


async def on_message(update: Update, context: BotContext) -> None:
    svc = context.svc
    person = await context.who()
    async with svc.db.sessions() as session:
        flow = await flows.get(session, person.user_id)
    message = update.effective_message
    features = svc.registry
    if flow is not None:
        if message.forward_origin is not None and flow.flow in features.forwards:
            await features.forwards[flow.flow](update, context, person, flow)
            return
        if message.document is not None and flow.flow in features.documents:
            await features.documents[flow.flow](update, context, person, flow)
            return
        if message.text and flow.flow in features.flows:
            if flow.flow not in features.joins_parts and await _rest_of_a_refused_text(
                update, context
            ):
                return
            await features.flows[flow.flow](update, context, person, flow)
            return
    if not await try_fallbacks(update, context, person):
        await basic.not_understood(update, context)


async def try_fallbacks(update: Update, context: BotContext, person: Person) -> bool:
    """Offer a message no step was waiting for to each feature in turn (an open survey, a
    confidential voice report); True once one took it."""
    for fallback in context.svc.registry.fallbacks:
        if await fallback(update, context, person):
            return True
    return False
