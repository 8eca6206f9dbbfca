"""The audit log: every staff action on partner data, and every refused attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Contact


async def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor_telegram_id: int | None,
    action: str,
    actor_contact_id: int | None = None,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
    outcome: str = "ok",
) -> None:
    session.add(
        AuditEntry(
            at=at,
            actor_telegram_id=actor_telegram_id,
            actor_contact_id=actor_contact_id,
            action=action,
            subject=subject,
            details=details,
            outcome=outcome,
        )
    )


async def recent(session: AsyncSession, limit: int = 30) -> list[tuple[AuditEntry, str | None]]:
    """The newest entries, each with the actor's name where the actor is a known contact."""
    result = await session.execute(
        select(AuditEntry, Contact.display_name)
        .outerjoin(Contact, Contact.id == AuditEntry.actor_contact_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return [(entry, name) for entry, name in result.all()]
