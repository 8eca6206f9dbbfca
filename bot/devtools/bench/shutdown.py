"""``partnerbot bench shutdown --pushes 10000``: SIGTERM in the middle of a push to thousands.

The bot runs as its own OS process (``python -m bot run``, as in ``bench faults``) against a
sandbox Bot API server in this process, with Telegram's limits on (global 30/s, per chat).
Before it starts, the database holds ``--pushes`` contacts and an open survey campaign whose
invitation to each of them is due now. Once the sandbox has delivered ``--after`` messages
the bot gets SIGTERM; the bench times how long it takes to exit and looks at the database:
no delivery may stay ``claimed`` (a claim not sent is handed back at stop,
``storage.deliveries.release``). Then the bot is started again and sends the rest; once every
invitation is settled (sent, skipped, failed) it gets SIGTERM again. Prints one JSON line.

The figures, from the sandbox's record (what Telegram would have received) and the database:

``stop_s``, ``exit_code``
    Seconds from the first SIGTERM to the process's exit, and its exit code (goal: within 10 s,
    exit code 0).
``claimed_after_stop``
    Deliveries still ``claimed`` once the first process has exited (goal: 0).
``first_run_sent``, ``first_run_delivered``
    Deliveries marked sent by the first process, and messages the sandbox had received by then.
``restart_s``
    Seconds from the second start to every delivery settled.
``delivered``, ``delivered_per_chat``
    Messages the recipients received, and how many chats received 0, 1, 2... of them.
``duplicates``
    Chats that received the invitation more than once.
``lost``
    Contacts who never received it: ``sent_not_received`` (marked sent, never received) plus
    ``never_sent`` (never marked sent: failed, skipped or left pending).
``http_429``
    Requests the sandbox refused for going over Telegram's limits.

``workdir`` keeps both processes' logs (``bot-1.log``, ``bot-2.log``).
"""

from __future__ import annotations

import asyncio
import gc
import json
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.clock import Clock
from bot.devtools.bench.broadcast import _contacts
from bot.devtools.bench.faults import BotProcess, _bot_env
from bot.devtools.bench.faults_load import DeliveryWatch
from bot.devtools.bench.seeding import insert_chunked, pulse_version
from bot.devtools.local import SANDBOX_TOKEN
from bot.devtools.sandbox import Limits, Sandbox
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Campaign, Contact, Delivery, Organisation, Response
from storage.statuses import CampaignStatus, ResponseStatus

FIRST_ID = 20_000_000
GOAL_STOP_S = 10.0
#: Seconds allowed beyond what Telegram's 30 msg/s takes for the messages waited for.
SLACK_S = 180.0
SETTLED = ("pending", "claimed")  # the states that are not settled


async def seed(db: Database, pushes: int) -> int:
    """``pushes`` contacts and an open campaign with an invitation to each, due now; returns
    the campaign's id. Rows go in by the thousand (``insert`` with many values), not one by
    one as ``storage.campaigns.launch`` adds them."""
    _survey, version_id = await pulse_version(db)
    now = Clock().now()
    async with db.transaction() as session:
        if await session.scalar(select(func.count()).select_from(Delivery)):
            raise SystemExit("bench shutdown needs an empty database: it holds deliveries")
        org = Organisation(name="Shutdown RLO", country="KE", created_at=now)
        session.add(org)
        await session.flush()
        org_id = org.id
        campaign = Campaign(
            survey_id="partner_feedback",
            survey_version_id=version_id,
            audience_kind="organisation",
            audience_value=str(org_id),
            due_at=now + timedelta(days=7),  # open through the run; no nudge falls due
            max_nudges=2,
            nudge_every_days=3,
            status=CampaignStatus.OPEN,
            created_at=now,
        )
        session.add(campaign)
        await session.flush()
        campaign_id = campaign.id
    await _contacts(db, org_id, FIRST_ID, pushes, now)  # quiet hours twelve hours away
    async with db.transaction() as session:
        people = (
            await session.execute(
                select(Contact.id, Contact.language).where(Contact.organisation_id == org_id)
            )
        ).all()
        await insert_chunked(
            session,
            Response,
            [
                {
                    "trial": False,
                    "survey_id": "partner_feedback",
                    "survey_version_id": version_id,
                    "campaign_id": campaign_id,
                    "contact_id": contact_id,
                    "organisation_id": org_id,
                    "status": ResponseStatus.INVITED,
                    "language": language,
                    "pending_toggles": [],
                    "refusals": 0,
                    "nudges_sent": 0,
                    "invited_at": now,
                    "updated_at": now,
                }
                for contact_id, language in people
            ],
        )
        responses = (
            await session.execute(
                select(Response.id, Response.contact_id).where(Response.campaign_id == campaign_id)
            )
        ).all()
        await insert_chunked(
            session,
            Delivery,
            [
                {
                    "kind": "invite",
                    "contact_id": contact_id,
                    "due_at": now,
                    "dedupe_key": f"invite:{response_id}",
                    "campaign_id": campaign_id,
                    "response_id": response_id,
                    "state": "pending",
                    "attempts": 0,
                }
                for response_id, contact_id in responses
            ],
        )
    return campaign_id


async def _states(db: Database, campaign_id: int) -> dict[str, int]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(Delivery.state, func.count())
            .where(Delivery.campaign_id == campaign_id)
            .group_by(Delivery.state)
        )
        return {str(state): int(n) for state, n in rows.all()}


async def _per_contact(db: Database, campaign_id: int) -> dict[int, tuple[str, str | None]]:
    """Recipient's Telegram id -> (its invitation's state, detail)."""
    async with db.sessions() as session:
        rows = await session.execute(
            select(Contact.telegram_user_id, Delivery.state, Delivery.detail)
            .join(Contact, Contact.id == Delivery.contact_id)
            .where(Delivery.campaign_id == campaign_id)
        )
        return {int(uid): (str(state), detail) for uid, state, detail in rows.all()}


async def _until(condition: Any, process: BotProcess, timeout: float, every: float = 0.05) -> bool:
    """Check ``condition`` (a coroutine function) until it holds, the bot process exits, or
    ``timeout`` seconds pass; True if it held."""
    deadline = time.monotonic() + timeout
    assert process.process is not None
    while time.monotonic() < deadline:
        if await condition():
            return True
        if process.process.returncode is not None:
            return bool(await condition())
        await asyncio.sleep(every)  # a condition checked again, not a guess at a duration
    return False


async def run(
    pushes: int = 10_000,
    after: int = 500,
    database: str | None = None,
    *,
    workdir: Path | None = None,
) -> dict[str, Any]:
    if not 0 < after < pushes:
        raise SystemExit("--after must be between 0 and --pushes")
    workdir = workdir or Path(tempfile.mkdtemp(prefix="partnerbot-shutdown-"))
    url = database or f"sqlite+aiosqlite:///{workdir / 'shutdown.sqlite3'}"
    sandbox = Sandbox(token=SANDBOX_TOKEN, bot_username="partner_shutdown_bot", limits=Limits())
    recipients = range(FIRST_ID, FIRST_ID + pushes)
    for user_id in recipients:  # they joined earlier: the bot may write to them
        sandbox.user(user_id, first_name=f"R{user_id}", language_code="en").chat.started = True
    gc.collect()
    gc.freeze()  # thousands of long-lived chats: keep the collector's full passes off them
    watch = DeliveryWatch(sandbox.updates)
    await sandbox.start(host="127.0.0.1", port=0)
    db = Database.connect(url)
    delivered = sandbox.stats.delivered
    started = time.monotonic()
    try:
        await upgrade(db.engine)
        campaign_id = await seed(db, pushes)
        seed_s = time.monotonic() - started
        env = _bot_env(sandbox.base_url, url)
        env["PARTNERBOT_TICK_SECONDS"] = "20"  # pushes on: the wake-up sends what is due now

        async def reached_after() -> bool:
            return sandbox.stats.total_delivered >= after

        async def all_settled() -> bool:
            states = await _states(db, campaign_id)
            return not any(states.get(state, 0) for state in SETTLED)

        log1 = await asyncio.to_thread(open, workdir / "bot-1.log", "ab")
        try:
            first = BotProcess(env, log1, workdir)
            first_start_s = await first.start(watch)
            reached = await _until(reached_after, first, after / 30 * 3 + SLACK_S)
            if not reached:
                await first.terminate()
                raise RuntimeError(f"{after} messages never arrived; see {log1.name}")
            sigterm_at_delivered = sandbox.stats.total_delivered
            exit_code, stop_s = await first.terminate()
        finally:
            log1.close()
        first_run_delivered = sandbox.stats.total_delivered
        after_stop = await _states(db, campaign_id)

        log2 = await asyncio.to_thread(open, workdir / "bot-2.log", "ab")
        try:
            second = BotProcess(env, log2, workdir)
            restarted = time.monotonic()
            second_start_s = await second.start(watch)
            left = pushes - first_run_delivered
            settled = await _until(all_settled, second, left / 30 * 3 + SLACK_S, every=0.2)
            restart_s = time.monotonic() - restarted
            restart_exit_code, restart_stop_s = await second.terminate()
        finally:
            log2.close()
        elapsed = time.monotonic() - started
        final = await _states(db, campaign_id)
        per_contact = await _per_contact(db, campaign_id)
    finally:
        await db.close()
        await sandbox.stop()
    counts = [delivered.get(user_id, 0) for user_id in recipients]
    sent_not_received = sum(
        1
        for user_id in recipients
        if per_contact.get(user_id, ("", None))[0] == "sent" and delivered.get(user_id, 0) == 0
    )
    never_sent = sum(
        1
        for user_id in recipients
        if per_contact.get(user_id, ("", None))[0] != "sent" and delivered.get(user_id, 0) == 0
    )
    return {
        "bench": "shutdown",
        "pushes": pushes,
        "after": after,
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "stop_s": stop_s,
        "exit_code": exit_code,
        "claimed_after_stop": after_stop.get("claimed", 0),
        "first_run_sent": after_stop.get("sent", 0),
        "first_run_delivered": first_run_delivered,
        "delivered_at_sigterm": sigterm_at_delivered,
        "pending_after_stop": after_stop.get("pending", 0),
        "states_after_stop": after_stop,
        "restart_s": round(restart_s, 1),
        "settled": settled,
        "states_final": final,
        "uncertain": sum(1 for _state, detail in per_contact.values() if detail == "uncertain"),
        "delivered": sum(counts),
        "delivered_per_chat": {str(k): v for k, v in sorted(Counter(counts).items())},
        "duplicates": sum(1 for c in counts if c > 1),
        "lost": sent_not_received + never_sent,
        "sent_not_received": sent_not_received,
        "never_sent": never_sent,
        "http_429": sandbox.stats.http_429,
        "http_429_by_reason": dict(sandbox.stats.http_429_by_reason),
        "start_s": round(first_start_s, 2),
        "restart_start_s": round(second_start_s, 2),
        "restart_exit_code": restart_exit_code,
        "restart_stop_s": restart_stop_s,
        "seed_s": round(seed_s, 1),
        "elapsed_s": round(elapsed, 1),
        "workdir": str(workdir),
    }


def goals_met(result: dict[str, Any]) -> bool:
    return (
        result["exit_code"] == 0
        and result["stop_s"] <= GOAL_STOP_S
        and result["claimed_after_stop"] == 0
        and result["settled"]
        and result["duplicates"] == 0
        and result["lost"] == 0
    )


def main(pushes: int, after: int = 500, database: str | None = None) -> int:
    result = asyncio.run(run(pushes, after, database))
    print(json.dumps(result))
    return 0 if goals_met(result) else 1
