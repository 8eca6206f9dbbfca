"""Engine and session factory for SQLite (default) and PostgreSQL, chosen by the URL.

SQLite gets WAL, foreign keys and a busy timeout on every connection so that two bot
processes (or the bot and a CLI command) can share one file without "database is locked",
and runs each statement in one trip to aiosqlite's thread (``storage.sqlite_driver``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
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

from storage import sqlite_driver
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
        if make_url(url).get_driver_name() == "aiosqlite":
            kwargs.setdefault("module", sqlite_driver.dbapi())  # one trip per statement
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


@dataclass
class Database:
    """One engine and its session factory; the bot keeps one of these for its lifetime.

    Inside ``unit()`` (the bot opens one around each update) the update's database work shares
    one session and, as far as the handler allows, one transaction: the update-id claim
    (``defer_write``), the reads (``sessions``) and the handler's first ``transaction`` commit
    together. ``settle()`` commits what is pending before anything leaves the process (the
    send path calls it before every Bot API request), so nothing is said before it is stored.
    """

    url: str
    engine: AsyncEngine
    factory: async_sessionmaker[AsyncSession]
    write_turn: WriteTurn = field(default_factory=lambda: WriteTurn(enabled=False))
    #: Held from a release's check to its commit (``storage.releases.releasing``).
    release_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: Counts this process's commits, so what was read before one can tell it may be stale
    #: (``bot.context.BotContext.who``).
    generation: int = 0

    def __post_init__(self) -> None:
        self.write_turn.enabled = is_sqlite(self.url)

    @classmethod
    def connect(cls, url: str) -> Database:
        engine = make_engine(url)
        return cls(
            url=url, engine=engine, factory=async_sessionmaker(engine, expire_on_commit=False)
        )

    # ------------------------------------------------------------ sessions and transactions

    @asynccontextmanager
    async def sessions(self) -> AsyncIterator[AsyncSession]:
        """A session for reading (and writes the caller commits itself). Inside an update's
        unit of work: the unit's session, so reads see the unit's pending claim and cost no
        new session."""
        unit = _joinable(self)
        if unit is not None:
            session = await unit.session()
            try:
                yield session
            finally:
                if unit.done:  # the unit ended meanwhile: let go of what was read since
                    await session.close()
            return
        async with self.factory() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits on success and rolls back on any error. Inside an
        update's unit of work it is the unit's transaction, claim and reads included.

        On SQLite, writers of this process take turns in order (``storage.write_turn``).
        """
        unit = _joinable(self)
        if unit is not None:
            session = await unit.session(writing=True)
            try:
                yield session
            except BaseException:
                await unit.end(commit=False)
                raise
            await unit.end(commit=True)
            return
        async with self.write_turn(), self.factory() as session, session.begin():
            yield session
        self.generation += 1

    def in_unit(self) -> bool:
        """Whether this task is inside an update's unit of work."""
        return _joinable(self) is not None

    async def defer_write(self, write: Callable[[AsyncSession], Awaitable[None]]) -> None:
        """A write that belongs with the update's effects (the update-id claim): inside a unit
        of work it runs in the update's first transaction, or when the update ends if the
        update wrote nothing; outside one, in a transaction of its own now."""
        unit = _joinable(self)
        if unit is None:
            async with self.transaction() as session:
                await write(session)
            return
        unit.deferred.append(write)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[None]:
        """One update's unit of work (see the class docstring). What is still pending at the
        end commits then, or rolls back if the update's handling raised."""
        unit = _Unit(self)
        token = _UNIT.set(unit)
        try:
            yield
        except BaseException:
            await unit.end(commit=False)
            raise
        finally:
            _UNIT.reset(token)
        await unit.end(commit=True)

    async def settle(self) -> None:
        """Before a message leaves: commit what the update's unit of work has written, claim
        included; later work in the update has sessions of its own. An update that has
        written nothing keeps its claim until it ends, after its reply has left: a crash in
        between replays it (the reply may come twice) rather than losing it."""
        unit = _joinable(self)
        if unit is None:
            return
        if unit.deferred and not unit.pending:
            await unit.release_reads()  # lets go of its connection while the message travels
            return
        await unit.end(commit=True)

    async def close(self) -> None:
        await self.engine.dispose()


class _Unit:
    """The session an update's work shares, opened on first use; see ``Database.unit``."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.task = asyncio.current_task()
        self.done = False
        self.pending = False  # uncommitted writes
        #: writes that go with the first transaction or the end (``Database.defer_write``)
        self.deferred: list[Callable[[AsyncSession], Awaitable[None]]] = []
        self._session: AsyncSession | None = None
        self._turn: AbstractAsyncContextManager[None] | None = None

    async def session(self, *, writing: bool = False) -> AsyncSession:
        if self._session is None:
            self._session = self.db.factory()
        if writing and self._turn is None:
            self._turn = self.db.write_turn()
            await self._turn.__aenter__()
        if writing:
            self.pending = True
            while self.deferred:
                await self.deferred.pop(0)(self._session)
        return self._session

    async def release_reads(self) -> None:
        """Close the session of an update that has written nothing (what it read stays read)."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def end(self, *, commit: bool) -> None:
        """Commit (or roll back) and let go: later work in this update goes on its own."""
        if self.done:
            return
        if commit and self.deferred:  # nothing was written: the deferred writes alone
            await self.session(writing=True)
        self.done = True
        self.deferred.clear()
        session, self._session = self._session, None
        try:
            if session is not None:
                try:
                    if commit:
                        await session.commit()
                        if self.pending:
                            self.db.generation += 1
                    else:
                        await session.rollback()
                finally:
                    await session.close()
        finally:
            self.pending = False
            turn, self._turn = self._turn, None
            if turn is not None:
                await turn.__aexit__(None, None, None)


_UNIT: ContextVar[_Unit | None] = ContextVar("partnerbot_unit_of_work", default=None)


def _joinable(db: Database) -> _Unit | None:
    """The current update's unit, for its own task only: a task it starts (which inherits
    the context) must not share its session."""
    unit = _UNIT.get()
    if unit is None or unit.done or unit.db is not db or unit.task is not asyncio.current_task():
        return None
    return unit
