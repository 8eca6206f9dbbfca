"""Where a typed message goes: the step the person is on (onboarding, a wizard, a survey),
else a polite "I didn't understand"."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot.access import Person, person_of
from bot.handlers import basic
from bot.services import services
from storage import flows
from storage.models import ChatFlow

FlowHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Person, ChatFlow], Awaitable[None]]
Fallback = Callable[[Update, ContextTypes.DEFAULT_TYPE, Person], Awaitable[bool]]

FLOW_TEXT: dict[str, FlowHandler] = {}
FLOW_FORWARD: dict[str, FlowHandler] = {}
# Tried in order when no flow is waiting (e.g. an open survey); each returns True if it handled.
FALLBACKS: list[Fallback] = []


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
    async with svc.db.sessions() as session:
        flow = await flows.get(session, person.user_id)
    message = update.effective_message
    if flow is not None:
        if message.forward_origin is not None and flow.flow in FLOW_FORWARD:
            await FLOW_FORWARD[flow.flow](update, context, person, flow)
            return
        if message.text and flow.flow in FLOW_TEXT:
            await FLOW_TEXT[flow.flow](update, context, person, flow)
            return
    for fallback in FALLBACKS:
        if await fallback(update, context, person):
            return
    await basic.not_understood(update, context)
