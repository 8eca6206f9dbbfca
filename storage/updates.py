"""De-duplication of Telegram updates by ``update_id``.

Telegram re-sends an update it thinks was not handed over (around a restart, or when a webhook
answer was lost), and a start-up replays what the inbox (``storage.inbox``) still holds. PTB
does not de-duplicate, so each update id is claimed here once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.inbox import MAX_REPLAYS
from storage.models import InboxUpdate, ProcessedUpdate
from storage.upsert import insert_ignore


async def claim_update(db: Database, update_id: int, now: datetime) -> bool:
    """True the first time an update id is seen; False for a repeat.

    The claim is written with the update's effects (``Database.defer_write``): in its first
    transaction, or — for an update that writes nothing, such as /surveys or /help — when it
    ends, after its reply left. A crash before that leaves the update unclaimed in the inbox,
    to be applied at the next start; so nothing is lost, and at worst a read-only reply comes
    twice. The update leaves the inbox in the same transaction, applied or found a repeat.
    Two updates with one id never run at once: one chat's updates run in turn
    (``bot.update_processor``) and only one process receives them. Outside an update's
    unit of work the claim is one transaction whose insert decides, race-free across
    processes."""
    if not db.in_unit():
        async with db.transaction() as session:
            return await _claim(session, update_id, now)
    async with db.sessions() as session:
        seen = await session.scalar(_SEEN, {"update_id": update_id})

    async def claim(session: AsyncSession) -> None:
        if seen is None:
            await _claim(session, update_id, now)
        else:  # a repeat: it only leaves the inbox
            await session.execute(_LEAVE_INBOX, {"update_id": update_id})

    await db.defer_write(claim)
    return seen is None


async def _claim(session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Out of the inbox and into the applied ids; True if this call inserted the id."""
    await session.execute(_LEAVE_INBOX, {"update_id": update_id})
    return await insert_ignore(
        session,
        ProcessedUpdate.__table__,  # type: ignore[arg-type]
        {"update_id": update_id, "processed_at": now},
    )


# Plain table statements (not the mapped classes): they run for every update, and the ORM's
# statement handling cost more than the statements themselves.
_PROCESSED = ProcessedUpdate.__table__
_INBOX = InboxUpdate.__table__
_SEEN = select(_PROCESSED.c.update_id).where(_PROCESSED.c.update_id == bindparam("update_id"))
_LEAVE_INBOX = delete(_INBOX).where(_INBOX.c.update_id == bindparam("update_id"))


async def forget_old_updates(db: Database, now: datetime, keep: timedelta) -> int:
    """Telegram keeps undelivered updates for 24 hours; we keep ids a while longer, then drop
    them, and the inbox's given-up updates (``storage.inbox.MAX_REPLAYS``) of the same age."""
    async with db.transaction() as session:
        result = await session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - keep)
        )
        await session.execute(
            delete(InboxUpdate).where(
                InboxUpdate.replays >= MAX_REPLAYS, InboxUpdate.received_at < now - keep
            )
        )
        return int(result.rowcount or 0)
