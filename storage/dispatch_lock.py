"""Which process sends the bulk pushes: at most one per PostgreSQL database at a time.

Each bot process paces itself a little under Telegram's limit for the whole bot (about 30
messages a second across chats), so two processes pushing at once go over it together
(measured: two instances, 63 answers of 429 in 5 s). The process that dispatches holds a
session-level advisory lock on a connection of its own, for as long as it is the dispatcher;
the others skip bulk sending (their replies to people chatting still go out, paced by their
own send path). When the holder dies, PostgreSQL ends its session and the lock frees with it;
another process takes it at its next tick.

The connection is not from the application's pool: a pooled connection handed back to the
pool keeps its session, and with it the lock. On SQLite (one process per database file in
practice) the lock is always granted and nothing is opened.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from storage.db import Database, is_sqlite, make_engine

log = logging.getLogger(__name__)

#: The advisory lock's key: "partnerb" as a 64-bit number, so it will not collide with a key
#: another application on the same database picks for itself by accident.
LOCK_KEY = int.from_bytes(b"partnerb", "big")


class DispatchLock:
    """The bulk dispatcher's lock for one process; ``hold`` at each tick, ``release`` at stop."""

    def __init__(self, db: Database, key: int = LOCK_KEY) -> None:
        self.url = db.url
        self.key = key
        self._engine: AsyncEngine | None = None
        self._conn: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        """Whether this process was the dispatcher at the last ``hold``."""
        return is_sqlite(self.url) or self._conn is not None

    async def hold(self) -> bool:
        """True if this process is (still, or now) the dispatcher.

        A lock held is checked to be still alive (its connection may have dropped, and the lock
        with it, while another process took over); a lock not held is tried for, without
        waiting."""
        if is_sqlite(self.url):
            return True
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT 1"))
                return True
            except (DBAPIError, OSError):
                log.warning("the dispatcher lock's connection was lost; trying to take it again")
                await self._drop()
        if self._engine is None:
            self._engine = make_engine(self.url, poolclass=NullPool)
        conn = await self._engine.connect()
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
        except BaseException:
            await conn.close()
            raise
        if got:
            self._conn = conn
            log.info("this process is now the bulk dispatcher")
            return True
        await conn.close()
        return False

    async def release(self) -> None:
        """Let go (at stop), so another process takes over at its next tick, not only once
        PostgreSQL notices this one is gone."""
        conn = self._conn
        if conn is not None:
            try:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            except (DBAPIError, OSError):
                pass  # the connection is gone, and the lock went with it
        await self._drop()
        engine, self._engine = self._engine, None
        if engine is not None:
            await engine.dispose()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except (DBAPIError, OSError):
                pass
