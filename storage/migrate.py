"""Bring a database's schema up to date with the Alembic migrations shipped in this package.

The bot and the demo call this on start, so nobody has to remember a manual step.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def is_known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of the migrations shipped here (a database stamped by a
    newer partnerbot is not: this code cannot read nor upgrade it)."""
    try:
        script = ScriptDirectory.from_config(_config()).get_revision(revision)
    except Exception:  # alembic raises its own errors for unknown or malformed ids
        return False
    return script is not None and script.revision == revision  # no partial ids


async def _migrate(engine: AsyncEngine, run: Callable[[Connection], None]) -> None:
    """Run migrations on one connection; on SQLite with foreign keys off meanwhile.

    SQLite cannot alter a table in place, so batch migrations copy it, drop the old one and
    rename the copy. With foreign keys on, that drop would cascade-delete every row that
    points at the table (a report-back's replies, say). The pragma is ignored inside a
    transaction, so it is set before the migration's transaction and restored after it.
    """
    async with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await conn.commit()
        try:
            await conn.run_sync(run)
            await conn.commit()
        except BaseException:
            await conn.rollback()
            raise
        finally:
            if sqlite:
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    def run(connection: Connection) -> None:
        command.upgrade(_config(connection), revision)

    await _migrate(engine, run)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    def run(connection: Connection) -> None:
        command.downgrade(_config(connection), revision)

    await _migrate(engine, run)


async def current_revision(engine: AsyncEngine) -> str | None:
    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(read)
