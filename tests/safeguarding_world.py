"""Shared helpers of the confidential-report end-to-end tests (``test_e2e_safeguarding*.py``):
a sandbox world with time under the test's control, staff phones, a named safeguarding focal
point, the way to the confidential question, and look-ups of what was stored and audited.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Event, Limits, Phone
from storage import contacts
from storage.models import AnswerRow, AuditEntry, SafeguardingReport
from tests.e2e import ADMIN_ID, settle_after, world_for
from tests.survey_steps import open_invitation, say, shown, tap

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday, 10:00 in Nairobi
COORDINATOR_ID = 600001
FOCAL_ID = 600002
WORDS = "The coordinator asks us for money before approving our reports."
ANON_WORDS = "A staff member threatened to cut our grant if we complain."
REFERENCE = re.compile(r"SG-[2-9A-Z]{5}")


@asynccontextmanager
async def sg_world(database_url: str, clock: ManualClock) -> AsyncIterator[LocalWorld]:
    async with world_for(
        database_url,
        clock=clock,
        tick_seconds=0,
        limits=Limits(chat_enabled=False),
        chat_burst=1000,
    ) as world:
        yield world


async def staff_phone(world: LocalWorld, clock: ManualClock, user_id: int, name: str) -> Phone:
    async with world.db.transaction() as session:
        await contacts.make_staff(
            session,
            telegram_user_id=user_id,
            display_name=name,
            language="en",
            timezone="Africa/Nairobi",
            now=clock.now(),
        )
    return world.sandbox.user(user_id, first_name=name, language_code="en")


async def act(phone: Phone, kind: str = "message") -> list[Event]:
    return await settle_after(phone, expect=kind)


async def command(phone: Phone, name: str, args: str = "") -> list[Event]:
    await phone.send_command(name, args)
    return await act(phone)


async def name_focal_point(world: LocalWorld, clock: ManualClock) -> tuple[Phone, Phone]:
    admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
    focal = await staff_phone(world, clock, FOCAL_ID, "Amina Yusuf")
    text = shown(await command(admin, "staff", f"safeguarding add {FOCAL_ID} Amina Yusuf"))
    assert "Amina Yusuf is now a safeguarding focal point" in text
    listing = shown(await command(admin, "staff", "safeguarding"))
    assert f"• Amina Yusuf ({FOCAL_ID})" in listing
    # The focal point opens the bot (a bot cannot write first) and has nothing to read yet.
    assert "There are no open confidential reports." in shown(await command(focal, "reports"))
    return admin, focal


async def up_to_confidential(phone: Phone) -> None:
    """Answer partner_feedback up to its confidential question."""
    await open_invitation(phone)
    await tap(phone, "c", 4)  # satisfaction
    await tap(phone, "c", 3)  # communication
    await tap(phone, "c", 1)  # consulted
    await tap(phone, "c", 0)  # payments
    await tap(phone, "c", 4)  # credit
    await say(phone, "Share the budget with us earlier.")  # improve


def everything(events: list[Event]) -> str:
    """All a phone received: texts, captions, buttons and file contents."""
    parts = []
    for e in events:
        parts.append(e.content or "")
        parts.append(repr(e.reply_markup or {}))
        if e.file is not None and e.file.data is not None:
            parts.append(e.file.data.decode("utf-8", "replace"))
    return "\n".join(parts)


async def words_in_answers(world: LocalWorld, words: str) -> list[AnswerRow]:
    async with world.db.sessions() as session:
        rows = await session.scalars(select(AnswerRow))
        return [r for r in rows if words in (r.value_text or "") or words in (r.raw_text or "")]


async def audit_rows(world: LocalWorld) -> list[AuditEntry]:
    async with world.db.sessions() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def reports(world: LocalWorld) -> list[SafeguardingReport]:
    async with world.db.sessions() as session:
        return list(await session.scalars(select(SafeguardingReport)))
