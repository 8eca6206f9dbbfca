"""Shared fixtures: databases on SQLite always and on PostgreSQL when CI provides one."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database
from storage.migrate import upgrade

PG_URL = os.environ.get("PARTNERBOT_TEST_DATABASE_URL")

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="PARTNERBOT_TEST_DATABASE_URL not set"),
    ),
]


async def reset_postgres(url: str) -> None:
    """Start each PostgreSQL test from an empty schema, as a fresh SQLite file would."""
    db = Database.connect(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await db.close()


async def fresh_database_url(backend: str, tmp_path: Path) -> str:
    if backend == "postgresql":
        assert PG_URL is not None
        await reset_postgres(PG_URL)
        return PG_URL
    return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return await fresh_database_url(request.param, tmp_path)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per run, which ``db`` copies instead of migrating
    again (migrating takes ~0.2 s; copying the file, a few ms). The tests of the migrations
    themselves start from an empty database (``database_url``), as do the bot's tests."""
    path = tmp_path_factory.mktemp("migrated") / "head.sqlite3"

    async def migrate() -> None:
        database = Database.connect(f"sqlite+aiosqlite:///{path}")
        try:
            await upgrade(database.engine)
        finally:
            await database.close()

    asyncio.run(migrate())
    assert not Path(f"{path}-wal").exists()  # closed cleanly: the one file holds everything
    return path


def _copied_migrated(database_url: str, migrated: Path) -> bool:
    """Make a new SQLite database at ``database_url`` a copy of ``migrated``; False when the
    URL is not SQLite's or its file exists already (then it is migrated as usual)."""
    if not database_url.startswith("sqlite+aiosqlite:///"):
        return False
    path = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
    if path.exists():
        return False
    shutil.copyfile(migrated, path)
    return True


@pytest.fixture
async def db(database_url: str, migrated_sqlite: Path) -> AsyncIterator[Database]:
    copied = _copied_migrated(database_url, migrated_sqlite)
    database = Database.connect(database_url)
    if not copied:
        await upgrade(database.engine)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
