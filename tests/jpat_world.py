"""Shared helpers of the J-PAT end-to-end tests (``test_e2e_jpat*.py``): a sandbox world with
time under the test's control (``ManualClock`` and explicit ``tick`` calls; ``tick_seconds=0``),
people on both sides, a partnership, and the steps of a round (open, answer, view,
consolidate).
"""

from __future__ import annotations

import asyncio
import re
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import MESSAGE_KINDS, Event, Limits, Phone
from bot.dispatch import TickReport, tick
from bot.i18n import FSI, PDI, RLM, translator
from storage import contacts, partnerships
from storage.models import AuditEntry, JpatRound
from tests.e2e import make_invite, world_for

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 12:00 in Nairobi
ZONE = "Africa/Nairobi"
ITEMS = ["e1a", "e1b", "e1c", "e2a", "e2b", "e2c", "e3a", "e3b", "e3c", "e4a", "e4b", "e5a", "e5b"]
DK = None  # "don't know"
UNKNOWN = "Sorry, I don't know that command. Send /help to see what I can do."
EXPIRED = "This button is no longer active. Send /help to see what you can do."
NOT_WAITING = "This version of the J-PAT is no longer waiting for your answer."
BLIND = (
    "The answers of round {n} can be seen once the round closes on {date}. "
    "Until then nobody, staff included, sees them: each side answers on its own. "
    "You can check whether your side has submitted with /jpat status."
)
PNG = b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------------------ helpers


_world: LocalWorld | None = None


@asynccontextmanager
async def jpat_world(database_url: str, clock: ManualClock) -> AsyncIterator[LocalWorld]:
    """No periodic tick, no per-chat pacing: long chats, settled step by step."""
    global _world
    async with world_for(
        database_url,
        clock=clock,
        tick_seconds=0,
        limits=Limits(chat_enabled=False),
        chat_burst=1000,
    ) as world:
        _world = world
        try:
            yield world
        finally:
            _world = None


def _busy(world: LocalWorld, phone: Phone) -> bool:
    """Is the bot still working: an update not fetched or queued, a handler running (its
    per-chat count in our update processor), or a background send going on?"""
    assert world.bot is not None
    application = world.bot.application
    processor = application.update_processor
    return bool(
        world.sandbox.updates.has_undelivered(phone.chat_id)
        or application.update_queue.qsize()
        or getattr(processor, "_users", None)
        or any(not task.done() for task in application.bot_data.get("tasks", ()))
    )


async def settle(phone: Phone, quiet: float = 0.08, timeout: float = 30) -> list[Event]:
    """Everything the bot did once it is idle again. Waiting on the bot's own state rather
    than on a silent spell keeps these long chats steady on a busy machine (a chart is drawn
    in a worker thread, which can take a while)."""
    assert _world is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    calm_since: float | None = None
    while True:
        now = loop.time()
        if _busy(_world, phone):
            calm_since = None
        elif calm_since is None:
            calm_since = now
        elif now - calm_since >= quiet:
            return phone.consume_all()
        if now > deadline:
            raise AssertionError(f"the bot did not settle:\n{phone.transcript()[-2000:]}")
        await asyncio.sleep(0.01)


async def command(phone: Phone, name: str, args: str = "") -> list[Event]:
    await phone.send_command(name, args)
    return await settle(phone)


async def say(phone: Phone, text: str) -> list[Event]:
    await phone.send_text(text)
    return await settle(phone)


async def press(phone: Phone, text: str | None = None, *, data: str | None = None) -> list[Event]:
    if data is not None:
        await phone.press(data=data)
    else:
        await phone.press(text)
    return await settle(phone)


async def onboard(world: LocalWorld, user_id: int, token: str, language: str, name: str) -> Phone:
    """Join with the invitation, pressing the onboarding buttons as a person would."""
    phone = world.sandbox.user(user_id, first_name=name, language_code=language)
    await phone.start(token)
    await settle(phone)
    for data in (
        f"ob:lang:{language}",
        "ob:consent:yes",
        f"ob:tz:{ZONE}",
        "ob:quiet:21:00-08:00",
        "ob:attr:no",
    ):
        await press(phone, data=data)
    return phone


def plain(text: str | None) -> str:
    return (text or "").replace(RLM, "").replace(FSI, "").replace(PDI, "")


def t(lang: str, message: str, **values: object) -> str:
    return plain(translator(lang)(message, **values))


def shown(events: list[Event]) -> str:
    return "\n".join(plain(e.content) for e in events if e.kind in (*MESSAGE_KINDS, "edit"))


def notices(events: list[Event]) -> list[str]:
    return [plain(e.text) for e in events if e.kind == "callback_answer" and e.text]


def photos(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "photo"]


async def staff(world: LocalWorld, user_id: int, name: str) -> Phone:
    async with world.db.transaction() as session:
        await contacts.make_staff(
            session,
            telegram_user_id=user_id,
            display_name=name,
            language="en",
            timezone=ZONE,
            now=START,
        )
    phone = world.sandbox.user(user_id, first_name=name, language_code="en")
    await command(phone, "start")
    phone.consume_all()
    return phone


async def partners(
    world: LocalWorld, clock: ManualClock, org: str, people: list[tuple[int, str, str]]
) -> tuple[int, list[Phone]]:
    token, org_id = await make_invite(world.db, org_name=org, uses=len(people), now=clock.now())
    phones = []
    for user_id, name, lang in people:
        phone = await onboard(world, user_id, token, lang, name)
        phone.consume_all()
        phones.append(phone)
    assert org_id is not None
    return org_id, phones


async def drain(world: LocalWorld) -> None:
    """Wait for the sends the bot started in the background (``send_soon``)."""
    assert world.bot is not None
    for _ in range(10):
        tasks = set(world.bot.application.bot_data.get("tasks", set()))
        if not tasks:
            return
        await asyncio.gather(*tasks)


async def run_tick(world: LocalWorld) -> TickReport:
    await drain(world)
    assert world.bot is not None
    return await tick(world.bot.application)


async def after_background(world: LocalWorld, *phones: Phone) -> list[list[Event]]:
    await drain(world)
    return [await settle(phone) for phone in phones]


def datas(message) -> list[str]:
    markup = message.reply_markup or {}
    return [
        b["callback_data"]
        for row in markup.get("inline_keyboard", [])
        for b in row
        if "callback_data" in b
    ]


def sv_button(phone: Phone, action: str, arg: object = None, *, index: int | None = None) -> str:
    """Callback data of the survey question on screen for ``action`` (and ``arg``); on a
    screen of several statements, ``index`` picks the statement's row."""
    for message in reversed(phone.messages):
        found = [d for d in datas(message) if d.startswith("sv:") and not d.endswith(":go")]
        if not found:
            continue
        for data in found:
            parts = data.split(":")
            if index is not None and parts[2] != str(index):
                continue
            if parts[3] == action and (
                (arg is None and len(parts) == 4) or (len(parts) == 5 and parts[4] == str(arg))
            ):
                return data
        raise AssertionError(f"no {action}:{arg} among {found}")
    raise AssertionError(phone.transcript())


def go_button(phone: Phone) -> str:
    for message in reversed(phone.messages):
        for data in datas(message):
            if re.fullmatch(r"sv:\d+:-:go", data):
                return data
    raise AssertionError(phone.transcript())


async def answer_jpat(
    phone: Phone,
    scores: list[int | None],
    *,
    low_reason: str | None = None,
    working_well: str = "Regular calls.",
    one_change: str = "Share budgets earlier.",
) -> list[Event]:
    """Press Start on the invitation, rate the 13 statements, type the open answers."""
    seen = await press(phone, data=go_button(phone))
    for index, score in enumerate(scores):  # statements e1a..e5b are questions 0..12
        if score is None:
            seen += await press(phone, data=sv_button(phone, "k", index=index))
        else:
            seen += await press(phone, data=sv_button(phone, "c", score, index=index))
    if any(s is not None and s <= 2 for s in scores):
        if low_reason is None:
            seen += await press(phone, data=sv_button(phone, "s"))
        else:
            seen += await say(phone, low_reason)
    seen += await say(phone, working_well)
    seen += await say(phone, one_change)
    return seen


async def view(phone: Phone, *args: str) -> tuple[str, list[Event]]:
    """``/jpat view`` (or another subcommand) and everything it sent, the chart included."""
    events = await command(phone, "jpat", " ".join(args) if args else "view")
    return shown(events), events


async def with_chart(phone: Phone, events: list[Event]) -> Event:
    """The chart that follows a comparison or history."""
    [photo] = photos(events)
    return photo


def assert_sane_png(photo: Event) -> None:
    assert photo.file is not None and photo.file.data is not None
    data = photo.file.data
    assert data.startswith(PNG)
    width, height = struct.unpack(">II", data[16:24])
    assert 600 <= width <= 2000 and 400 <= height <= 2500, (width, height)
    assert 10_000 < len(data) < 1_000_000
    assert photo.caption and len(photo.caption) <= 1024


async def round_of(world: LocalWorld, partnership_id: int, number: int) -> JpatRound:
    async with world.db.sessions() as session:
        found = await session.scalar(
            select(JpatRound).where(
                JpatRound.partnership_id == partnership_id, JpatRound.number == number
            )
        )
        assert found is not None
        return found


async def audit_actions(world: LocalWorld, user_id: int) -> list[str]:
    async with world.db.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.actor_telegram_id == user_id)
            .order_by(AuditEntry.id)
        )
        return list(rows)


async def make_partnership(
    world: LocalWorld, org_id: int, ngo: list[Phone], cadence: str = "quarterly"
) -> int:
    """A partnership made in storage (the /partnership wizard has its own test)."""
    async with world.db.transaction() as session:
        ids = []
        for phone in ngo:
            contact = await contacts.by_telegram_id(session, phone.user_id)
            assert contact is not None
            ids.append(contact.id)
        partnership = await partnerships.create(
            session,
            organisation_id=org_id,
            start_date=START.date(),
            stage="ongoing",
            cadence=cadence,
            created_by=ids[0],
            now=START,
        )
        for contact_id in ids[1:]:
            await partnerships.add_member(session, partnership.id, contact_id, "ngo")
        return partnership.id


async def open_round(world: LocalWorld, phone: Phone, days: int = 14) -> list[Event]:
    """Staff open a round with the buttons; returns the staff chat's events."""
    events = await command(phone, "jpat", "open")
    events += await press(phone, f"In {days} days")
    await drain(world)
    return events


async def consolidate(
    world: LocalWorld,
    phone: Phone,
    agreed: dict[str, int],
    actions: dict[str, tuple[str | None, str, str]],
) -> list[Event]:
    """Walk the recording wizard: per statement on screen the agreed score; for flagged ones
    the action (None = keep the earlier one), its owner button and due button."""
    events: list[Event] = []
    for _ in range(len(agreed)):
        card = next(m for m in reversed(phone.messages) if any(":sc:" in d for d in datas(m)))
        code = re.search(r"\n(?:⚑ )?(\d[a-z]) · ", plain(card.text))
        assert code is not None, card.text
        key = f"e{code.group(1)}"
        events += await press(phone, str(agreed[key]))
        if key in actions:
            text, owner, due = actions[key]
            if text is None:
                keep = next(label for row in phone.messages[-1].buttons for label in row)
                events += await press(phone, keep)
            else:
                events += await say(phone, text)
            events += await press(phone, owner)
            events += await press(phone, due)
    return events


def item_lines(text: str) -> list[tuple[str, str, str]]:
    """(item code, flag, figures line) for each statement in a comparison, in order."""
    found = re.findall(r"(⚑ )?(\d[a-z]) · [^\n]*\n([^\n]*)", text)
    return [(code, flag.strip(), figures) for flag, code, figures in found]
