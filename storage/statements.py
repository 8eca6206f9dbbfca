"""Statements of the answer path, built once.

SQLAlchemy caches a statement's compiled SQL, but building the statement object and its cache
key on every call is Python work repeated for every answer of every partner (≈5 % of the
bot's CPU on ``bench survey``). The statements here take their values as bound parameters, so
one object per statement (and per dialect, where the SQL differs) serves every call.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_of(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def insert_module(dialect: str) -> Any:
    """The dialect's ``insert`` with ON CONFLICT (SQLite and PostgreSQL spell it alike)."""
    return postgresql if dialect == "postgresql" else sqlite


def per_dialect(build: Callable[[str], Any]) -> Callable[[AsyncSession], Any]:
    """``build(dialect)`` once per dialect; the result's callable takes the session."""
    built = cache(build)

    def statement(session: AsyncSession) -> Any:
        return built(dialect_of(session))

    return statement
