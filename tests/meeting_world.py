"""Shared helpers of the meeting end-to-end tests (``test_e2e_meeting*.py``): a sandbox world
with time under the test's control (``ManualClock``; ``tick_seconds=0`` turns the periodic job
off and the tests call ``tick`` themselves), people in several zones and languages, a
partnership, meetings scheduled directly, and look-ups of deliveries and RSVPs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import MESSAGE_KINDS, Event, Limits, Phone
from bot.dispatch import TickReport, tick
from bot.i18n import FSI, LANGUAGES, PDI, RLM, translator
from bot.meetings.service import schedule
from bot.meetings.when import format_when
from storage.models import (
    AuditEntry,
    Contact,
    Delivery,
    Meeting,
    MeetingRsvp,
    Organisation,
    Partnership,
    PartnershipMember,
)
from tests.e2e import settle_after, world_for

START = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)  # Monday: 09:00 in Paris, 11:00 in Nairobi
PARIS, NAIROBI = "Europe/Paris", "Africa/Nairobi"
ORGANISER = 610001
DEFAULT = [10080, 1440, 120]
ZONES = (PARIS, NAIROBI, "Africa/Kinshasa", "Asia/Beirut", "America/Bogota", "UTC")


def load_babel_data() -> None:
    """Load Babel's zone and locale data before the bot needs it: the first look-up takes
    longer than ``settle`` waits for a quiet chat."""
    for lang in LANGUAGES:
        for zone in ZONES:
            format_when(START, zone, lang)


# ------------------------------------------------------------------------------ helpers


@asynccontextmanager
async def meeting_world(
    database_url: str, clock: ManualClock, **settings: Any
) -> AsyncIterator[LocalWorld]:
    settings.setdefault("tick_seconds", 0)
    async with world_for(
        database_url,
        clock=clock,
        limits=settings.pop("limits", Limits(chat_enabled=False)),
        chat_burst=1000,
        **settings,
    ) as world:
        yield world


def plain(text: str | None) -> str:
    return (text or "").replace(RLM, "").replace(FSI, "").replace(PDI, "")


def t(lang: str, message: str, **values: Any) -> str:
    return plain(translator(lang)(message, **values))


def messages(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind in MESSAGE_KINDS]


def only_message(events: list[Event]) -> Event:
    found = messages(events)
    assert len(found) == 1, [e.content for e in found]
    return found[0]


def notices(events: list[Event]) -> list[str]:
    return [plain(e.text) for e in events if e.kind == "callback_answer" and e.text]


def count(phone: Phone) -> int:
    return sum(1 for e in phone.events if e.kind in MESSAGE_KINDS)


async def person(
    world: LocalWorld,
    user_id: int,
    *,
    name: str,
    lang: str = "en",
    zone: str = NAIROBI,
    role: str = "partner",
    quiet: tuple[str, str] = ("21:00", "08:00"),
    status: str = "active",
) -> tuple[Phone, int]:
    """A contact made directly in storage (onboarding has its own tests), whose chat with the
    bot exists, as if they had joined earlier."""
    phone = world.sandbox.user(user_id, first_name=name, language_code=lang)
    phone.chat.started = True
    now = world.services.clock.now()
    async with world.db.transaction() as session:
        contact = Contact(
            telegram_user_id=user_id,
            display_name=name,
            role=role,
            language=lang,
            timezone=zone,
            status=status,
            stopped_at=now if status == "stopped" else None,
            consent_at=now,
            quiet_start=quiet[0],
            quiet_end=quiet[1],
            created_at=now,
            updated_at=now,
        )
        session.add(contact)
        await session.flush()
        contact_id = contact.id
    return phone, contact_id


async def partnership(
    world: LocalWorld, members: list[tuple[int, str]], name: str = "Amal partnership"
) -> int:
    now = world.services.clock.now()
    async with world.db.transaction() as session:
        org = Organisation(name="Amal RLO", country="LB", created_at=now)
        session.add(org)
        await session.flush()
        row = Partnership(organisation_id=org.id, name=name, created_at=now, updated_at=now)
        session.add(row)
        await session.flush()
        for contact_id, side in members:
            session.add(PartnershipMember(partnership_id=row.id, contact_id=contact_id, side=side))
        return row.id


async def organiser(world: LocalWorld) -> tuple[Phone, int]:
    return await person(world, ORGANISER, name="Grace", zone=PARIS, role="staff")


async def schedule_directly(
    world: LocalWorld,
    partnership_id: int,
    starts_at: datetime,
    *,
    kind: str = "quarterly",
    offsets: list[int] | None = None,
    organiser_id: int | None = None,
    invite: bool = True,
) -> Meeting:
    """A meeting as the wizard would create it (the wizard has its own test)."""
    async with world.db.transaction() as session:
        meeting, _ = await schedule(
            session,
            partnership_id=partnership_id,
            kind=kind,
            starts_at=starts_at,
            organiser_timezone=PARIS,
            organiser_telegram_id=ORGANISER,
            created_by=organiser_id,
            place="Community hall, Bar Elias",
            agenda=None,
            reminder_offsets=DEFAULT if offsets is None else offsets,
            now=world.services.clock.now(),
            invite=invite,
        )
    return meeting


async def run_tick(world: LocalWorld) -> TickReport:
    assert world.bot is not None
    return await tick(world.bot.application)


async def pushes(world: LocalWorld, kind: str | None = None) -> list[Delivery]:
    async with world.db.sessions() as session:
        query = select(Delivery).where(Delivery.meeting_id.is_not(None))
        if kind is not None:
            query = query.where(Delivery.kind == kind)
        return list(await session.scalars(query.order_by(Delivery.due_at, Delivery.id)))


async def answer_of(world: LocalWorld, meeting_id: int, contact_id: int) -> str | None:
    async with world.db.sessions() as session:
        row = await session.get(MeetingRsvp, (meeting_id, contact_id))
        assert row is not None
        return row.answer


async def background_tasks(world: LocalWorld) -> None:
    assert world.bot is not None
    await asyncio.gather(*world.bot.application.bot_data.get("tasks", set()))


def rsvp_data(event: Event, label: str) -> str:
    return event.button_data[label]


def local(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone))


# ------------------------------------------------------------------------------ partner and organiser side

MEETING_AT = datetime(2026, 3, 26, 13, 0, tzinfo=UTC)
RSVP_BUTTONS = [["Attending", "Can't attend"], ["Need information"]]


async def audit_actions(world: object, actor: int | None = None) -> list[tuple[str, str | None]]:
    async with world.db.sessions() as session:  # type: ignore[attr-defined]
        query = select(AuditEntry.action, AuditEntry.subject)
        if actor is not None:
            query = query.where(AuditEntry.actor_telegram_id == actor)
        return [(a, s) for a, s in (await session.execute(query)).all()]


async def press_on(phone: Phone, event: object, label: str, expect: str = "edit") -> list:
    """Press ``label`` on that very message (several on screen carry the same labels)."""
    await phone.press(data=event.button_data[label], message_id=event.message_id)  # type: ignore[attr-defined]
    return await settle_after(phone, expect=expect)
