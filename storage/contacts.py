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
