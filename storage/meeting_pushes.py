"""The pushes tied to a meeting: invitations, reminders, and notices of a move or a cancellation.

Pushes about a meeting are rows of ``deliveries`` with ``meeting_id`` set, so the same claim →
send → mark-sent path that carries campaign invitations carries them too: nothing is sent
twice, nothing is lost, and two bot processes share the work. Their ``dedupe_key`` names the
meeting's ``version``, so a reschedule plans fresh reminders without colliding with the old
(cancelled or already sent) ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Delivery

# Delivery kinds of meeting pushes (Delivery.kind is at most 16 characters).
INVITE, REMINDER, MOVED, CANCELLED = "mtg_invite", "reminder", "mtg_moved", "mtg_cancel"
MEETING_KINDS = (INVITE, REMINDER, MOVED, CANCELLED)
INSERT_CHUNK = 500


async def drop_pending(
    session: AsyncSession, meeting_id: int, *, kinds: Iterable[str], detail: str
) -> int:
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.meeting_id == meeting_id,
            Delivery.kind.in_(tuple(kinds)),
            Delivery.state == "pending",
        )
        .values(state="cancelled", detail=detail)
    )
    return int(result.rowcount or 0)


async def reached(session: AsyncSession, meeting_id: int) -> list[int]:
    """Contacts who already received something about the meeting (or are receiving it now):
    they are the ones a change must be told to. Someone whose invitation is still waiting
    (quiet hours) will read the new details in it."""
    result = await session.scalars(
        select(Delivery.contact_id)
        .where(
            Delivery.meeting_id == meeting_id,
            Delivery.kind.in_((INVITE, REMINDER, MOVED)),
            Delivery.state.in_(("sent", "claimed")),
        )
        .distinct()
    )
    return sorted(int(c) for c in result)


# ------------------------------------------------------------------------------ pushes


@dataclass(frozen=True)
class Push:
    kind: str
    contact_id: int
    due_at: datetime
    dedupe_key: str


async def add_pushes(session: AsyncSession, meeting_id: int, pushes: Sequence[Push]) -> int:
    """Insert pushes in chunks, ignoring any whose key exists (a second process, a retry)."""
    if not pushes:
        return 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    added = 0
    for start in range(0, len(pushes), INSERT_CHUNK):
        rows = [
            {
                "kind": p.kind,
                "contact_id": p.contact_id,
                "due_at": p.due_at,
                "dedupe_key": p.dedupe_key,
                "meeting_id": meeting_id,
                "state": "pending",
                "attempts": 0,
            }
            for p in pushes[start : start + INSERT_CHUNK]
        ]
        statement = module.insert(Delivery.__table__).values(rows).on_conflict_do_nothing()
        result = await session.execute(statement)
        added += int(result.rowcount or 0)
    return added


async def later_due_reminder(session: AsyncSession, delivery: Delivery, now: datetime) -> bool:
    """Whether a later reminder of the same meeting to the same person is also due now.

    After downtime several reminders can fall due at once; only the latest is worth sending
    (another process may already have sent it: that counts too).
    """
    found = await session.scalar(
        select(Delivery.id)
        .where(
            Delivery.meeting_id == delivery.meeting_id,
            Delivery.contact_id == delivery.contact_id,
            Delivery.kind == REMINDER,
            Delivery.id != delivery.id,
            Delivery.state.in_(("pending", "claimed", "sent")),
            Delivery.due_at > delivery.due_at,
            Delivery.due_at <= now,
        )
        .limit(1)
    )
    return found is not None


async def pending_reminders(session: AsyncSession, meeting_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.meeting_id == meeting_id,
                Delivery.kind == REMINDER,
                Delivery.state == "pending",
            )
        )
        or 0
    )
