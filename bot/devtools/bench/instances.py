"""``partnerbot bench instances --instances 2 --pushes 3000 --database URL``: several bot
processes on one PostgreSQL database, one push, and the dispatcher killed midway.

As in ``bench shutdown`` (whose seeding and helpers this reuses): the database holds
``--pushes`` contacts and an open survey campaign whose invitation to each is due now, and the
bot runs as OS processes (``python -m bot run``) against a sandbox Bot API server in this
process with Telegram's limits on (global 30/s, per chat). Here ``--instances`` processes start
at once against the same database and sandbox. Only the holder of the dispatcher's advisory
lock (``storage.dispatch_lock``) may push, so together they keep to Telegram's limit. Once a
third of the invitations have arrived the holder gets SIGKILL (found from ``pg_locks``: the
lock's session, its client port, the bot process owning that socket; else from the logs); one
of the others must take the role over at its next periodic tick (``--tick-seconds``) and finish
the push, including what the dead process had claimed (its claims come back once their lease,
``storage.deliveries.CLAIM_LEASE``, runs out). Once every invitation is settled the rest get
SIGTERM. Only PostgreSQL: SQLite has no advisory lock (there every process would push).
Prints one JSON line.

The figures, from the sandbox's record (what Telegram would have received) and the database:

``dispatchers_before_kill``
    Instances (numbered from 1) whose log says they became the dispatcher before the kill
    (goal: exactly one).
``killed``, ``holder_found_by``
    The instance killed, and how it was found to hold the lock (``pg_locks``, ``log``, or
    ``fallback``: instance 1).
``takeover_s``, ``takeover_by``
    Seconds from the SIGKILL to the next message the sandbox received, and the instance that
    holds the lock afterwards.
``delivered``, ``delivered_per_chat``
    Messages the recipients received, and how many chats received 0, 1, 2... of them.
``duplicates``
    Chats that received the invitation more than once (goal: 0), not counting those whose
    delivery is recorded as sent with detail "uncertain" (the ambiguous-send policy,
    ``bot/send_outcomes.py``): ``duplicates_uncertain``. ``reclaimed`` counts deliveries
    claimed more than once (the dead process's claims, sent by another).
``lost``
    Contacts who never received it: ``sent_not_received`` plus ``never_sent`` (goal: 0).
``http_429``
    Requests the sandbox refused for going over Telegram's limits (goal: 0).
``http_409``
    getUpdates calls ended with 409 Conflict: every instance long-polls with the same token,
    and each poll ends the other's (the bot retries, slower each time; not a goal).
``msgs_per_s``
    Messages received over the time from the first to the last, takeover included;
    ``msgs_per_s_before_kill`` up to the kill.
``exit_codes``, ``stop_s``
    Per instance (-9 for the one killed); the others' seconds from SIGTERM to exit.

``workdir`` keeps each process's log (``bot-1.log``, ``bot-2.log``, ...).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bot.devtools.bench.faults import BotProcess, _bot_env
from bot.devtools.bench.faults_load import DeliveryWatch
from bot.devtools.bench.shutdown import FIRST_ID, SETTLED, SLACK_S, _per_contact, _states, seed
from bot.devtools.local import SANDBOX_TOKEN
from bot.devtools.sandbox import Limits, Sandbox
from storage.db import Database
from storage.deliveries import CLAIM_LEASE
from storage.dispatch_lock import LOCK_KEY
from storage.migrate import upgrade
from storage.models import Contact, Delivery

KILL_SHARE = 1 / 3
BECAME_DISPATCHER = "this process is now the bulk dispatcher"
SERVING = "long polling"


class _Arrivals(Counter[int]):
    """The sandbox's per-chat delivered counter, also noting when each message arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def __setitem__(self, key: int, value: int) -> None:
        if value > self.get(key, 0):
            self.times.append(time.monotonic())
        super().__setitem__(key, value)


def refuse_unless_postgres(url: str | None) -> str:
    if url is None or make_url(url).get_backend_name() != "postgresql":
        raise SystemExit(
            "bench instances needs a PostgreSQL database (--database postgresql+asyncpg://...): "
            "only one process may push at a time, and on SQLite there is no advisory lock to "
            "decide which (every process would be the dispatcher)"
        )
    return url


async def _until(
    condition: Callable[[], Awaitable[bool]],
    processes: Sequence[BotProcess],
    timeout: float,
    every: float = 0.05,
) -> bool:
    """Check ``condition`` until it holds, every process has exited, or ``timeout`` seconds
    pass; True if it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return True
        if all(p.process is not None and p.process.returncode is not None for p in processes):
            return bool(await condition())
        await asyncio.sleep(every)  # a condition checked again, not a guess at a duration
    return False


def _log_says(path: Path, line: str) -> bool:
    return path.exists() and line in path.read_text(errors="replace")


async def _lock_client_port(db: Database) -> int | None:
    """The client port of the session holding the dispatcher lock in this database."""
    high, low = LOCK_KEY >> 32, LOCK_KEY & 0xFFFFFFFF
    async with db.engine.connect() as conn:
        return await conn.scalar(
            text(
                "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :high "
                "AND l.objid = :low AND l.objsubid = 1 "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"high": high, "low": low},
        )


def _owns_port(pid: int, port: int) -> bool:
    """Whether process ``pid`` has a TCP socket on local ``port`` (Linux ``/proc``)."""
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    for table in ("tcp", "tcp6"):
        try:
            rows = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[9] in inodes:
                return True
    return False


def _owner(bots: Sequence[BotProcess], port: int | None, but: int | None = None) -> int | None:
    """Index of the bot process (other than ``but``) with a socket on ``port``."""
    for i, bot in enumerate(bots):
        if i != but and port is not None and bot.process is not None:
            if bot.process.returncode is None and _owns_port(bot.process.pid, port):
                return i
    return None


async def _holder(
    db: Database, bots: Sequence[BotProcess], logs: Sequence[Path]
) -> tuple[int, str]:
    """Index of the bot process holding the dispatcher lock, and how that was found."""
    found = _owner(bots, await _lock_client_port(db))
    if found is not None:
        return found, "pg_locks"
    said = [i for i, log in enumerate(logs) if _log_says(log, BECAME_DISPATCHER)]
    if len(said) == 1:
        return said[0], "log"
    return 0, "fallback"


async def _reclaimed(db: Database, campaign_id: int) -> set[int]:
    """Telegram ids whose invitation was claimed more than once."""
    async with db.sessions() as session:
        rows = await session.scalars(
            select(Contact.telegram_user_id)
            .join(Delivery, Delivery.contact_id == Contact.id)
            .where(Delivery.campaign_id == campaign_id, Delivery.attempts > 1)
        )
        return {int(uid) for uid in rows.all()}


async def run(
    instances: int = 2,
    pushes: int = 3000,
    database: str | None = None,
    *,
    tick_seconds: float = 20.0,
    workdir: Path | None = None,
) -> dict[str, Any]:
    url = refuse_unless_postgres(database)
    if instances < 2 or pushes < 3:
        raise SystemExit("--instances must be at least 2 and --pushes at least 3")
    workdir = workdir or Path(tempfile.mkdtemp(prefix="partnerbot-instances-"))
    sandbox = Sandbox(token=SANDBOX_TOKEN, bot_username="partner_instances_bot", limits=Limits())
    recipients = range(FIRST_ID, FIRST_ID + pushes)
    for user_id in recipients:  # they joined earlier: the bot may write to them
        sandbox.user(user_id, first_name=f"R{user_id}", language_code="en").chat.started = True
    arrivals = sandbox.stats.delivered = _Arrivals()
    gc.collect()
    gc.freeze()  # thousands of long-lived chats: keep the collector's full passes off them
    watch = DeliveryWatch(sandbox.updates)
    await sandbox.start(host="127.0.0.1", port=0)
    db = Database.connect(url)
    started = time.monotonic()
    logs = [workdir / f"bot-{i + 1}.log" for i in range(instances)]
    files = []
    bots: list[BotProcess] = []
    try:
        await upgrade(db.engine)
        async with db.sessions() as session:
            if await session.scalar(select(func.count()).select_from(Delivery)):
                raise SystemExit("bench instances needs a database without deliveries")
        campaign_id = await seed(db, pushes)
        seed_s = time.monotonic() - started
        env = _bot_env(sandbox.base_url, url)
        env["PARTNERBOT_TICK_SECONDS"] = str(tick_seconds)  # also how soon another takes over
        for log in logs:
            files.append(await asyncio.to_thread(open, log, "ab"))
        bots = [BotProcess(env, f, workdir) for f in files]
        launched = time.monotonic()
        # All at once: each returns when the first of them asks the sandbox for updates.
        await asyncio.gather(*(bot.start(watch) for bot in bots))
        start_s = time.monotonic() - launched
        kill_at = max(1, int(pushes * KILL_SHARE))

        async def midway() -> bool:  # a third delivered, and every instance serving
            return arrivals.total() >= kill_at and all(_log_says(p, SERVING) for p in logs)

        if not await _until(midway, bots, kill_at / 30 * 3 + SLACK_S):
            raise RuntimeError(f"{kill_at} messages never arrived; see {workdir}")
        dispatchers = [i + 1 for i, p in enumerate(logs) if _log_says(p, BECAME_DISPATCHER)]
        victim, found_by = await _holder(db, bots, logs)
        delivered_at_kill = arrivals.total()
        killed_at = time.monotonic()
        await bots[victim].kill()
        reaped = time.monotonic()
        survivors = [bot for i, bot in enumerate(bots) if i != victim]

        async def progressed() -> bool:
            return bool(arrivals.times) and arrivals.times[-1] > reaped

        resumed = await _until(progressed, survivors, 3 * tick_seconds + SLACK_S)
        after_kill = [t for t in arrivals.times if t > reaped]
        takeover_s = round(after_kill[0] - killed_at, 2) if resumed and after_kill else None
        taker = _owner(bots, await _lock_client_port(db), but=victim)
        takeover_by = None if taker is None else taker + 1

        async def all_settled() -> bool:
            states = await _states(db, campaign_id)
            return not any(states.get(state, 0) for state in SETTLED)

        left = pushes - delivered_at_kill
        limit = left / 30 * 3 + CLAIM_LEASE.total_seconds() + 2 * tick_seconds + SLACK_S
        settled = await _until(all_settled, survivors, limit, every=0.2)
        settled_at = time.monotonic()
        stops = await asyncio.gather(*(bot.terminate() for bot in survivors))
        elapsed = time.monotonic() - started
        final = await _states(db, campaign_id)
        per_contact = await _per_contact(db, campaign_id)
        reclaimed = await _reclaimed(db, campaign_id)
    finally:
        for bot in bots:  # a run cut short leaves no bot behind
            if bot.process is not None and bot.process.returncode is None:
                await bot.kill()
        for f in files:
            f.close()
        await db.close()
        await sandbox.stop()
    stopped = iter(stops)
    exit_codes, stop_s = [], []
    for i, bot in enumerate(bots):
        assert bot.process is not None
        code, seconds = (bot.process.returncode, None) if i == victim else next(stopped)
        exit_codes.append(code)
        stop_s.append(seconds)
    counts = {user_id: arrivals.get(user_id, 0) for user_id in recipients}
    uncertain = {uid for uid, (_state, detail) in per_contact.items() if detail == "uncertain"}
    doubled = {uid for uid, n in counts.items() if n > 1}
    state_of = {uid: per_contact.get(uid, ("", None))[0] for uid in recipients}
    sent_not_received = sum(1 for u, n in counts.items() if n == 0 and state_of[u] == "sent")
    never_sent = sum(1 for u, n in counts.items() if n == 0 and state_of[u] != "sent")
    times = arrivals.times
    push_s = times[-1] - times[0] if len(times) > 1 else 0.0
    before_kill = [t for t in times if t <= killed_at]
    return {
        "bench": "instances",
        "instances": instances,
        "pushes": pushes,
        "database": "postgresql",
        "tick_seconds": tick_seconds,
        "dispatchers_before_kill": dispatchers,
        "killed": victim + 1,
        "holder_found_by": found_by,
        "delivered_at_kill": delivered_at_kill,
        "takeover_s": takeover_s,
        "takeover_by": takeover_by,
        "settled": settled,
        "settle_s_after_kill": round(settled_at - killed_at, 1),
        "states_final": final,
        "delivered": sum(counts.values()),
        "delivered_per_chat": {str(k): v for k, v in sorted(Counter(counts.values()).items())},
        "duplicates": len(doubled - uncertain),
        "duplicates_uncertain": len(doubled & uncertain),
        "uncertain": len(uncertain),
        "reclaimed": len(reclaimed),
        "duplicates_reclaimed": len(doubled & reclaimed),
        "lost": sent_not_received + never_sent,
        "sent_not_received": sent_not_received,
        "never_sent": never_sent,
        "http_429": sandbox.stats.http_429,
        "http_429_by_reason": dict(sandbox.stats.http_429_by_reason),
        "http_409": sandbox.stats.errors.get(409, 0),
        "msgs_per_s": round(len(times) / push_s, 1) if push_s else None,
        "msgs_per_s_before_kill": (
            round(len(before_kill) / (before_kill[-1] - times[0]), 1)
            if len(before_kill) > 1
            else None
        ),
        "push_s": round(push_s, 1),
        "exit_codes": exit_codes,
        "stop_s": stop_s,
        "start_s": round(start_s, 2),
        "seed_s": round(seed_s, 1),
        "elapsed_s": round(elapsed, 1),
        "workdir": str(workdir),
    }


def goals_met(result: dict[str, Any]) -> bool:
    return (
        len(result["dispatchers_before_kill"]) == 1
        and result["takeover_s"] is not None
        and result["settled"]
        and result["duplicates"] == 0
        and result["lost"] == 0
        and result["http_429"] == 0
        and all(
            code == 0 for i, code in enumerate(result["exit_codes"]) if i + 1 != result["killed"]
        )
    )


def main(
    instances: int, pushes: int, database: str | None = None, tick_seconds: float = 20.0
) -> int:
    result = asyncio.run(run(instances, pushes, database, tick_seconds=tick_seconds))
    print(json.dumps(result))
    return 0 if goals_met(result) else 1
