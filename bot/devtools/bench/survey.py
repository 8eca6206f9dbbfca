"""``partnerbot bench survey --partners 1000 --think 3``: many partners answer at once.

The bot runs here, on a durable SQLite file; the sandbox and the simulated partners run in a
child process (``bot.devtools.bench.survey_load``) so this process's CPU time is the bot's own. Prints
one JSON line.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import time
from typing import Any

from bot import event_loop
from bot.clock import Clock
from bot.devtools.bench.measure import cpu_s, database_url, peak_rss_mb
from bot.devtools.bench.stdio import read_line, send_line, start_survey_load
from bot.devtools.local import SANDBOX_TOKEN, sandbox_settings, start_bot
from storage import campaigns
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Contact, Organisation

FIRST_ID = 10_000_000
LANGUAGES = ["en", "fr", "es", "ar", "sw"]


async def _seed(db: Database, partners: int, survey_version: int) -> None:
    now = Clock().now()
    async with db.transaction() as session:
        org = Organisation(name="Bench RLO", country="KE", created_at=now)
        session.add(org)
        await session.flush()
        session.add_all(
            Contact(
                telegram_user_id=FIRST_ID + i,
                display_name=f"P{i}",
                organisation_id=org.id,
                role="partner",
                language=LANGUAGES[i % len(LANGUAGES)],
                timezone="UTC",
                status="active",
                consent_at=now,
                quiet_start="00:00",
                quiet_end="00:01",
                created_at=now,
                updated_at=now,
            )
            for i in range(partners)
        )
        await session.flush()
        await campaigns.launch(
            session,
            survey_id="partner_feedback",
            survey_version_id=survey_version,
            audience_kind="all",
            audience_value=None,
            due_at=now.replace(year=now.year + 1),
            created_by=None,
            now=now,
        )


async def run(partners: int, think: float, database: str | None) -> dict[str, Any]:
    url = database_url(database, "partnerbot-bench-")
    load, base_url = await start_survey_load(partners, think, SANDBOX_TOKEN, FIRST_ID)
    db = Database.connect(url)
    await upgrade(db.engine)
    settings = sandbox_settings(
        base_url,
        url,
        tick_seconds=0,
        # The sandbox's global limit is off for this benchmark (it measures the bot's own
        # capacity), so the bot's global pacing is lifted too; per-chat pacing stays.
        global_rate_per_s=100_000,
    )
    bot = await start_bot(settings, db)
    survey_version = bot.services.surveys.get("partner_feedback")[1]
    await _seed(db, partners, survey_version)
    profiler = cProfile.Profile() if os.environ.get("PARTNERBOT_BENCH_PROFILE") else None
    cpu_before = cpu_s()
    started = time.monotonic()
    if profiler is not None:
        profiler.enable()
    await send_line(load, "GO")
    line = await read_line(load)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(os.environ["PARTNERBOT_BENCH_PROFILE"])
    elapsed = time.monotonic() - started
    cpu = cpu_s() - cpu_before
    await bot.stop()
    await db.close()
    await send_line(load, "STOP")
    await asyncio.wait_for(load.wait(), timeout=30)
    measured = json.loads(line)
    answers = max(1, measured["answers"])
    return {
        "bench": "survey",
        "partners": partners,
        "think_s": think,
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "answers": measured["answers"],
        "completed": measured["completed"],
        "answers_per_s": round(measured["answers"] / measured["elapsed_s"], 1),
        "p50_ms": measured["p50_ms"],
        "p99_ms": measured["p99_ms"],
        "max_ms": measured["max_ms"],
        "bot_cpu_ms_per_answer": round(cpu * 1000 / answers, 2),
        "errors": measured["errors"],
        "messages_per_survey": measured["messages_per_survey"],
        "bytes_to_partner_per_survey": measured["bytes_to_partner_per_survey"],
        "http_429": measured["http_429"],
        "requests": measured.get("requests", {}),
        "peak_rss_mb": peak_rss_mb(),
        "elapsed_s": round(elapsed, 1),
        "bot_cpu_s": round(cpu, 1),
        "load_cpu_s": measured["load_cpu_s"],
        "error_samples": measured["error_samples"],
    }


async def run_with_reference(partners: int, think: float, database: str | None) -> dict[str, Any]:
    """Ours, then the plain reference bot (``bot.devtools.bench.reference``) under the same load,
    then the durable reference (the same bot committing each change to SQLite first).

    ``cpu_ratio`` is ours over the plain reference, the issue's figure; ``durable_cpu_ratio``
    ours over the durable one, and ``durability_cpu_ratio`` the durable reference over the
    plain one: what storing each answer before replying costs even a minimal bot."""
    from bot.devtools.bench.reference import run_reference

    result = await run(partners, think, database)
    result.update(await run_reference(partners, think, FIRST_ID))
    result.update(await run_reference(partners, think, FIRST_ID, durable=True))
    ours = result["bot_cpu_ms_per_answer"]
    plain = result["reference_cpu_ms_per_answer"]
    durable = result["durable_reference_cpu_ms_per_answer"]
    result["cpu_ratio"] = round(ours / plain, 2) if plain else None
    result["durable_cpu_ratio"] = round(ours / durable, 2) if durable else None
    result["durability_cpu_ratio"] = round(durable / plain, 2) if plain else None
    return result


def main(partners: int, think: float, database: str | None = None, reference: bool = False) -> int:
    # The bot runs on the loop it runs on in production (bot.event_loop).
    if reference:
        result = event_loop.run(run_with_reference(partners, think, database))
        errors = result["errors"] + result["reference_errors"] + result["durable_reference_errors"]
    else:
        result = event_loop.run(run(partners, think, database))
        errors = result["errors"]
    print(json.dumps(result))
    return 0 if errors == 0 else 1
