"""What the meeting handlers share: the names of their chat steps, the organiser's time zone,
the date-and-time and reminder prompts and the reading of what is typed at them (the same for
a new meeting and a moved one), and sending what a change made due."""

from __future__ import annotations

from datetime import datetime

from bot import wakeups
from bot.access import Person
from bot.context import BotContext
from bot.handlers.wizard import put_step
from bot.i18n import translator
from bot.meetings import wizard_view
from bot.meetings.when import parse_offsets, parse_when
from bot.replies import send_text
from bot.services import Services
from storage.models import ChatFlow

FLOW = "meeting"
EDIT_FLOW = "meeting_edit"
ASK_FLOW = "meeting_ask"  # a partner typing a question for the organiser
REPLY_FLOW = "meeting_reply"  # the organiser typing the answer to a partner's question


def staff_zone(svc: Services, person: Person) -> str:
    if person.contact is not None and person.contact.timezone:
        return person.contact.timezone
    return svc.settings.default_timezone


def start_sending(context: BotContext) -> None:
    """Send what is due now (invitations, notices) and re-arm the wake-up for the rest."""
    wakeups.tick_soon(context.application)


async def ask_when(
    context: BotContext, chat_id: int, person: Person, zone: str, *, new: bool
) -> None:
    _ = translator(person.lang)
    now = context.svc.clock.now()
    await send_text(context, chat_id, wizard_view.ask_when(_, zone, now, new=new), person.lang)


async def read_when(
    context: BotContext, chat_id: int, person: Person, text: str, zone: str
) -> datetime | None:
    """The typed moment, or None after telling the person what was wrong."""
    _ = translator(person.lang)
    now = context.svc.clock.now()
    parsed = parse_when(text, zone, now, person.lang)
    refusal = wizard_view.when_refusal(_, parsed, zone, now)
    if refusal is None:
        assert not isinstance(parsed, str)
        return parsed.at
    await send_text(context, chat_id, refusal, person.lang)
    return None


async def echo_when(
    context: BotContext,
    chat_id: int,
    person: Person,
    at: datetime,
    zone: str,
    confirm_action: str,
) -> None:
    _ = translator(person.lang)
    text, keyboard = wizard_view.echo_when(_, at, zone, confirm_action)
    await send_text(context, chat_id, text, person.lang, keyboard=keyboard)


async def ask_offsets(context: BotContext, chat_id: int, lang: str, current: list[int]) -> None:
    _ = translator(lang)
    await send_text(context, chat_id, wizard_view.ask_offsets(_, current), lang)


async def typed_when(
    context: BotContext,
    chat_id: int,
    person: Person,
    flow: ChatFlow,
    text: str,
    confirm_action: str,
) -> None:
    """The date and time typed in a "when" step (of a new meeting or a moved one): kept in the
    flow's "when_ok" step and read back with the ``confirm_action`` button, or refused."""
    svc = context.svc
    zone = staff_zone(svc, person)
    at = await read_when(context, chat_id, person, text, zone)
    if at is None:
        return
    data = {**flow.data, "starts_at": at.isoformat()}
    await put_step(svc, person.user_id, flow.flow, "when_ok", data)
    await echo_when(context, chat_id, person, at, zone, confirm_action)


async def typed_offsets(
    context: BotContext, chat_id: int, lang: str, text: str
) -> list[int] | None:
    """The reminder offsets typed, or None after showing how to type them."""
    offsets = parse_offsets(text)
    if offsets is None:
        await send_text(context, chat_id, wizard_view.offsets_help(translator(lang)), lang)
    return offsets


async def use_buttons(context: BotContext, chat_id: int, lang: str) -> None:
    """Text typed where a meeting wizard waits for a button."""
    _ = translator(lang)
    await send_text(context, chat_id, _("Please use the buttons above, or send /cancel."), lang)
