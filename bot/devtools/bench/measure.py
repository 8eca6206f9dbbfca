"""The figures every benchmark reports, measured one way so runs can be compared.

A bench's JSON line mixes figures from the bot's process and from the load process (CPU time,
peak memory, event-loop lag, latency percentiles); if each bench measured them its own way,
the same name would mean different things in different lines.
"""

from __future__ import annotations

import asyncio
import resource
import tempfile
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MiB (Linux reports ``ru_maxrss`` in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cpu_s() -> float:
    """CPU time this process has used so far (user + system, all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], p: float) -> float:
    """The ``p`` quantile (0..1) of ``values`` by nearest rank, rounded to 0.1; 0.0 if empty."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else 0.0


async def watch_loop(lags: list[float], every: float = 0.01) -> None:
    """Append, in ms, how late the event loop wakes a sleeper: a delay every step pays too.

    Runs until cancelled. In the bot's process it is the bot's own latency; in a load process
    it is latency the load adds, which must not be blamed on the bot.
    """
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(every)
        lags.append((loop.time() - before - every) * 1000)


def database_url(database: str | None, prefix: str) -> str:
    """``database`` if given, else a fresh durable SQLite file in a new temporary folder.

    A file, not ``:memory:``, so the bench pays for real writes as a deployment would.
    """
    if database:
        return database
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    return f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
