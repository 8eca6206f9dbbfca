"""The line protocol between a benchmark and the processes it starts.

A load process (sandbox and simulated partners) runs apart from the bot so that the bot's CPU
and memory are its own. They speak in lines on stdio: the load prints ``READY <base_url>``,
waits for ``GO``, prints one JSON line of what it measured, then serves until ``STOP`` (or any
line) so the bot can shut down cleanly. Both sides of that exchange live here so they cannot
drift apart.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.devtools.sandbox import Sandbox

PIPE = asyncio.subprocess.PIPE


# ----- the bench's side ---------------------------------------------------------------------
async def spawn(module: str, *args: str) -> asyncio.subprocess.Process:
    """Start ``python -m module args`` with line-buffered pipes to its stdin and stdout."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        stdin=PIPE,
        stdout=PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def send_line(process: asyncio.subprocess.Process, line: str) -> None:
    """Write one line to the process's stdin."""
    assert process.stdin is not None
    process.stdin.write(f"{line}\n".encode())
    await process.stdin.drain()


async def read_line(process: asyncio.subprocess.Process) -> str:
    """The next line the process printed (with its newline; empty at end of file)."""
    assert process.stdout is not None
    return (await process.stdout.readline()).decode()


def ready_base_url(line: str) -> str:
    """The sandbox's Bot API base URL from the load's ``READY <base_url>`` line."""
    ready = line.split()
    if len(ready) != 2 or ready[0] != "READY":
        raise RuntimeError(f"load generator did not start: {ready}")
    return ready[1]


async def start_survey_load(
    partners: int, think: float, token: str, first_id: int
) -> tuple[asyncio.subprocess.Process, str]:
    """Start ``survey_load`` and wait for its sandbox; the process and its base URL.

    Our bot and the reference bot face the very same load, started the same way.
    """
    load = await spawn(
        "bot.devtools.bench.survey_load",
        "--partners",
        str(partners),
        "--think",
        str(think),
        "--token",
        token,
        "--first-id",
        str(first_id),
    )
    return load, ready_base_url(await read_line(load))


# ----- the load's side ----------------------------------------------------------------------
async def _stdin_line() -> str:
    """One line of stdin, read off the event loop so the sandbox keeps serving meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def announce_and_wait_for_go(sandbox: Sandbox) -> bool:
    """Print ``READY <base_url>`` and wait for ``GO``; on anything else stop the sandbox."""
    print(f"READY {sandbox.base_url}", flush=True)
    if (await _stdin_line()).strip() != "GO":
        await sandbox.stop()
        return False
    return True


async def serve_until_stop(sandbox: Sandbox) -> None:
    """Keep serving until the bench sends its next line (the bot has shut down), then stop."""
    await _stdin_line()
    await sandbox.stop()
