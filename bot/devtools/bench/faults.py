"""``partnerbot bench faults --trials 100``: nothing a partner sent is lost, nothing applied twice.

The bot runs as its own OS process (``python -m bot run``) against a sandbox Bot API server
and a database file, while partners (``bot.devtools.bench.faults_load``) answer
``partner_feedback`` survey after survey. The bench kills the bot with SIGKILL at a random
moment 0.2–2 s after each start (``--trials`` times, a start counts once the new process asks
the sandbox for updates) and starts it again. The last start is the clean run: partners stop,
the bot takes everything still waiting (the sandbox has nothing unconfirmed, the inbox nothing
to replay), then gets SIGTERM and finishes what it was doing. The sandbox and the partners live
in this process, so they outlive every kill and their record is complete. Prints one JSON line.

The figures (``bot.devtools.bench.faults_judge`` computes them from the sandbox's record of
what it delivered and what the bot did in each chat, the callback queries and whether they were
answered, the partners' log of what they sent, and the database):

``lost_updates``
    Updates a partner sent that had no effect at all. A press has an effect if the bot
    answered its callback query, or (an answer button) the database holds an answer to that
    question of that response, or (a survey's Start button) the pressed message was edited
    afterwards. A typed answer carries a unique tag; it has an effect if the tag is in a stored
    answer or in anything the bot showed. ``/surveys`` has an effect if a list came back: per
    chat, commands minus lists. ``lost_update_fates`` says where each lost one stopped
    (claimed, still in the inbox, never stored).
``lost_answers``
    Answers the bot acknowledged that the database does not hold. Acknowledged: the question's
    message was edited to show "✓ …", or a later question of the same response was shown, or
    the response's thank-you came.
``duplicate_answers``
    Two answer rows for one question of one response, plus answers stored a second time:
    every storing takes the response's next ``seq`` and the partners never go Back, so seqs
    beyond the number of rows are answers applied again.
``wrong_screen_edits``
    A message that showed one question (with its buttons) edited into another question: a new
    keyboard for another question, or a text holding another question's text.
``lost_confirmations``
    Completed responses whose chat got no thank-you (a thank-you belongs to the response whose
    question was shown last before it). ``thanked_not_completed`` is the reverse.
``duplicate_sends``
    The same question sent as a new message twice for one response, or two thank-yous.

Also: ``partner_stalls`` (a partner waited ``--patience`` seconds for the next question and
started again from /surveys: the bot applied or lost the answer but said nothing),
``updates_unclaimed`` and ``updates_given_up`` (left in the inbox after
``storage.inbox.MAX_REPLAYS`` start-ups), restart times, and a few examples per non-zero
figure; ``workdir`` keeps the bot's log and every chat's transcript.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select

from bot.clock import Clock
from bot.devtools.bench.faults_judge import judge, read_stored
from bot.devtools.bench.faults_load import DeliveryWatch, Partner, Sent
from bot.devtools.bench.measure import percentile
from bot.devtools.bench.seeding import pulse_version
from bot.devtools.local import SANDBOX_TOKEN
from bot.devtools.sandbox import Limits, Sandbox
from conversations import Survey
from storage import surveys as survey_store
from storage.db import Database
from storage.inbox import MAX_REPLAYS
from storage.migrate import upgrade
from storage.models import Contact, InboxUpdate, Organisation, ProcessedUpdate

FIRST_ID = 20_000_000
LANGUAGES = ["en", "fr", "es", "ar", "sw"]
READY_TIMEOUT_S = 120.0
SETTLE_TIMEOUT_S = 120.0


class BotProcess:
    """``python -m bot run`` against the sandbox, started, killed and stopped on demand."""

    def __init__(self, env: dict[str, str], log: IO[bytes], workdir: Path) -> None:
        self.env = env
        self.log = log
        self.workdir = workdir
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, watch: DeliveryWatch) -> float:
        """Start the bot; seconds until it asks the sandbox for updates (its first getUpdates
        comes after the inbox is replayed, so from then on it is taking updates)."""
        watch.polled.clear()
        started = time.monotonic()
        self.process = process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=self.env,
            cwd=self.workdir,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
        )
        ready = asyncio.create_task(watch.polled.wait())
        died = asyncio.create_task(process.wait())
        done, _ = await asyncio.wait(
            {ready, died}, timeout=READY_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED
        )
        for task in (ready, died):
            task.cancel()
        if ready not in done:
            raise RuntimeError(
                f"the bot did not start (exit code {process.returncode}); see {self.log.name}"
            )
        return time.monotonic() - started

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def terminate(self) -> tuple[int | None, float]:
        """SIGTERM; the exit code and the seconds the bot took to stop."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout=60)
        except TimeoutError:
            await self.kill()
            code = None
        return code, round(time.monotonic() - started, 2)


async def _seed(db: Database, partners: int, surveys_each: int) -> tuple[Survey, dict[int, str]]:
    """The survey's current version, and partners each with ``surveys_each`` invitations to it
    (no pushes: they ask with /surveys, so the dispatcher stays out of this measurement)."""
    survey, version_id = await pulse_version(db)
    now = Clock().now()
    languages = {FIRST_ID + i: LANGUAGES[i % len(LANGUAGES)] for i in range(partners)}
    async with db.transaction() as session:
        if await session.scalar(select(func.count()).select_from(ProcessedUpdate)):
            raise SystemExit("bench faults needs an empty database: update ids restart at 1")
        org = Organisation(name="Faults RLO", country="KE", created_at=now)
        session.add(org)
        await session.flush()
        for user_id, lang in languages.items():
            contact = Contact(
                telegram_user_id=user_id,
                display_name=f"P{user_id}",
                organisation_id=org.id,
                role="partner",
                language=lang,
                timezone="UTC",
                status="active",
                consent_at=now,
                quiet_start="00:00",
                quiet_end="00:01",
                created_at=now,
                updated_at=now,
            )
            session.add(contact)
            await session.flush()
            for _ in range(surveys_each):
                await survey_store.create_response(
                    session,
                    survey_id="partner_feedback",
                    survey_version_id=version_id,
                    contact_id=contact.id,
                    organisation_id=org.id,
                    language=lang,
                    now=now,
                )
    return survey, languages


async def _settled(sandbox: Sandbox, db: Database) -> bool:
    """Wait until every update reached the handlers: the sandbox holds none unconfirmed and the
    inbox none still to be replayed (a claim takes an update out of the inbox)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while time.monotonic() < deadline:
        if sandbox.updates.pending_count == 0:
            async with db.sessions() as session:
                waiting = await session.scalar(
                    select(func.count())
                    .select_from(InboxUpdate)
                    .where(InboxUpdate.replays < MAX_REPLAYS)
                )
            if not waiting:
                return True
        await asyncio.sleep(0.05)  # a condition checked again, not a guess at a duration
    return False


def _bot_env(base_url: str, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    env.update(
        PARTNERBOT_TOKEN=SANDBOX_TOKEN,
        PARTNERBOT_BOT_API_URL=base_url,
        PARTNERBOT_BOT_API_FILE_URL=base_url.replace("/bot", "/file/bot"),
        PARTNERBOT_DATABASE_URL=database_url,
        PARTNERBOT_TICK_SECONDS="0",  # no pushes: only the partners' own updates
        PYTHONUNBUFFERED="1",
    )
    return env


async def run(
    trials: int = 100,
    partners: int = 6,
    database: str | None = None,
    *,
    seed: int = 1,
    kill_after: tuple[float, float] = (0.2, 2.0),
    think: tuple[float, float] = (0.05, 0.4),
    patience: float = 15.0,
    workdir: Path | None = None,
) -> dict[str, Any]:
    workdir = workdir or Path(tempfile.mkdtemp(prefix="partnerbot-faults-"))
    url = database or f"sqlite+aiosqlite:///{workdir / 'faults.sqlite3'}"
    rng = random.Random(seed)
    sandbox = Sandbox(
        token=SANDBOX_TOKEN,
        bot_username="partner_faults_bot",
        limits=Limits(global_enabled=False, chat_enabled=True),
    )
    watch = DeliveryWatch(sandbox.updates)
    await sandbox.start(host="127.0.0.1", port=0)
    db = Database.connect(url)
    log: list[Sent] = []
    started = time.monotonic()
    try:
        await upgrade(db.engine)
        survey, languages = await _seed(db, partners, surveys_each=max(20, trials))
        crowd = [
            Partner(sandbox, uid, lang, random.Random(rng.random()), think, patience, log)
            for uid, lang in languages.items()
        ]
        bot_log = await asyncio.to_thread(open, workdir / "bot.log", "ab")
        try:
            bot = BotProcess(_bot_env(sandbox.base_url, url), bot_log, workdir)
            starts = [await bot.start(watch)]
            tasks = [asyncio.create_task(p.run()) for p in crowd]
            for _trial in range(trials):
                await asyncio.sleep(rng.uniform(*kill_after))  # the fault: a kill at random
                await bot.kill()
                starts.append(await bot.start(watch))
            for task in tasks:  # the clean run: partners stop, the bot catches up
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            settled = await _settled(sandbox, db)
            exit_code, stop_s = await bot.terminate()
        finally:
            bot_log.close()
        elapsed = time.monotonic() - started
        stored = await read_stored(db, languages)
        figures, examples = judge(sandbox, survey, languages, log, watch.delivered, stored)
        for uid in languages:
            (workdir / f"chat-{uid}.txt").write_text(sandbox.transcript(uid, times=True))
    finally:
        await db.close()
        await sandbox.stop()
    return {
        "bench": "faults",
        "trials": trials,
        "partners": partners,
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        **{k: figures[k] for k in ("lost_updates", "lost_answers", "duplicate_answers")},
        **figures,
        "partner_stalls": sum(p.stalls for p in crowd),
        "restarts": len(starts) - 1,
        "start_s_p50": percentile(starts, 0.5),
        "start_s_max": round(max(starts), 2),
        "settled": settled,
        "exit_code": exit_code,
        "stop_s": stop_s,
        "elapsed_s": round(elapsed, 1),
        "workdir": str(workdir),
        "examples": examples,
    }


def main(trials: int, partners: int, database: str | None = None, seed: int = 1) -> int:
    result = asyncio.run(run(trials, partners, database, seed=seed))
    print(json.dumps(result, ensure_ascii=False))
    kept = not (result["lost_updates"] or result["lost_answers"] or result["duplicate_answers"])
    return 0 if kept and result["settled"] else 1
