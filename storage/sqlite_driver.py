"""aiosqlite for SQLAlchemy with one trip to the database thread per statement.

aiosqlite runs each SQLite connection in a thread of its own, and every call on it is a trip
there and back: a queue put, a thread switch and a wake-up of the event loop (about 20-40 µs
of CPU on this project's 2-core machine). SQLAlchemy's stock adapter makes four trips for a
SELECT (open a cursor, execute, fetch, close) and three for a write, and one more to roll
back a session that only read, which SQLite had nothing to undo for. An answer runs about
seventeen statements, so the trips cost more than SQLite's own work.

Here a statement is opened, executed, fetched and closed in one trip, and a rollback with no
transaction open is skipped. Results are the same rows the stock adapter gives: it too fetches
everything before the statement returns. Used through ``create_async_engine(module=...)``, so
URLs, Alembic and server-side cursors (``stream``) stay SQLAlchemy's own.

It reaches into aiosqlite's ``_execute`` and ``_conn``, as SQLAlchemy's adapter does; both
are pinned (``constraints.txt``) and ``tests/test_sqlite_driver.py`` covers the behaviour.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_


def _run(
    conn: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[Any, list[Any] | None, int, int | None, bool]:
    """In the connection's thread: the whole statement, and what SQLAlchemy asks after it."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid, conn.in_transaction
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statement runs in one trip; its figures are kept from that trip."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: OneTripConnection) -> None:
        # No aiosqlite cursor is opened here: that would be a trip of its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}
        self._rows = deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        return None

    async def _async_soft_close(self) -> None:
        return None  # nothing is left open: the rows are already here

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._trip(operation, seq_of_parameters, many=True)

    async def _trip(self, operation: Any, parameters: Any, *, many: bool) -> None:
        adapt = self._adapt_connection
        async with adapt._execute_mutex:
            connection = self._connection
            try:
                found = await connection._execute(
                    _run, connection._conn, operation, parameters, many
                )
            except BaseException:
                adapt.in_transaction = True  # not known: the next rollback must run
                raise
        self._description, rows, self._rowcount, self._lastrowid, adapt.in_transaction = found
        self._rows = deque(rows or ())


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """Statements through ``OneTripCursor``; a rollback only when a transaction is open."""

    __slots__ = ("in_transaction",)
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: aiosqlite.Connection) -> None:
        super().__init__(dbapi, connection)
        self.in_transaction = True  # until a statement tells otherwise

    def cursor(self, server_side: bool = False) -> Any:
        if server_side:  # a stream runs on aiosqlite's own cursor, which this cannot watch
            self.in_transaction = True
        return super().cursor(server_side)

    def rollback(self) -> None:
        if self.in_transaction:
            super().rollback()
            self.in_transaction = False

    def commit(self) -> None:
        super().commit()
        self.in_transaction = False


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect is given (``module=``)."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        creator = kw.pop("async_creator_fn", None)
        connection = creator(*arg, **kw) if creator else self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True
        return OneTripConnection(self, await_(connection))


def dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)
