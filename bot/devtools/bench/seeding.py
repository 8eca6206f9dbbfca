"""What the benches that seed a database share: the pulse survey's stored version, and rows
inserted a thousand at a time (one statement each, not one per row as the bot's own code adds
them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.surveys.registry import SurveyRegistry
from conversations import Survey
from storage.db import Database

PULSE = "partner_feedback"
CHUNK = 1000


async def pulse_version(db: Database, surveys_dir: Path | None = None) -> tuple[Survey, int]:
    """The pulse survey and the id of its stored version, as the bot will load them."""
    registry = SurveyRegistry()
    await registry.load(db, surveys_dir)
    found = registry.get(PULSE)
    assert found is not None
    return found


async def insert_chunked(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model), rows[start : start + CHUNK])
