"""De-duplication of Telegram updates by ``update_id``.

Telegram re-sends an update it thinks was not handed over (around a restart, or when a webhook
answer was lost), and a start-up replays what the inbox (``storage.inbox``) still holds. PTB
does not de-duplicate, so each update id is claimed here once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete

from storage.db import Database
from storage.inbox import MAX_REPLAYS
from storage.models import InboxUpdate, ProcessedUpdate
from storage.upsert import insert_ignore


async def claim_update(db: Database, update_id: int, now: datetime) -> bool:
    """True the first time an update id is seen; False for a repeat. Within an update's unit of
    work the claim commits with the update's first transaction (or before its first message),
    so a handler that fails before storing anything leaves the update to be tried again.
    The update leaves the inbox in the same transaction: applied, or found to be a repeat."""
    async with db.deferred() as session:
        await session.execute(_LEAVE_INBOX, {"update_id": update_id})
        return await insert_ignore(
            session,
            ProcessedUpdate.__table__,  # type: ignore[arg-type]
            {"update_id": update_id, "processed_at": now},
        )


_LEAVE_INBOX = delete(InboxUpdate).where(InboxUpdate.update_id == bindparam("update_id"))


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
