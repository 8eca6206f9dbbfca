"""The update inbox: nothing a partner sent is lost between Telegram and the handlers.

Telegram forgets an update once the bot asks for the next ones (polling) or answers 200
(webhook). So each update is stored here first, in one transaction per batch, and only then
acknowledged. Applying an update deletes its row in the same transaction as its effects
(``storage.updates.claim_update``), so after a crash at any point the rows left are exactly
the updates not applied yet, and a start-up hands them to the handlers again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import select, update

from storage.db import Database
from storage.models import InboxUpdate
from storage.statements import dialect_of, insert_module

#: An update handed over this many times without being applied is left alone (and logged by
#: the caller): one that kills the process must not kill every restart after it.
MAX_REPLAYS = 3


async def store(db: Database, updates: Sequence[tuple[int, dict[str, Any]]], now: datetime) -> None:
    """Keep received updates (ids Telegram sent again are kept once)."""
    if not updates:
        return
    rows = [
        {"update_id": update_id, "payload": payload, "received_at": now, "replays": 0}
        for update_id, payload in updates
    ]
    async with db.transaction() as session:  # one statement for the batch
        await session.execute(_insert_ignore(dialect_of(session)), rows)


@cache
def _insert_ignore(dialect: str) -> Any:
    table = InboxUpdate.__table__
    return insert_module(dialect).insert(table).on_conflict_do_nothing()


async def take_waiting(db: Database) -> tuple[list[dict[str, Any]], list[int]]:
    """At start-up: the payloads of updates received but not applied, oldest first, each
    counted as replayed once more; and the ids left alone after ``MAX_REPLAYS``."""
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(InboxUpdate.update_id, InboxUpdate.payload, InboxUpdate.replays).order_by(
                    InboxUpdate.update_id
                )
            )
        ).all()
        waiting = [row.update_id for row in rows if row.replays < MAX_REPLAYS]
        if waiting:
            await session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.update_id.in_(waiting))
                .values(replays=InboxUpdate.replays + 1)
            )
    payloads = [row.payload for row in rows if row.replays < MAX_REPLAYS]
    given_up = [row.update_id for row in rows if row.replays >= MAX_REPLAYS]
    return payloads, given_up


async def waiting_count(db: Database) -> int:
    async with db.sessions() as session:
        return len((await session.scalars(select(InboxUpdate.update_id))).all())
