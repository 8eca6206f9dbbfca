"""The load side of ``partnerbot bench broadcast``: the sandbox, 50 partners answering surveys,
and the count of what reached the reminder recipients.

It runs in a process of its own so the bot's CPU and memory are the bot's alone. Protocol on
stdio: it prints ``READY <base_url>`` once every recipient's chat exists, waits for ``GO`` on
stdin, keeps the partners answering until every recipient has a reminder (or the time limit),
waits a little longer to catch duplicates, then prints one JSON line and waits for ``STOP``.

Telegram's limits are on (global 30/s, per chat burst 20 then 1/s); what the bot gets through
them is counted here, where Telegram would count it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import random
import time
from typing import Any

from bot.devtools.bench.measure import percentile, watch_loop
from bot.devtools.bench.stdio import announce_and_wait_for_go, serve_until_stop
from bot.devtools.bench.survey_load import Results, partner
from bot.devtools.sandbox import Limits, Sandbox

LANGUAGES = ["en", "fr", "es", "ar", "sw"]


async def keep_answering(
    sandbox: Sandbox, user_id: int, language: str, think: float, seed: float, results: Results
) -> None:
    """One partner, survey after survey, until cancelled (or out of surveys)."""
    rng = random.Random(seed)
    while True:
        completed = results.completed
        errors = results.errors
        await partner(sandbox, user_id, language, think, rng, results)
        if results.errors > errors or results.completed == completed:
            return  # nothing left to answer, or an error already counted


def _admitted(sandbox: Sandbox) -> int:
    """Messages Telegram counted against the bot's limits: new messages and edits."""
    return sandbox.stats.total_delivered + sum(sandbox.stats.edits.values())


async def main_async(args: argparse.Namespace) -> None:
    sandbox = Sandbox(token=args.token, bot_username="partner_bench_bot", limits=Limits())
    recipients = range(args.first_id, args.first_id + args.contacts)
    for user_id in recipients:  # they joined earlier: the bot may write to them
        sandbox.user(user_id, first_name=f"R{user_id}", language_code="en").chat.started = True
    await sandbox.start(host="127.0.0.1", port=0)
    # Ten thousand chats are long-lived objects: keep the collector's full passes off them, or
    # this process's own pauses would show up as the bot's latency.
    gc.collect()
    gc.freeze()
    if not await announce_and_wait_for_go(sandbox):
        return
    results = Results()
    rng = random.Random(11)
    partners = [
        asyncio.create_task(
            keep_answering(
                sandbox,
                args.partner_first_id + i,
                LANGUAGES[i % len(LANGUAGES)],
                args.think,
                rng.random(),
                results,
            )
        )
        for i in range(args.partners)
    ]
    delivered = sandbox.stats.delivered
    lags: list[float] = []
    watcher = asyncio.create_task(watch_loop(lags))
    started = time.monotonic()
    first_at: float | None = None
    first_admitted = 0
    reached = 0
    while time.monotonic() - started < args.timeout:
        reached = sum(1 for user_id in recipients if delivered.get(user_id, 0) > 0)
        if reached and first_at is None:
            first_at, first_admitted = time.monotonic(), _admitted(sandbox)
        if reached >= args.contacts:
            break
        await asyncio.sleep(0.05)
    last_at = time.monotonic()
    last_admitted = _admitted(sandbox)
    await asyncio.sleep(args.grace)  # anything sent twice shows up now
    watcher.cancel()
    for task in partners:
        task.cancel()
    for task in partners:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    counts = [delivered.get(user_id, 0) for user_id in recipients]
    span = max(1e-6, last_at - (first_at or last_at))
    lat = results.latencies_ms
    report: dict[str, Any] = {
        "reached": sum(1 for c in counts if c > 0),
        "lost": sum(1 for c in counts if c == 0),
        "duplicates": sum(c - 1 for c in counts if c > 1),
        "push_s": round(span, 1),
        "reminders_per_s": round((sum(1 for c in counts if c > 0) - 1) / span, 2),
        "msgs_per_s": round((last_admitted - first_admitted) / span, 2),
        "http_429": sandbox.stats.http_429,
        "http_429_by_reason": dict(sandbox.stats.http_429_by_reason),
        "interactive_samples": len(lat),
        "interactive_p50_ms": percentile(lat, 0.50),
        "interactive_p99_ms": percentile(lat, 0.99),
        "interactive_max_ms": round(max(lat, default=0.0), 1),
        "load_loop_lag_max_ms": round(max(lags, default=0.0), 1),
        "survey_answers": results.answers,
        "surveys_completed": results.completed,
        "partner_errors": results.errors,
        "error_samples": results.error_samples,
    }
    print(json.dumps(report), flush=True)
    await serve_until_stop(sandbox)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--first-id", type=int, default=20_000_000)
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--partner-first-id", type=int, default=19_000_000)
    parser.add_argument("--think", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--grace", type=float, default=3.0)
    parser.add_argument("--token", required=True)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
