"""A partnership's start date, typed (or Today): asked by the wizard and by the card's "Change
the start date", and saved from the card.

A start date in the future is asked about once ("keep it?") before it is used, in the wizard
and on the card alike.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.access import Person, log_staff_action
from bot.context import BotContext
from bot.handlers.wizard import put_step
from bot.partnerships import service, view
from bot.partnerships.card import show_card
from bot.periods import day_in
from bot.replies import send_text
from conversations import dates
from storage.models import ChatFlow

#: Flow steps that wait for a typed date: the wizard's start date, a new one from the card,
#: and each of them after a date in the future, while "keep it?" is asked (typing another
#: date instead of pressing is fine).
DATE_STEPS = ("start", "start_future", "edit_start", "edit_future")
EDIT_STEPS = ("edit_start", "edit_future")


def date_example(context: BotContext, lang: str) -> str:
    """One start date typed the reader's way (a past day: start dates rarely lie ahead)."""
    return dates.example(lang, context.svc.clock.now().date(), allow_future=False)


def today_of(now: datetime, person: Person) -> date:
    """Today in the staff member's time zone."""
    return day_in(now, person.zone("UTC"))


async def ask_start(context: BotContext, chat_id: int, lang: str) -> None:
    await send_text(
        context,
        chat_id,
        view.start_prompt(date_example(context, lang), lang),
        lang,
        keyboard=view.start_keyboard(lang),
    )


async def ask_new_start(context: BotContext, chat_id: int, person: Person, pid: int) -> None:
    """The card's "Change the start date": wait for the date, typed (or Today)."""
    await put_step(context.svc, person.user_id, service.FLOW, "edit_start", {"pid": pid})
    await ask_start(context, chat_id, person.lang)


async def ask_keep_future(
    context: BotContext, chat_id: int, person: Person, flow: ChatFlow, when: date
) -> None:
    """A typed start date after today: probably a slip, so ask before using it."""
    step = "edit_future" if flow.step in EDIT_STEPS else "start_future"
    data = {**flow.data, "future": when.isoformat()}
    await put_step(context.svc, person.user_id, service.FLOW, step, data)
    await send_text(
        context,
        chat_id,
        view.keep_future_text(when, person.lang),
        person.lang,
        keyboard=view.keep_future_keyboard(person.lang),
    )


async def save_start(
    context: BotContext, chat_id: int, person: Person, flow: ChatFlow, when: date
) -> None:
    """The new start date from the card: saved, audited, and the card shown again."""
    svc = context.svc
    pid = int(flow.data.get("pid", 0))
    found, before = await service.save_start_date(svc, person.user_id, pid, when)
    if not found:
        await send_text(context, chat_id, view.no_such(pid, person.lang), person.lang)
        return
    await log_staff_action(
        svc,
        person,
        "partnership.start_date",
        f"partnership:{pid}",
        {"start": when.isoformat(), "was": before.isoformat() if before else None},
    )
    await send_text(context, chat_id, view.start_date_line(when, person.lang), person.lang)
    await show_card(context, chat_id, person, pid)
