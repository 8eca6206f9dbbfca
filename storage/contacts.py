"""Contacts: lookup, the delivery status the send path keeps in step, and the list of the
forgotten. Forgetting itself is in ``storage.forgetting``; its public names are re-exported
here, where callers have always found them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.forgetting import (
    REMOVED,
    STRUCTURED_TYPES,
    Kept,
    erase_previously_forgotten,
    forget,
    what_forgetting_keeps,
)
from storage.models import Contact
from storage.statuses import ContactStatus

__all__ = [
    "REMOVED",
    "STRUCTURED_TYPES",
    "Kept",
    "blocked_telegram_ids",
    "by_telegram_id",
    "create_partner",
    "ensure_admins",
    "erase_previously_forgotten",
    "forget",
    "forgotten_ids",
    "make_staff",
    "mark_blocked",
    "mark_unblocked",
    "not_started",
    "remove_staff",
    "set_status",
    "staff",
    "what_forgetting_keeps",
]


async def by_telegram_id(session: AsyncSession, telegram_user_id: int) -> Contact | None:
    return await session.scalar(_BY_TELEGRAM_ID, {"telegram_user_id": telegram_user_id})


# Built once: every update looks its sender up (storage.statements says why).
_BY_TELEGRAM_ID = select(Contact).where(Contact.telegram_user_id == bindparam("telegram_user_id"))


async def mark_blocked(session: AsyncSession, telegram_user_id: int, now: datetime) -> bool:
    """The user blocked the bot (403 or my_chat_member): stop sending until they unblock."""
    result = await session.execute(
        update(Contact)
        .where(
            Contact.telegram_user_id == telegram_user_id, Contact.status != ContactStatus.BLOCKED
        )
        .values(status=ContactStatus.BLOCKED, blocked_at=now, updated_at=now)
    )
    return bool(result.rowcount)


async def mark_unblocked(session: AsyncSession, telegram_user_id: int, now: datetime) -> bool:
    """Back to what the person chose before blocking: active, or stopped if they used /stop."""
    contact = await by_telegram_id(session, telegram_user_id)
    if contact is None or contact.status != ContactStatus.BLOCKED:
        return False
    contact.status = (
        ContactStatus.STOPPED if contact.stopped_at is not None else ContactStatus.ACTIVE
    )
    contact.blocked_at = None
    contact.updated_at = now
    return True


async def blocked_telegram_ids(session: AsyncSession) -> list[int]:
    result = await session.scalars(
        select(Contact.telegram_user_id).where(
            Contact.status == ContactStatus.BLOCKED, Contact.telegram_user_id.is_not(None)
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
    contact.status = ContactStatus.ACTIVE
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
            status=ContactStatus.ACTIVE,
            created_at=now,
        )
        session.add(contact)
    if display_name:
        contact.display_name = display_name[:200]
    contact.role = "staff"
    contact.updated_at = now
    await session.flush()
    return contact


async def ensure_admins(
    session: AsyncSession,
    telegram_user_ids: Sequence[int],
    *,
    language: str,
    timezone: str,
    now: datetime,
) -> list[int]:
    """A contact for every configured admin who has none yet, so they can be put on a
    partnership's NGO side before they ever write to the bot. Idempotent: an admin who has a
    contact (whatever its role) is left as they are. Returns the ids newly made for.

    The contact is made as a staff member added by user id is: role ``admin``, no name, the
    organisation's default language and time zone. ``not_started`` tells it apart until the
    admin's first /start gives it their name and language (onboarding does that).
    Two processes starting at once may both try: the unique Telegram id keeps one row (the
    loser's transaction fails with ``IntegrityError``; running it again finds the row).
    An ``admin`` contact no longer in the settings becomes ``former_staff``, as /staff remove
    does for staff: off every NGO side, offered to nobody as a colleague.
    """
    made: list[int] = []
    for telegram_user_id in dict.fromkeys(int(i) for i in telegram_user_ids):
        if await by_telegram_id(session, telegram_user_id) is not None:
            continue
        session.add(
            Contact(
                telegram_user_id=telegram_user_id,
                role="admin",
                language=language,
                timezone=timezone,
                status=ContactStatus.ACTIVE,
                created_at=now,
                updated_at=now,
            )
        )
        made.append(telegram_user_id)
    # An admin taken out of the settings is no longer on anyone's NGO side.
    await session.execute(
        update(Contact)
        .where(Contact.role == "admin", Contact.telegram_user_id.not_in(list(telegram_user_ids)))
        .values(role="former_staff", updated_at=now)
    )
    await session.flush()
    return made


def not_started(contact: Contact) -> bool:
    """A staff or admin contact made before the person wrote to the bot (an admin at
    start-up, or staff added by user id) that has no name yet: shown by its Telegram id."""
    return contact.role in ("staff", "admin") and not contact.display_name


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
    if contact.status != ContactStatus.BLOCKED:
        contact.status = ContactStatus.STOPPED if stopped else ContactStatus.ACTIVE
    contact.updated_at = now


def forgotten_ids() -> Any:
    """Contacts who used /forget, for queries that must leave them out of lists."""
    return select(Contact.id).where(Contact.forgotten_at.is_not(None))
