"""``partnerbot backup`` and ``restore``: the database side.

**SQLite** (the default): ``backup`` copies the database file named by the URL with SQLite's
online backup API (``sqlite3.Connection.backup``) in one step, inside one read transaction, so
the copy is a consistent snapshot of what was committed when it began — safe while the bot
runs and writes (the database is in WAL mode: readers and writers do not block each other; a
transaction still open in another connection is simply not in the copy). The copy is written
next to ``PATH`` under a temporary name, switched to a self-contained file (no ``-wal``),
checked with ``PRAGMA integrity_check`` and only then renamed to ``PATH``, so ``PATH`` never
holds half a backup. ``restore`` copies a backup the same way into the database named by the
URL, only if that database is empty (no tables), and only a backup whose schema revision this
partnerbot knows (``storage.migrate``); ``partnerbot run`` migrates it on from there.

**PostgreSQL**: the tools that ship with PostgreSQL do this better than we could (consistent
snapshots of a live database, parallel restore, versions across servers), so ``backup`` and
``restore`` print the ``pg_dump`` / ``pg_restore`` line for the configured database instead —
without its password (libpq reads ``PGPASSWORD`` or ``~/.pgpass``). ``restore`` still checks
first that the target database is empty.

Nothing here prints a row's content: only table names and counts.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import head_revision, is_known_revision

BUSY_TIMEOUT_S = 30.0


class BackupError(Exception):
    """Refused or failed; the message is one line for the operator (no row content)."""


@dataclass(frozen=True)
class Contents:
    """What a database holds: rows per table (``alembic_version`` included) and its revision."""

    rows: dict[str, int]
    revision: str | None

    @property
    def tables(self) -> int:
        return len(self.rows)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        revision = self.revision or "none"
        return f"{self.tables} tables, {self.total_rows} rows, schema revision {revision}"


# ---------------------------------------------------------------------------------- SQLite


def sqlite_path(url: str) -> Path:
    """The file an SQLite URL names; refuses in-memory databases."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupError("the database is in memory: there is no file to back up or restore")
    return Path(database)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    return conn


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_contents(conn: sqlite3.Connection) -> Contents:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    rows = {
        name: conn.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0] for name in names
    }
    revision = None
    if "alembic_version" in rows:
        found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = found[0] if found else None
    return Contents(rows, revision)


def _integrity(conn: sqlite3.Connection) -> None:
    result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise BackupError(f"integrity check failed: {result[0]}")


def backup_sqlite(url: str, target: Path) -> Contents:
    """Copy the live database to ``target`` (which must not exist); returns what it holds."""
    source = sqlite_path(url)
    target = Path(target)
    if not source.is_file():
        raise BackupError(f"no database file at {source}")
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name")
    if target.resolve() == source.resolve():
        raise BackupError("the backup must not be the database file itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    src = _connect(source)
    try:
        with contextlib.closing(sqlite3.connect(str(partial), isolation_level=None)) as dst:
            src.backup(dst)  # all pages in one step: one read transaction, one snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _integrity(dst)
            contents = sqlite_contents(dst)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except sqlite3.Error as err:
        raise BackupError(f"backup failed: {type(err).__name__}: {err}") from err
    finally:
        src.close()
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return contents


def _check_backup_file(source: Path) -> Contents:
    """A backup we can restore: a sound SQLite file stamped with a revision we know."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    try:
        with contextlib.closing(_read_only(source)) as conn:
            _integrity(conn)
            contents = sqlite_contents(conn)
    except sqlite3.Error as err:
        raise BackupError(f"{source} is not an SQLite database ({err})") from err
    if contents.revision is None:
        raise BackupError(f"{source} has no schema revision: not a partnerbot backup")
    if not is_known_revision(contents.revision):
        raise BackupError(
            f"{source} is at schema revision {contents.revision}, which this partnerbot does "
            f"not know (its newest is {head_revision()}): restore it with the version that "
            "made it, or a newer one"
        )
    return contents


def restore_sqlite(source: Path, url: str) -> Contents:
    """Copy the backup ``source`` into the (empty) database named by ``url``."""
    source = Path(source)
    target = sqlite_path(url)
    backup = _check_backup_file(source)
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError("the backup and the database are the same file")
    target.parent.mkdir(parents=True, exist_ok=True)
    created = not target.exists()
    try:
        with contextlib.closing(_connect(target)) as dst:
            present = sqlite_contents(dst)
            if present.tables:
                raise BackupError(
                    f"the database at {target} is not empty ({present.describe()}): restore "
                    "only into an empty database (a new file name, or remove this one after "
                    "backing it up)"
                )
            with contextlib.closing(_read_only(source)) as src:
                src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # as the bot opens it (storage.db)
            _integrity(dst)
            restored = sqlite_contents(dst)
    except sqlite3.Error as err:
        if created:  # leave no half-restored file behind
            for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        raise BackupError(f"restore failed: {type(err).__name__}: {err}") from err
    if restored.rows != backup.rows:
        raise BackupError("restore failed: the restored tables differ from the backup")
    return restored


# ------------------------------------------------------------------------------ PostgreSQL


def libpq_url(url: str) -> str:
    """The URL for PostgreSQL's own tools: no ``+asyncpg`` driver and no password."""
    parsed = make_url(url)
    query = dict(parsed.query)
    if "ssl" in query and "sslmode" not in query:  # asyncpg's name for libpq's sslmode
        query["sslmode"] = query.pop("ssl")
    bare = URL.create(  # URL.set() reads password=None as "leave it": build anew
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=query,
    )
    return bare.render_as_string(hide_password=False)


def pg_dump_command(url: str, path: Path | str) -> str:
    return (
        f"pg_dump --format=custom --no-owner --file={shlex.quote(str(path))} "
        f"{shlex.quote(libpq_url(url))}"
    )


def pg_restore_command(url: str, path: Path | str) -> str:
    return (
        f"pg_restore --no-owner --exit-on-error --dbname={shlex.quote(libpq_url(url))} "
        f"{shlex.quote(str(path))}"
    )


async def database_contents(engine: AsyncEngine) -> Contents:
    """Tables and row counts of any database the app can open (PostgreSQL: the default schema)."""
    async with engine.connect() as conn:
        names = sorted(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        rows: dict[str, int] = {}
        for name in names:
            quoted = conn.dialect.identifier_preparer.quote(name)
            rows[name] = int(
                (await conn.execute(text(f"SELECT count(*) FROM {quoted}"))).scalar_one()
            )
        revision = None
        if "alembic_version" in rows:
            found = (await conn.execute(text("SELECT version_num FROM alembic_version"))).first()
            revision = found[0] if found else None
    return Contents(rows, revision)
