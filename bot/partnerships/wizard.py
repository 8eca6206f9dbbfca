"""The new-partnership wizard: organisation → start date → stage → J-PAT interval.

It keeps its step in the database (flow ``partnership``), so a press on an old wizard keyboard
is recognised. The typed start date (``on_text``) serves the card's "Change the start date"
too: both wait in the same flow.
"""

from __future__ import annotations

from datetime import date

from telegram import Update

from bot import callbacks
from bot.access import Person, log_staff_action
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.press import Press
from bot.handlers.wizard import leave_steps, put_step, staff_typing, step_of
from bot.i18n import translator
from bot.partnerships import service, view
from bot.partnerships.card import show_card
from bot.partnerships.start_date import (
    DATE_STEPS,
    EDIT_STEPS,
    ask_keep_future,
    ask_start,
    date_example,
    save_start,
    today_of,
)
from bot.replies import send_text
from conversations import dates
from storage import partnerships
from storage.models import ChatFlow

ACTIONS = ("new", "x", "org", "sd", "st", "cad", "fk", "fn")


async def start(context: BotContext, chat_id: int, person: Person) -> None:
    _ = translator(person.lang)
    orgs = await service.open_wizard(context.svc, person.user_id)
    if not orgs:
        await send_text(
            context,
            chat_id,
            _("There is no partner organisation yet. Invite one with /invite first."),
            person.lang,
        )
        return
    await send_text(
        context,
        chat_id,
        _("New partnership. Which partner organisation is it with?"),
        person.lang,
        keyboard=view.organisations_keyboard(orgs, person.lang),
    )


async def _ask_stage(context: BotContext) -> None:
    """The wizard's stage step: a question answered with the stage buttons."""
    _ = translator(context.lang)
    question = _("Which stage is the partnership in?")
    await context.reply(question, keyboard=view.stage_keyboard(context.lang, "st"))


async def _ask_cadence(context: BotContext) -> None:
    """The wizard's cadence step: how often both sides answer, with the cadence buttons."""
    _ = translator(context.lang)
    question = _("How often will both sides do the J-PAT check-in? (Usually every 3 months.)")
    await context.reply(question, keyboard=view.cadence_keyboard(context.lang, "cad"))


async def on_text(update: Update, context: BotContext, person: Person, flow: ChatFlow) -> None:
    """The start date, typed."""
    typed = await staff_typing(update, context, person)
    if typed is None:
        return
    svc = context.svc
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    if flow.step not in DATE_STEPS:
        await context.reply(_("Please use the buttons above."))
        return
    today = today_of(svc.clock.now(), person)
    started = dates.parse_date(typed, person.lang, today)
    if started is None:
        example = date_example(context, person.lang)
        await context.reply(view.type_a_date(example, person.lang))
        return
    if started > today:
        await ask_keep_future(context, chat_id, person, flow, started)
        return
    if flow.step in EDIT_STEPS:
        await save_start(context, chat_id, person, flow, started)
        return
    await _chose_start(context, chat_id, person, flow, started)


async def _chose_start(
    context: BotContext,
    chat_id: int,
    person: Person,
    flow: ChatFlow,
    started: date,
    *,
    said: bool = False,
) -> None:
    data = {k: v for k, v in flow.data.items() if k != "future"}
    data["start"] = started.isoformat()
    await put_step(context.svc, person.user_id, service.FLOW, "stage", data)
    if not said:  # "keep it?" already shows the date on the pressed message
        await send_text(context, chat_id, view.start_date_line(started, person.lang), person.lang)
    await _ask_stage(context)


async def _create(
    context: BotContext, chat_id: int, person: Person, data: dict, cadence: str
) -> None:
    svc = context.svc
    partnership, partner_side = await service.create(
        svc, person.user_id, person.contact_id, data, cadence
    )
    await log_staff_action(
        svc,
        person,
        "partnership.create",
        subject=f"partnership:{partnership.id}",
        details={"organisation": int(data["org"]), "stage": data["stage"], "cadence": cadence},
    )
    text = view.created_text(partnership.id, partnership.name, partner_side, person.lang)
    await send_text(context, chat_id, text, person.lang)
    await show_card(context, chat_id, person, partnership.id)


async def on_button(press: Press) -> None:
    """A press in the wizard, on the step it belongs to (else "no longer active")."""
    svc, person, query, _ = press.svc, press.person, press.query, press._
    context, chat_id, action, arg = press.context, press.chat_id, press.action, press.arg
    if action == "new":
        await common.close_keyboard(query, _("New partnership"), person.lang)
        await start(context, chat_id, person)
        return
    flow = await step_of(svc, person.user_id)
    if flow is None or flow.flow != service.FLOW:
        await press.expired()
        return
    if action == "x":
        await leave_steps(svc, person.user_id)
        await common.close_keyboard(query, _("Cancelled."), person.lang)
        return
    if action == "org" and flow.step == "org" and arg and callbacks.is_number(arg):
        org = await service.choose_organisation(svc, person.user_id, int(arg))
        if org is None:
            await press.expired()
            return
        await common.close_keyboard(query, _("Organisation: {name}", name=org.name), person.lang)
        await ask_start(context, chat_id, person.lang)
        return
    if action == "sd" and flow.step in ("start", "edit_start") and arg == "today":
        await common.close_keyboard(query, _("Today"), person.lang)
        today = today_of(svc.clock.now(), person)
        if flow.step == "edit_start":
            await save_start(context, chat_id, person, flow, today)
        else:
            await _chose_start(context, chat_id, person, flow, today)
        return
    future = flow.data.get("future")
    if action in ("fk", "fn") and flow.step in ("start_future", "edit_future") and future:
        when = date.fromisoformat(str(future))
        if action == "fn":
            back = "edit_start" if flow.step == "edit_future" else "start"
            data = {k: v for k, v in flow.data.items() if k != "future"}
            await put_step(svc, person.user_id, service.FLOW, back, data)
            example = date_example(context, person.lang)
            await common.close_keyboard(query, view.type_a_date(example, person.lang), person.lang)
            return
        await common.close_keyboard(query, view.start_date_line(when, person.lang), person.lang)
        if flow.step == "edit_future":
            await save_start(context, chat_id, person, flow, when)
        else:
            await _chose_start(context, chat_id, person, flow, when, said=True)
        return
    if action == "st" and flow.step == "stage" and arg in partnerships.STAGES:
        await put_step(svc, person.user_id, service.FLOW, "cadence", {**flow.data, "stage": arg})
        await common.close_keyboard(query, view.stage_line(arg, person.lang), person.lang)
        await _ask_cadence(context)
        return
    if action == "cad" and flow.step == "cadence" and arg in partnerships.CADENCES:
        await common.close_keyboard(query, view.cadence_line(arg, person.lang), person.lang)
        await _create(context, chat_id, person, flow.data, arg)
        return
    await press.expired()
