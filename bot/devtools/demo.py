"""``partnerbot demo``: the real bot against the sandbox, with no token and no network.

On a terminal a person chats as a partner or as staff. Otherwise (or with ``--script``) it plays
the walkthrough in ``bot.devtools.walkthrough`` and prints both phones' transcripts.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld, local_world
from bot.devtools.sandbox import Limits
from bot.devtools.walkthrough import DEMO_PEOPLE, WAIT, Walkthrough

DEMO_DIR = Path.cwd() / "data" / "demo"


def run_demo(
    *, script: bool = False, database_url: str | None = None, unpaced: bool = False
) -> int:
    """Play the demo. ``unpaced`` (tests only) lifts the one-message-a-second pacing per chat
    on both sides, the bot's and the sandbox's, as the end-to-end tests that are not about
    pacing do; the global limits stay. A person never needs it: the pacing is Telegram's."""
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        path = DEMO_DIR / "demo.sqlite3"
        for stale in DEMO_DIR.glob("demo.sqlite3*"):
            stale.unlink()
        database_url = f"sqlite+aiosqlite:///{path}"
    interactive = not script and sys.stdin.isatty()
    return asyncio.run(_demo(database_url, interactive, unpaced=unpaced))


async def _demo(database_url: str, interactive: bool, *, unpaced: bool = False) -> int:
    staff_id, _ = DEMO_PEOPLE["staff"]
    # Demo time is a fixed working morning, so quiet hours never hold the pushes back.
    clock = ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    pacing: dict[str, Any] = {}
    limits = None
    if unpaced:
        pacing = {"chat_burst": 1000, "chat_rate_per_s": 1000}
        limits = Limits(chat_enabled=False)
    async with local_world(
        database_url, clock=clock, limits=limits, admins=[staff_id], tick_seconds=2, **pacing
    ) as world:
        walkthrough = Walkthrough(world, out=sys.stdout, files_dir=DEMO_DIR)
        if interactive:
            await _chat(world, walkthrough)
            return 0
        return await walkthrough.play()


async def _chat(world: LocalWorld, walkthrough: Walkthrough) -> None:
    print(
        "Sandbox demo: you are talking to the real bot through a fake Telegram on loopback.\n"
        "Type a message and press Enter. Lines starting with ':' control the demo:\n"
        "  :partner / :staff   switch phone (default: partner)\n"
        "  :press N            press button number N on the last message\n"
        "  :voice              send a 5-second voice note\n"
        "  :walkthrough        play the scripted walkthrough\n"
        "  :quit               leave\n"
    )
    who = "partner"
    loop = asyncio.get_running_loop()
    while True:
        prompt = f"[{who}] > "
        line = await loop.run_in_executor(None, input, prompt)
        line = line.strip()
        user_id, name = DEMO_PEOPLE[who]
        phone = world.sandbox.user(user_id, first_name=name, language_code="en")
        if line in (":quit", ":q", ":exit"):
            return
        if line in (":partner", ":staff"):
            who = line[1:]
            continue
        if line == ":walkthrough":
            await walkthrough.play()
            continue
        if line == ":voice":
            await phone.send_voice(duration=5)
        elif line.startswith(":press"):
            await _press(phone, line.removeprefix(":press").strip())
        elif line:
            await phone.send_text(line)
        else:
            continue
        # Until the bot has taken the update, handled it and gone quiet: on a busy machine
        # that can take a while, so the wait is long rather than a guess at a short silence.
        for event in await phone.settle(quiet=0.4, timeout=WAIT):
            print(walkthrough.render_event(event))


async def _press(phone: object, which: str) -> None:
    message = getattr(phone, "last_message", None)
    markup = getattr(message, "reply_markup", None) if message else None
    buttons = [b for row in (markup or {}).get("inline_keyboard", []) for b in row]
    if not buttons:
        print("(no buttons on the last message)")
        return
    try:
        button = buttons[int(which) - 1]
    except (ValueError, IndexError):
        print(f"(choose a button number from 1 to {len(buttons)})")
        return
    await phone.press(button["text"])  # type: ignore[attr-defined]
