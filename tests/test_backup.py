"""``partnerbot backup`` / ``restore``: every table comes back row for row, a restore goes only
into an empty database, and a backup taken mid-write is a consistent snapshot."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, create_engine, insert
from sqlalchemy import types as sa

from bot import log_setup
from bot.cli import main
from storage.backup import BackupError, backup_sqlite, restore_sqlite, sqlite_contents
from storage.db import Database
from storage.migrate import head_revision, upgrade
from storage.models import Base
from tests.conftest import PG_URL, reset_postgres

ROWS = 3


def _value(column: Column[Any], i: int) -> Any:
    """A value of the column's type for row ``i``: the same for the same type and row, so a
    foreign key (typed as the key it points at) finds row ``i`` of its parent."""
    kind = column.type
    if isinstance(kind, sa.Enum):
        members = list(kind.enum_class) if kind.enum_class else list(kind.enums)
        return members[i % len(members)]
    if isinstance(kind, sa.Boolean):
        return i % 2 == 0
    if isinstance(kind, sa.Integer):  # BigInteger too
        return i
    if isinstance(kind, sa.Float):  # Double too
        return i + 0.25
    if isinstance(kind, sa.JSON):
        return {"row": i, "list": [i, "é"]}
    if isinstance(kind, sa.Date):
        return date(2025, 1, i)
    if isinstance(kind, (sa.DateTime, sa.TypeDecorator)):
        return datetime(2025, 1, i, 8, 30, i, 123456, tzinfo=UTC)
    if isinstance(kind, sa.LargeBinary):
        return bytes([i, 0, 255])
    if isinstance(kind, sa.String):  # Text too
        return f"v{i} — مرحبا"
    raise AssertionError(f"no test value for {column.table.name}.{column.name}: {kind!r}")


def build_full_database(path: Path) -> str:
    """A migrated database with ``ROWS`` rows in every table of the models."""
    url = f"sqlite+aiosqlite:///{path}"

    async def migrate() -> None:
        db = Database.connect(url)
        try:
            await upgrade(db.engine)
        finally:
            await db.close()

    asyncio.run(migrate())
    engine = create_engine(f"sqlite:///{path}")  # foreign keys not enforced: any order works
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            rows = [
                {c.name: _value(c, i) for c in table.columns if not c.computed}
                for i in range(1, ROWS + 1)
            ]
            conn.execute(insert(table), rows)
    engine.dispose()
    with sqlite3.connect(path) as conn:
        counts = sqlite_contents(conn).rows
    assert all(counts[t.name] == ROWS for t in Base.metadata.sorted_tables), counts
    return url


def dump(path: Path) -> dict[str, Any]:
    """Every table's schema and rows (sorted), as SQLite stores them."""
    with sqlite3.connect(path) as conn:
        tables = [
            row
            for row in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        result: dict[str, Any] = {}
        for name, sql in tables:
            rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()
            result[name] = (sql, sorted(rows, key=repr))
        result["indexes"] = sorted(
            conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall(),
            key=repr,
        )
    return result


@pytest.fixture
def full(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "live.sqlite3"
    return path, build_full_database(path)


def cli(monkeypatch: pytest.MonkeyPatch, url: str, *argv: str) -> int:
    monkeypatch.setenv("PARTNERBOT_DATABASE_URL", url)
    try:
        return main(list(argv))
    finally:
        log_setup.reset()


def test_backup_and_restore_bring_back_every_row(
    full: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, url = full
    monkeypatch.chdir(tmp_path)
    assert cli(monkeypatch, url, "backup", "backups/first.sqlite3") == 0
    out = capsys.readouterr().out
    tables = len(Base.metadata.tables) + 1  # and alembic_version
    assert f"{tables} tables, {tables * ROWS - ROWS + 1} rows" in out
    backup = tmp_path / "backups" / "first.sqlite3"
    assert [p.name for p in backup.parent.iterdir()] == ["first.sqlite3"]  # no -wal, no temp

    restored = tmp_path / "restored" / "bot.sqlite3"
    assert cli(monkeypatch, f"sqlite+aiosqlite:///{restored}", "restore", str(backup)) == 0
    assert f"schema revision {head_revision()}" in capsys.readouterr().out

    expected = dump(source)
    assert set(expected) >= {t for t in Base.metadata.tables} | {"alembic_version"}
    assert dump(backup) == expected
    assert dump(restored) == expected
    for name in Base.metadata.tables:
        assert len(expected[name][1]) == ROWS


def test_restore_refuses_a_database_that_is_not_empty(
    full: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, url = full
    backup = tmp_path / "b.sqlite3"
    backup_sqlite(url, backup)
    before = dump(source)
    assert cli(monkeypatch, url, "restore", str(backup)) == 1
    assert "is not empty" in capsys.readouterr().err
    assert dump(source) == before

    # A migrated database without a row is not empty either: it has tables.
    other = tmp_path / "migrated.sqlite3"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{other}"))
    with pytest.raises(BackupError, match="not empty"):
        restore_sqlite(backup, f"sqlite+aiosqlite:///{other}")


async def _migrate(url: str) -> None:
    db = Database.connect(url)
    try:
        await upgrade(db.engine)
    finally:
        await db.close()


def test_a_backup_during_an_open_write_transaction_is_consistent(
    full: tuple[Path, str], tmp_path: Path
) -> None:
    source, url = full
    committed = dump(source)
    writer = sqlite3.connect(source, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM answers")
        writer.execute("UPDATE organisations SET name = 'changed'")
        backup = tmp_path / "mid-write.sqlite3"
        contents = backup_sqlite(url, backup)  # the writer still holds its transaction
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert contents.rows["answers"] == ROWS
    assert dump(backup) == committed  # what was committed when it began, nothing of the rest
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert dump(source)["answers"][1] == []


def test_backup_refuses_to_overwrite_and_restore_checks_the_file(
    full: tuple[Path, str], tmp_path: Path
) -> None:
    _, url = full
    backup = tmp_path / "b.sqlite3"
    backup_sqlite(url, backup)
    with pytest.raises(BackupError, match="already exists"):
        backup_sqlite(url, backup)

    target = tmp_path / "new" / "bot.sqlite3"
    with pytest.raises(BackupError, match="no backup file"):
        restore_sqlite(tmp_path / "missing.sqlite3", f"sqlite+aiosqlite:///{target}")
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("not a database " * 100)
    with pytest.raises(BackupError, match="not an SQLite database"):
        restore_sqlite(not_sqlite, f"sqlite+aiosqlite:///{target}")

    with sqlite3.connect(backup) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(BackupError, match="revision 9999, which this partnerbot does not know"):
        restore_sqlite(backup, f"sqlite+aiosqlite:///{target}")
    assert not target.exists()


@pytest.mark.skipif(not PG_URL, reason="PARTNERBOT_TEST_DATABASE_URL not set")
def test_postgresql_gets_the_pg_dump_and_pg_restore_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert PG_URL is not None
    asyncio.run(reset_postgres(PG_URL))
    with_password = PG_URL.replace("postgres@", "postgres:hunter2-secret@", 1)
    monkeypatch.chdir(tmp_path)

    assert cli(monkeypatch, with_password, "backup", "pg.dump") == 2
    err = capsys.readouterr().err
    assert "pg_dump --format=custom --no-owner --file=pg.dump postgresql://postgres@" in err
    assert "hunter2" not in err
    assert "+asyncpg" not in err
    assert not (tmp_path / "pg.dump").exists()

    assert cli(monkeypatch, with_password, "restore", "pg.dump") == 2  # empty: the line
    err = capsys.readouterr().err
    assert "pg_restore --no-owner --exit-on-error --dbname=postgresql://postgres@" in err
    assert "hunter2" not in err

    asyncio.run(_migrate(PG_URL))
    assert cli(monkeypatch, PG_URL, "restore", "pg.dump") == 1  # not empty: refused
    assert "is not empty" in capsys.readouterr().err
