"""Engine and session factory for SQLite (default) and PostgreSQL, chosen by the URL.

SQLite gets WAL, foreign keys and a busy timeout on every connection so that two bot
processes (or the bot and a CLI command) can share one file without "database is locked".
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.write_turn import WriteTurn


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # Errors and echo never print a statement's parameters: they are answers and names.
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Under a burst, sessions queue for the pool rather than fail: a partner waits a
        # moment longer instead of getting an error.
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_timeout", 120)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


@dataclass
class Database:
    """One engine and its session factory; the bot keeps one of these for its lifetime."""

    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    write_turn: WriteTurn = field(default_factory=lambda: WriteTurn(enabled=False))
    #: Held from a release's check to its commit (``storage.releases.releasing``).
    release_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.write_turn.enabled = is_sqlite(self.url)

    @classmethod
    def connect(cls, url: str) -> Database:
        engine = make_engine(url)
        return cls(
            url=url, engine=engine, sessions=async_sessionmaker(engine, expire_on_commit=False)
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits on success and rolls back on any error.

        On SQLite, writers of this process take turns in order (``storage.write_turn``).
        """
        async with self.write_turn(), self.sessions() as session, session.begin():
            yield session

    async def close(self) -> None:
        await self.engine.dispose()
