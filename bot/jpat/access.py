"""Who may see and do what in a partnership's J-PAT, and small helpers the J-PAT handlers share.

Staff may act on every partnership (each read or change of partner data is audited); a partner
sees only the partnerships whose partner side they are on. Everyone else learns nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update

from bot.access import Person
from bot.context import BotContext
from bot.replies import send_text
from bot.services import Services
from storage import partnerships
from storage.models import Partnership


@dataclass(frozen=True)
class Seat:
    """A person's place at one partnership: their side, or None for staff outside it."""

    partnership: Partnership
    side: str | None

    @property
    def name(self) -> str:
        return partnership_name(self.partnership)


def partnership_name(partnership: Partnership) -> str:
    return partnership.name or f"#{partnership.id}"


async def seat(svc: Services, person: Person, partnership_id: int) -> Seat | None:
    async with svc.db.sessions() as session:
        partnership = await partnerships.get(session, partnership_id)
        if partnership is None:
            return None
        side = await partnerships.side_of(session, partnership_id, person.contact_id)
    if person.is_staff:
        return Seat(partnership, side)
    if person.is_partner and side == "partner":
        return Seat(partnership, side)
    return None


async def seats(svc: Services, person: Person) -> list[Seat]:
    async with svc.db.sessions() as session:
        if person.is_staff:
            rows = await partnerships.listing(session, limit=50)
            mine = (
                dict(
                    (p.id, s) for p, s in await partnerships.of_contact(session, person.contact_id)
                )
                if person.contact_id
                else {}
            )
            return [Seat(r.partnership, mine.get(r.partnership.id)) for r in rows]
        if person.is_partner and person.contact_id is not None:
            return [
                Seat(p, side)
                for p, side in await partnerships.of_contact(session, person.contact_id)
                if side == "partner"
            ]
    return []


def zone_of(person: Person) -> str:
    return person.contact.timezone if person.contact is not None else "UTC"


def today_for(svc: Services, zone: str) -> date:
    try:
        return svc.clock.now().astimezone(ZoneInfo(zone)).date()
    except (KeyError, ValueError):
        return svc.clock.now().date()


async def ack(update: Update) -> None:
    """Answer a button press without a notice (the reply follows as a message)."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def say(
    update: Update,
    context: BotContext,
    person: Person,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    await say_to(context, update.effective_chat.id, person, text, keyboard)


async def say_to(
    context: BotContext,
    chat_id: int,
    person: Person,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    await send_text(context, chat_id, text, person.lang, keyboard=keyboard)


def send_soon(context: BotContext) -> None:
    """Send what was just scheduled (invitations, notices) now rather than at the next tick."""
    from bot.wakeups import tick_soon

    tick_soon(context.application)
