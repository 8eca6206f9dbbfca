"""``bench survey --reference``: the same load against a plain python-telegram-bot bot.

Three processes, as for our bot: the load driver (``bot.devtools.bench.survey_load``: sandbox and
simulated partners, unchanged), the reference bot (``bot.devtools.bench.reference_bot``) in a process
of its own, and this one, which only passes lines between them. The reference bot's CPU is
measured like ours: its process CPU time (user + system, all threads, ``RUSAGE_SELF``) read
just before ``GO`` and just after the driver's result line, divided by the answers given.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from bot.devtools.bench.stdio import read_line, send_line, spawn, start_survey_load
from bot.devtools.local import SANDBOX_TOKEN


async def _cpu(bot: asyncio.subprocess.Process) -> tuple[float, float]:
    await send_line(bot, "CPU")
    parts = (await read_line(bot)).split()
    if len(parts) != 3 or parts[0] != "CPU":
        raise RuntimeError(f"reference bot did not report its CPU: {parts}")
    return float(parts[1]), float(parts[2])


async def run_reference(
    partners: int, think: float, first_id: int, durable: bool = False
) -> dict[str, Any]:
    """Run the load against the reference bot; ``reference_*`` figures, or with ``durable``
    the durable reference's (``durable_reference_*``)."""
    workdir = Path(tempfile.mkdtemp(prefix="partnerbot-bench-ref-"))
    load, base_url = await start_survey_load(partners, think, SANDBOX_TOKEN, first_id)
    durable_args = ["--durable", str(workdir / "reference.sqlite3")] if durable else []
    bot = await spawn(
        "bot.devtools.bench.reference_bot",
        "--base-url",
        base_url,
        "--token",
        SANDBOX_TOKEN,
        "--persistence",
        str(workdir / "reference.pickle"),
        *durable_args,
    )
    if (await read_line(bot)).strip() != "READY":
        raise RuntimeError("reference bot did not start")
    cpu_before, _ = await _cpu(bot)
    started = time.monotonic()
    await send_line(load, "GO")
    line = await read_line(load)
    elapsed = time.monotonic() - started
    cpu_after, peak_rss_mb = await _cpu(bot)
    await send_line(bot, "STOP")
    await asyncio.wait_for(bot.wait(), timeout=30)
    await send_line(load, "STOP")
    await asyncio.wait_for(load.wait(), timeout=30)
    measured = json.loads(line)
    answers = max(1, measured["answers"])
    prefix = "durable_reference" if durable else "reference"
    figures = {
        "reference_answers": measured["answers"],
        "reference_completed": measured["completed"],
        "reference_answers_per_s": round(measured["answers"] / measured["elapsed_s"], 1),
        "reference_p50_ms": measured["p50_ms"],
        "reference_p99_ms": measured["p99_ms"],
        "reference_max_ms": measured["max_ms"],
        "reference_cpu_ms_per_answer": round((cpu_after - cpu_before) * 1000 / answers, 2),
        "reference_errors": measured["errors"],
        "reference_messages_per_survey": measured["messages_per_survey"],
        "reference_http_429": measured["http_429"],
        "reference_requests": measured.get("requests", {}),
        "reference_peak_rss_mb": peak_rss_mb,
        "reference_elapsed_s": round(elapsed, 1),
        "reference_error_samples": measured["error_samples"],
    }
    if durable:  # the evidence that it stored what it was given
        with closing(sqlite3.connect(workdir / "reference.sqlite3")) as stored:
            figures["reference_stored_answers"] = stored.execute(
                "SELECT count(*) FROM answer"
            ).fetchone()[0]
    return {key.replace("reference", prefix, 1): value for key, value in figures.items()}
