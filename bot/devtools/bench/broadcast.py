"""``partnerbot bench broadcast --contacts 10000``: a meeting reminder due now for 10 000
contacts, through Telegram's limits, while 50 partners keep answering surveys.

The bot runs here, on a durable SQLite file (or ``--database``); the sandbox and the partners
run in a child process (``bot.devtools.bench.broadcast_load``) so this process's CPU and memory are the
bot's own. Before the bot starts, the database is given what a real installation would have:
the contacts, a partnership with all of them, a meeting in two hours whose 2-hour reminder is
due now, and a meeting in eight days whose 7-day and 1-day reminders are still to come —
3 × contacts pending reminders. Start-up is timed with all of them pending. Prints one JSON
line; exits non-zero when a goal is missed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import Clock
from bot.devtools.bench.measure import cpu_s, database_url, peak_rss_mb, percentile, watch_loop
from bot.devtools.bench.seeding import insert_chunked, pulse_version
from bot.devtools.bench.stdio import ready_base_url
from bot.devtools.local import SANDBOX_TOKEN, sandbox_settings, start_bot
from bot.meetings.service import schedule
from storage import surveys
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Contact, Delivery, Organisation, Partnership, PartnershipMember

FIRST_ID = 20_000_000
PARTNER_FIRST_ID = 19_000_000
PARTNERS = 50
SURVEYS_EACH = 15  # enough for a partner to keep answering through the whole push
LANGUAGES = ["en", "fr", "es", "ar", "sw"]
GOALS = {
    "msgs_per_s": 28.5,
    "interactive_p99_ms": 200.0,
    "startup_s_with_30k_pending": 3.0,
    "peak_rss_mb": 150.0,
}


def _awake_hours(now: datetime) -> tuple[str, str]:
    """Quiet hours twelve hours away, so no reminder of the run is held back by them."""
    start = now + timedelta(hours=12)
    return f"{start.hour:02d}:00", f"{(start.hour + 1) % 24:02d}:00"


async def _contacts(db: Database, org_id: int, first_id: int, n: int, now: datetime) -> None:
    quiet_start, quiet_end = _awake_hours(now)
    async with db.transaction() as session:
        await insert_chunked(
            session,
            Contact,
            [
                {
                    "telegram_user_id": first_id + i,
                    "display_name": f"P{first_id + i}",
                    "organisation_id": org_id,
                    "role": "partner",
                    "language": LANGUAGES[i % len(LANGUAGES)],
                    "timezone": "UTC",
                    "status": "active",
                    "consent_at": now,
                    "quiet_start": quiet_start,
                    "quiet_end": quiet_end,
                    "attribution": "aggregate",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(n)
            ],
        )


async def seed(db: Database, contacts: int, survey_version: int) -> dict[str, float]:
    """Everything the bot finds at start-up; returns how long scheduling the reminders took."""
    now = Clock().now()
    async with db.transaction() as session:
        org = Organisation(name="Bench RLO", country="KE", created_at=now)
        survey_org = Organisation(name="Bench survey RLO", country="KE", created_at=now)
        session.add_all([org, survey_org])
        await session.flush()
        org_id, survey_org_id = org.id, survey_org.id
        partnership = Partnership(
            organisation_id=org.id, name="Bench partnership", created_at=now, updated_at=now
        )
        session.add(partnership)
        await session.flush()
        partnership_id = partnership.id
    await _contacts(db, org_id, FIRST_ID, contacts, now)
    await _contacts(db, survey_org_id, PARTNER_FIRST_ID, PARTNERS, now)
    async with db.transaction() as session:
        ids = list(
            await session.scalars(select(Contact.id).where(Contact.organisation_id == org_id))
        )
        await insert_chunked(
            session,
            PartnershipMember,
            [{"partnership_id": partnership_id, "contact_id": c, "side": "partner"} for c in ids],
        )
        partners = await session.execute(
            select(Contact.id, Contact.language).where(Contact.organisation_id == survey_org_id)
        )
        for contact_id, language in partners.all():
            for _ in range(SURVEYS_EACH):
                await surveys.create_response(
                    session,
                    survey_id="partner_feedback",
                    survey_version_id=survey_version,
                    contact_id=contact_id,
                    organisation_id=survey_org_id,
                    language=language,
                    now=now,
                )
    started = time.monotonic()
    planned_at = now - timedelta(minutes=1)  # so the 2-hour reminder is due right now
    meetings = [
        ("other", now + timedelta(hours=2), [120]),  # its 2-hour reminder: due now
        ("quarterly", now + timedelta(days=8), [7 * 1440, 1440]),  # both still to come
    ]
    async with db.transaction() as session:
        for kind, starts_at, reminder_offsets in meetings:
            await schedule(
                session,
                partnership_id=partnership_id,
                kind=kind,
                starts_at=starts_at,
                organiser_timezone="UTC",
                organiser_telegram_id=None,
                created_by=None,
                place="https://meet.example.org/bench",
                agenda=None,
                reminder_offsets=reminder_offsets,
                now=planned_at,
                invite=False,
            )
    return {"schedule_s": round(time.monotonic() - started, 2)}


async def _states(db: Database) -> dict[str, int]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(Delivery.state, func.count())
            .where(Delivery.kind == "reminder")
            .group_by(Delivery.state)
        )
        return {str(state): int(n) for state, n in rows.all()}


async def run(
    contacts: int, think: float, database: str | None, lost_replies: float = 0.0
) -> dict[str, Any]:
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # "instance still running" notes
    url = database_url(database, "partnerbot-bench-")
    load = subprocess.Popen(  # noqa: ASYNC220 - started once, before the bot; read in an executor
        [
            sys.executable,
            "-m",
            "bot.devtools.bench.broadcast_load",
            "--contacts",
            str(contacts),
            "--first-id",
            str(FIRST_ID),
            "--partners",
            str(PARTNERS),
            "--partner-first-id",
            str(PARTNER_FIRST_ID),
            "--think",
            str(think),
            "--token",
            SANDBOX_TOKEN,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert load.stdout is not None and load.stdin is not None
    base_url = ready_base_url(load.stdout.readline())
    if lost_replies:  # the ambiguous case: sent, and the answer never comes back
        await _set_faults(base_url, {"lost_reply_rate": lost_replies, "seed": 7})
    db = Database.connect(url)
    await upgrade(db.engine)
    settings = sandbox_settings(base_url, url, tick_seconds=20)
    _survey, version_id = await pulse_version(db, settings.surveys_dir)
    seeded = await seed(db, contacts, version_id)
    pending_before = (await _states(db)).get("pending", 0)

    cpu_before = cpu_s()
    lags: list[float] = []
    watcher = asyncio.create_task(watch_loop(lags))
    started = time.monotonic()
    bot = await start_bot(settings, db)
    startup_s = time.monotonic() - started
    load.stdin.write("GO\n")
    load.stdin.flush()
    line = await asyncio.get_running_loop().run_in_executor(None, load.stdout.readline)
    elapsed = time.monotonic() - started
    cpu = cpu_s() - cpu_before
    send_stats = bot.services.send_path.stats
    watcher.cancel()
    await bot.stop()
    states = await _states(db)
    await db.close()
    load.stdin.write("STOP\n")
    load.stdin.flush()
    load.wait(timeout=30)
    measured = json.loads(line)
    return {
        "bench": "broadcast",
        "contacts": contacts,
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "sent": states.get("sent", 0),
        "lost": measured["lost"],
        "duplicates": measured["duplicates"],
        "msgs_per_s": measured["msgs_per_s"],
        "reminders_per_s": measured["reminders_per_s"],
        "http_429": measured["http_429"],
        "interactive_p99_ms": measured["interactive_p99_ms"],
        "interactive_p50_ms": measured["interactive_p50_ms"],
        "interactive_samples": measured["interactive_samples"],
        "startup_s_with_30k_pending": round(startup_s, 3),
        "pending_at_startup": pending_before,
        "peak_rss_mb": peak_rss_mb(),
        "push_s": measured["push_s"],
        "bot_cpu_ms_per_reminder": round(cpu * 1000 / max(1, states.get("sent", 0)), 2),
        "loop_lag_p99_ms": percentile(lags, 0.99),
        "loop_lag_max_ms": round(max(lags, default=0.0), 1),
        "load_loop_lag_max_ms": measured["load_loop_lag_max_ms"],
        "survey_answers": measured["survey_answers"],
        "partner_errors": measured["partner_errors"],
        "send_path_429_retries": send_stats.retried_429,
        "reminders_still_pending": states.get("pending", 0),
        "lost_reply_rate": lost_replies,
        "uncertain": send_stats.uncertain,
        "elapsed_s": round(elapsed, 1),
        **seeded,
        "error_samples": measured["error_samples"],
    }


def goals_met(result: dict[str, Any]) -> bool:
    return (
        result["lost"] == 0
        and result["duplicates"] == 0
        and result["http_429"] == 0
        and result["msgs_per_s"] >= GOALS["msgs_per_s"]
        and result["interactive_p99_ms"] < GOALS["interactive_p99_ms"]
        and result["startup_s_with_30k_pending"] < GOALS["startup_s_with_30k_pending"]
        and result["peak_rss_mb"] <= GOALS["peak_rss_mb"]
    )


async def _set_faults(base_url: str, faults: dict[str, Any]) -> None:
    """Through the sandbox's control API (it runs in the load process)."""
    import aiohttp

    control = base_url.rsplit("/bot", 1)[0] + "/sandbox/faults"
    async with aiohttp.ClientSession() as http, http.post(control, json=faults) as answer:
        answer.raise_for_status()


def main(contacts: int, think: float, database: str | None = None, lost: float = 0.0) -> int:
    result = asyncio.run(run(contacts, think, database, lost))
    print(json.dumps(result))
    return 0 if goals_met(result) else 1
