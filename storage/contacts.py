"""Contacts: lookup and the delivery status the send path keeps in step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contact


async def by_telegram_id(session: AsyncSession, telegram_user_id: int) -> Contact | None:
    return await session.scalar(select(Contact).where(Contact.telegram_user_id == telegram_user_id))


async def mark_blocked(session: AsyncSession, telegram_user_id: int, now: datetime) -> bool:
    """The user blocked the bot (403 or my_chat_member): stop sending until they unblock."""
    result = await session.execute(
        update(Contact)
        .where(Contact.telegram_user_id == telegram_user_id, Contact.status != "blocked")
        .values(status="blocked", blocked_at=now, updated_at=now)
    )
    return bool(result.rowcount)


async def mark_unblocked(session: AsyncSession, telegram_user_id: int, now: datetime) -> bool:
    """Back to what the person chose before blocking: active, or stopped if they used /stop."""
    contact = await by_telegram_id(session, telegram_user_id)
    if contact is None or contact.status != "blocked":
        return False
    contact.status = "stopped" if contact.stopped_at is not None else "active"
    contact.blocked_at = None
    contact.updated_at = now
    return True


async def blocked_telegram_ids(session: AsyncSession) -> list[int]:
    result = await session.scalars(
        select(Contact.telegram_user_id).where(
            Contact.status == "blocked", Contact.telegram_user_id.is_not(None)
        )
    )
    return [int(x) for x in result if x is not None]


async def create_partner(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    display_name: str | None,
    organisation_id: int | None,
    language: str,
    timezone: str,
    now: datetime,
) -> Contact:
    """A partner who agreed to the consent text; the consent time is the proof."""
    contact = await by_telegram_id(session, telegram_user_id)
    if contact is None:
        contact = Contact(telegram_user_id=telegram_user_id, created_at=now)
        session.add(contact)
    contact.display_name = (display_name or "")[:200] or None
    contact.organisation_id = organisation_id
    contact.role = "partner"
    contact.language = language
    contact.timezone = timezone
    contact.status = "active"
    contact.consent_at = now
    contact.updated_at = now
    await session.flush()
    return contact


async def make_staff(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    display_name: str | None,
    language: str,
    timezone: str,
    now: datetime,
) -> Contact:
    contact = await by_telegram_id(session, telegram_user_id)
    if contact is None:
        contact = Contact(
            telegram_user_id=telegram_user_id,
            language=language,
            timezone=timezone,
            status="active",
            created_at=now,
        )
        session.add(contact)
    if display_name:
        contact.display_name = display_name[:200]
    contact.role = "staff"
    contact.updated_at = now
    await session.flush()
    return contact


async def remove_staff(session: AsyncSession, telegram_user_id: int, now: datetime) -> bool:
    result = await session.execute(
        update(Contact)
        .where(Contact.telegram_user_id == telegram_user_id, Contact.role == "staff")
        .values(role="former_staff", updated_at=now)
    )
    return bool(result.rowcount)


async def staff(session: AsyncSession) -> list[Contact]:
    result = await session.scalars(
        select(Contact).where(Contact.role == "staff").order_by(Contact.created_at)
    )
    return list(result)


async def set_status(
    session: AsyncSession, contact: Contact, *, stopped: bool, now: datetime
) -> None:
    contact.stopped_at = now if stopped else None
    if contact.status != "blocked":
        contact.status = "stopped" if stopped else "active"
    contact.updated_at = now


async def forget(session: AsyncSession, contact: Contact, now: datetime) -> None:
    """Delete what identifies the person; keep the row (and its organisation) anonymous so that
    answers already given still count in aggregates without pointing to anyone."""
    contact.telegram_user_id = None
    contact.display_name = None
    contact.consent_at = None
    contact.status = "forgotten"
    contact.stopped_at = None
    contact.blocked_at = None
    contact.timezone = "UTC"
    contact.attribution = "aggregate"  # never named again, in reports or exports
    contact.forgotten_at = now
    contact.updated_at = now
