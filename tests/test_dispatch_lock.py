"""One bulk dispatcher per PostgreSQL database: two processes (two ``Database`` objects, each
with its own connections) contend for the lock; only one holds it, and when the holder's
connection ends — a clean stop, or the process killed — the other takes over."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from storage.db import Database
from storage.dispatch_lock import DispatchLock
from tests.conftest import PG_URL

needs_postgres = pytest.mark.skipif(not PG_URL, reason="PARTNERBOT_TEST_DATABASE_URL not set")


@pytest.fixture
async def two_processes() -> AsyncIterator[tuple[Database, Database]]:
    assert PG_URL is not None
    first, second = Database.connect(PG_URL), Database.connect(PG_URL)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def _kill_session_of(lock: DispatchLock, db: Database) -> None:
    """What PostgreSQL sees when the holding process is killed: its session ends."""
    pid = await lock._conn.scalar(text("SELECT pg_backend_pid()"))  # type: ignore[union-attr]
    async with db.engine.connect() as conn:
        # With a timeout, pg_terminate_backend returns once the session has really ended.
        ended = await conn.scalar(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid})
    assert ended


@needs_postgres
async def test_only_one_process_is_the_dispatcher_until_its_connection_ends(
    two_processes: tuple[Database, Database],
) -> None:
    first_db, second_db = two_processes
    first, second = DispatchLock(first_db), DispatchLock(second_db)
    try:
        assert await first.hold()
        assert not await second.hold()
        assert await first.hold()  # the holder keeps it tick after tick ...
        assert not await second.hold()  # ... and the other keeps asking in vain
        assert (first.held, second.held) == (True, False)

        await _kill_session_of(first, second_db)  # the holder dies
        assert await second.hold()  # the other takes over at its next tick
        assert not await first.hold()  # the old holder notices it lost the role
        assert (first.held, second.held) == (False, True)

        await second.release()  # a clean stop lets go at once
        assert not second.held
        assert await first.hold()
        assert not await second.hold()
    finally:
        await first.release()
        await second.release()


async def test_sqlite_needs_no_lock(sqlite_url: str) -> None:
    db = Database.connect(sqlite_url)
    try:
        one, two = DispatchLock(db), DispatchLock(db)
        assert await one.hold() and await two.hold()
        await one.release()
    finally:
        await db.close()
