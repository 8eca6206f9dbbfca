"""Where staff come into partnerships: /partnership [new | <number>] and every ``pt:`` button,
handed to the wizard (``bot.partnerships.wizard``) or to a partnership's card
(``bot.partnerships.card``, ``bot.partnerships.start_date``).

Buttons carry ``pt:<action>[:<partnership>][:<value>]``.
"""

from __future__ import annotations

from dataclasses import replace

from telegram import Update

from bot import callbacks
from bot.access import Person, requires
from bot.context import BotContext
from bot.handlers.wizard import staff_button
from bot.partnerships import card, service, wizard
from bot.partnerships.start_date import ask_new_start
from bot.partnerships.view import AREA


@requires("staff")
async def partnership_command(update: Update, context: BotContext, person: Person) -> None:
    args = context.args or []
    sub = args[0].lower() if args else "list"
    chat_id = update.effective_chat.id
    if sub == "new":
        await wizard.start(context, chat_id, person)
    elif callbacks.is_number(sub.lstrip("#")):
        await card.show_card(context, chat_id, person, int(sub.lstrip("#")))
    else:
        await card.show_list(context, chat_id, person)


async def on_button(update: Update, context: BotContext) -> None:
    press = await staff_button(update, context, AREA)
    if press is None:
        return
    if press.action in wizard.ACTIONS:
        await wizard.on_button(press)
        return
    if not press.args or not callbacks.is_number(press.args[0]):
        await press.expired()
        return
    partnership = await service.get(context.svc, int(press.args[0]))
    if partnership is None:
        await press.expired()
        return
    if press.action == "ed":
        await press.query.answer()
        await ask_new_start(context, press.chat_id, press.person, partnership.id)
        return
    # The card's own arguments follow the partnership's id.
    await card.on_button(replace(press, args=press.args[1:]), partnership)
