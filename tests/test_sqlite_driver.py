"""The one-trip SQLite adapter (``storage.sqlite_driver``): the same results as SQLAlchemy's
stock aiosqlite adapter, in fewer trips to the database thread."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import aiosqlite
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.migrate import upgrade
from storage.models import Contact, Organisation

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Counts each call sent to a connection's thread, by the function sent."""
    counted: Counter[str] = Counter()
    original = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        counted[getattr(fn, "__name__", repr(fn))] += 1
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    yield counted


@pytest.fixture
async def lite(sqlite_url: str) -> AsyncIterator[Database]:
    db = Database.connect(sqlite_url)
    await upgrade(db.engine)
    yield db
    await db.close()


def organisation(name: str) -> Organisation:
    return Organisation(name=name, created_at=NOW)


async def test_a_read_is_one_trip_and_its_session_needs_no_rollback(
    lite: Database, trips: Counter[str]
) -> None:
    async with lite.transaction() as session:
        session.add_all([organisation("A"), organisation("B")])
    trips.clear()
    async with lite.sessions() as session:
        names = (await session.scalars(sa.select(Organisation.name).order_by("name"))).all()
    assert names == ["A", "B"]
    assert sum(trips.values()) == 1, trips  # the stock adapter: cursor, execute, fetch, close,
    assert "rollback" not in trips  # and a rollback of nothing


async def test_writes_commit_roll_back_and_report_what_they_did(
    lite: Database, trips: Counter[str]
) -> None:
    async with lite.transaction() as session:
        org = organisation("Kept")
        session.add(org)
        await session.flush()
        assert org.id is not None  # the new row's id came back
    trips.clear()
    async with lite.transaction() as session:
        updated = await session.execute(
            sa.update(Organisation).where(Organisation.name == "Kept").values(country="KE")
        )
        assert updated.rowcount == 1  # type: ignore[attr-defined]
    assert trips["commit"] == 1

    # A transaction that wrote and then failed is really rolled back.
    with pytest.raises(RuntimeError):
        async with lite.transaction() as session:
            session.add(organisation("Dropped"))
            await session.flush()
            raise RuntimeError("handler failed")
    assert trips["rollback"] == 1
    async with lite.sessions() as session:
        names = set((await session.scalars(sa.select(Organisation.name))).all())
        country = await session.scalar(sa.select(Organisation.country))
    assert names == {"Kept"}
    assert country == "KE"


async def test_many_rows_in_one_statement_and_a_stream_read(lite: Database) -> None:
    table = Organisation.__table__
    async with lite.transaction() as session:
        result = await session.execute(
            sa.insert(table), [{"name": f"Org {i}", "created_at": NOW} for i in range(50)]
        )
        assert result.rowcount == 50  # type: ignore[attr-defined]
    async with lite.sessions() as session:
        streamed = await session.stream_scalars(sa.select(table.c.name).order_by(table.c.id))
        names = [name async for name in streamed]
    assert names == [f"Org {i}" for i in range(50)]


async def test_a_refused_statement_raises_and_the_connection_goes_on(lite: Database) -> None:
    async with lite.transaction() as session:
        session.add(Contact(telegram_user_id=5, role="partner", language="en", timezone="UTC"))
    with pytest.raises(IntegrityError):
        async with lite.transaction() as session:
            session.add(organisation("Before the error"))
            await session.flush()
            session.add(Contact(telegram_user_id=5, role="partner", language="en", timezone="UTC"))
            await session.flush()
    async with lite.transaction() as session:
        session.add(organisation("After"))
    async with lite.sessions() as session:
        names = set((await session.scalars(sa.select(Organisation.name))).all())
        contacts = await session.scalar(sa.select(sa.func.count()).select_from(Contact))
    assert names == {"After"}  # the write before the error was rolled back with it
    assert contacts == 1
