"""Multi-step chat state (onboarding, staff wizards), one row per person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatFlow


async def get(session: AsyncSession, telegram_user_id: int) -> ChatFlow | None:
    return await session.get(ChatFlow, telegram_user_id)


async def put(
    session: AsyncSession,
    telegram_user_id: int,
    flow: str,
    step: str,
    data: dict[str, Any],
    now: datetime,
) -> ChatFlow:
    row = await session.get(ChatFlow, telegram_user_id)
    if row is None:
        row = ChatFlow(telegram_user_id=telegram_user_id)
        session.add(row)
    row.flow, row.step, row.data, row.updated_at = flow, step, dict(data), now
    return row


async def clear(session: AsyncSession, telegram_user_id: int) -> None:
    await session.execute(delete(ChatFlow).where(ChatFlow.telegram_user_id == telegram_user_id))


async def expire(session: AsyncSession, before: datetime) -> int:
    """Forget steps nobody came back to (an invitation opened and left): they hold a Telegram id."""
    result = await session.execute(delete(ChatFlow).where(ChatFlow.updated_at < before))
    return int(result.rowcount or 0)
