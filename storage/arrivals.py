"""Has this staff member or admin talked to the bot before?

A contact row is no proof: admins named in the settings get one at start-up, and staff added
by user id get one before they ever write. What counts is what the person did: their /start as
staff is marked here (a row in ``app_meta``), and the audit log holds every staff action and
every refused attempt, with the actor's Telegram id kept even after /forget for staff (see
``forgetting._drop_telegram_links``). Partners need no marker: a partner has agreed to the
consent text, so they have been here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AppMeta, AuditEntry


def _key(telegram_user_id: int) -> str:
    return f"started:{int(telegram_user_id)}"


async def has_been_here(session: AsyncSession, telegram_user_id: int) -> bool:
    """True if they started the bot as staff before, or the audit log holds anything they did
    (or tried) with it."""
    if await session.get(AppMeta, _key(telegram_user_id)) is not None:
        return True
    found = await session.scalar(
        select(AuditEntry.id).where(AuditEntry.actor_telegram_id == telegram_user_id).limit(1)
    )
    return found is not None


async def mark_started(session: AsyncSession, telegram_user_id: int, now: datetime) -> bool:
    """Remember that they have started the bot; False if that was known already."""
    if await session.get(AppMeta, _key(telegram_user_id)) is not None:
        return False
    session.add(AppMeta(key=_key(telegram_user_id), value=now.isoformat()))
    await session.flush()
    return True
