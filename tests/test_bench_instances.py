"""``partnerbot bench instances`` in short: two bot processes on one PostgreSQL database push a
campaign through the sandbox with Telegram's limits on; one is the dispatcher, it is killed
with SIGKILL midway, the other takes over, and nobody is refused with 429 or left out.

Its own database (``<test database>_bench_instances``), made and dropped here: the shared test
database's schema is dropped by other tests' fixtures (``tests/conftest.py``). It takes about
35 s: the dead process's claims come back only once their lease runs out
(``storage.deliveries.CLAIM_LEASE``, 30 s).

Nothing twice: a push the killed process had put on the wire is recorded as sent "uncertain"
once its lease runs out, never sent again (``storage.deliveries.settle_lost_sends``). The price
is that a kill between that mark and the request reaching the sandbox loses the push; such a
loss is always one of the "uncertain" ones.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.devtools.bench.instances import run
from storage.db import Database
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(
    not PG_URL or make_url(PG_URL).get_backend_name() != "postgresql",
    reason="PARTNERBOT_TEST_DATABASE_URL is not a PostgreSQL URL (the dispatcher lock is "
    "PostgreSQL's advisory lock)",
)


async def _recreate(admin_url: str, name: str, *, again: bool) -> None:
    admin = Database.connect(admin_url)
    try:
        async with admin.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if again:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.close()


@pytest.fixture
async def own_database() -> AsyncIterator[str]:
    assert PG_URL is not None
    base = make_url(PG_URL)
    name = f"{base.database}_bench_instances"
    await _recreate(PG_URL, name, again=True)
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        await _recreate(PG_URL, name, again=False)


async def test_two_instances_one_killed_midway_push_everything_within_limits(
    own_database: str, tmp_path: Path
) -> None:
    result = await run(
        instances=2, pushes=150, database=own_database, tick_seconds=1, workdir=tmp_path
    )
    shown = json.dumps(result, ensure_ascii=False, indent=1)
    assert len(result["dispatchers_before_kill"]) == 1, shown  # one pushes at a time
    assert result["holder_found_by"] == "pg_locks", shown
    assert result["takeover_s"] is not None and result["takeover_s"] < 5, shown
    assert result["takeover_by"] not in (None, result["killed"]), shown
    assert result["settled"], shown
    assert result["http_429"] == 0, shown
    assert result["duplicates"] == 0 and result["duplicates_reclaimed"] == 0, shown
    assert result["lost"] <= result["uncertain"], shown
    assert result["states_final"] == {"sent": 150}, shown
    survivor = 2 if result["killed"] == 1 else 1
    assert result["exit_codes"][survivor - 1] == 0, shown
    assert result["exit_codes"][result["killed"] - 1] == -9, shown
