"""Issue 12 (item 17): ids and arguments that don't fit never crash a handler.

Every callback prefix the running bot registers and every command it answers is fed odd ids —
"²" and "١٢" (digits to ``str.isdigit`` but not to ``int``), 25-digit numbers that overflow
the database's integers, empty and negative pieces — by an admin (who passes every staff check
and so reaches the deepest parsing) and by a stranger. Each press must be answered, each command
must get a reply, nobody is told "something went wrong", and nothing is logged as an error.
"""

from __future__ import annotations

import logging
import random
import re
from pathlib import Path

import pytest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Phone
from tests.e2e import ADMIN_ID
from tests.summary_world import START, launch, partners, plain, staff_world

HUGE = "9" * 25
ODD = ["", "²", "١٢", HUGE, "99999999999", "-1", "0", "1", "x", "-", "1.5", "٣"]
# The inputs that crashed handlers when the issue was filed, kept verbatim.
KNOWN_PRESSES = [
    f"sv:{HUGE}:-:go",
    f"jp:vw:{HUGE}",
    f"rsvp:{HUGE}:1:a",
    "mtg:v:",
    "pt:e:",
    "pnd:show:c:",
    "stf:rm:",
    "stf:rm:²",
    f"stf:sgrm:{HUGE}",
]
KNOWN_COMMANDS = [
    ("jpat", f"view {HUGE}"),
    ("staff", "add ²"),
    ("staff", f"remove {HUGE}"),
    ("staff", "safeguarding add ²"),
    ("partnership", f"#{HUGE}"),
    ("partnership", "²"),
]
APOLOGY = "Sorry, something went wrong on our side"
BOT_SOURCES = Path(__file__).resolve().parent.parent / "bot"


def action_words() -> list[str]:
    """Every action word the bot's own buttons use (``callbacks.data(area, "action", …)``)."""
    found: set[str] = set()
    for path in BOT_SOURCES.rglob("*.py"):
        if "sandbox" in path.parts or "bench" in path.parts:
            continue
        found.update(re.findall(r'data\(\s*(?:[A-Z_.]+|"\w+")\s*,\s*"(\w+)"', path.read_text()))
    return sorted(found)


def registered(world: LocalWorld) -> tuple[list[str], list[str]]:
    """The button prefixes and commands the running bot answers."""
    assert world.bot is not None
    prefixes: list[str] = []
    commands: list[str] = []
    for handlers in world.bot.application.handlers.values():
        for handler in handlers:
            if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
                pattern = getattr(handler.pattern, "pattern", handler.pattern)
                prefixes.append(str(pattern).removeprefix("^").removesuffix(":"))
            elif isinstance(handler, CommandHandler):
                commands.extend(sorted(handler.commands))
    return prefixes, commands


def fuzzed_presses(prefixes: list[str], actions: list[str], rng: random.Random) -> list[str]:
    presses = list(KNOWN_PRESSES)
    for prefix in prefixes:
        presses.append(f"{prefix}:")
        for action in rng.sample(actions, min(10, len(actions))):
            tail = ":".join(rng.choice(ODD) for _ in range(rng.randint(1, 3)))
            data = f"{prefix}:{action}:{tail}"
            if len(data.encode()) <= 64:
                presses.append(data)
    return presses


async def press_answered(phone: Phone, data: str) -> str:
    """Press forged data; every press must be answered (a crashed handler never answers)."""
    await phone.press_data(data)
    [answer] = await phone.wait(1, kinds="callback_answer", timeout=15)
    return plain(answer.content)


async def command_answered(phone: Phone, name: str, args: str) -> None:
    await phone.send_command(name, args)
    await phone.wait(1, kinds=("message", "photo", "document", "edit"), timeout=15)


@pytest.mark.parametrize("seed", [12])
async def test_odd_ids_in_buttons_and_commands_are_refused_politely(
    database_url: str, caplog: pytest.LogCaptureFixture, seed: int
) -> None:
    clock = ManualClock(START)
    rng = random.Random(seed)
    caplog.set_level(logging.ERROR)
    async with staff_world(database_url, clock) as world:
        partner, _ = await partners(world, clock, [(861, "en", "Hope RLO"), (862, "fr", "Espoir")])
        await launch(world, clock)
        partner.consume_all()
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        stranger = world.sandbox.user(869, first_name="Visitor", language_code="ar")
        await command_answered(admin, "start", "")
        await command_answered(stranger, "start", "")

        prefixes, commands = registered(world)
        assert {"sv", "jp", "rsvp", "mtg", "pt", "pnd", "stf", "exp", "sum"} <= set(prefixes)
        assert {"jpat", "staff", "partnership", "meeting", "summary"} <= set(commands)
        presses = fuzzed_presses(prefixes, action_words(), rng)
        assert len(presses) > 150

        for phone in (admin, partner):
            for data in presses:
                await press_answered(phone, data)
        for data in rng.sample(presses, 80):
            await press_answered(stranger, data)

        typed = list(KNOWN_COMMANDS)
        for name in commands:
            typed += [(name, rng.choice(ODD)), (name, f"{rng.choice(ODD)} {rng.choice(ODD)}")]
        for name, args in typed:
            for phone in (admin, stranger):
                await command_answered(phone, name, args)
                await command_answered(phone, "cancel", "")

        for phone in (admin, partner, stranger):
            await phone.settle(quiet=0.2, timeout=30)
            said = "\n".join(plain(e.content) for e in phone.events)
            assert APOLOGY not in said
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors == [], [r.getMessage() for r in errors[:5]]
