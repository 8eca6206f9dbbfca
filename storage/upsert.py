"""Insert-if-absent that works the same on SQLite and PostgreSQL."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from storage.statements import dialect_of, insert_module


async def insert_ignore(session: AsyncSession, table: Table, values: dict[str, Any]) -> bool:
    """Insert a row unless its key exists; return True when this call inserted it.

    This is what makes claims race-free across two bot processes: exactly one insert wins.
    """
    result = await session.execute(_insert_ignore(dialect_of(session), table), values)
    return bool(result.rowcount)


@cache
def _insert_ignore(dialect: str, table: Table) -> Any:
    """Built once per table: the columns come from the parameters of each call."""
    return insert_module(dialect).insert(table).on_conflict_do_nothing()
