"""A stored survey version that no longer reads leaves the bot able to start.

Answers given under an old version stay readable because every stored version is loaded at
start-up. A damaged definition in the database (or one in a format a release dropped) once
stopped that start-up for everyone; now it is left out and logged, and only responses under it
cannot be continued.
"""

from __future__ import annotations

import logging

import pytest

from bot.surveys.registry import SurveyRegistry
from storage import surveys as survey_store
from storage.db import Database
from storage.types import utcnow


async def test_an_unreadable_stored_version_is_left_out_and_the_rest_loads(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with db.transaction() as session:
        broken = await survey_store.register_version(
            session,
            survey_id="pulse",
            version=1,
            fingerprint="damaged",
            definition={"id": "pulse"},  # no version, title, questions, ...
            now=utcnow(),
        )
    registry = SurveyRegistry()
    with caplog.at_level(logging.ERROR, logger="bot.surveys.registry"):
        await registry.load(db)
    assert "partner_feedback" in registry.current  # the shipped surveys are all there
    assert registry.cached(broken) is None
    assert await registry.for_version(db, broken) is None  # asked again later: still None
    assert f"stored survey version {broken} cannot be read" in caplog.text
