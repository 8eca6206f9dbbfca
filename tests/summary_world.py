"""Shared helpers of the staff-side end-to-end tests (summaries, exports, pending, report-backs,
charts, disclosure, staff wizards): a sandbox world with time under the test's control, the
hand-checked pulse data set, real partners on their phones, campaigns and answers.

Answers are written straight into storage (``tests.summary_data``) where only their figures
matter, and by real partners on their phones where the partner's side is being tested.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Event, Limits, Phone
from bot.dispatch import tick
from bot.i18n import FSI, PDI, RLM, translator
from storage import campaigns, contacts, surveys
from storage.models import AuditEntry, Response
from tests.e2e import command_and_wait, make_invite, onboard_and_wait, press_and_wait, world_for
from tests.summary_data import Person, seed

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday, 10:00 in Nairobi, in Q1 2026
PULSE = "partner_feedback"
DATA = Path(__file__).resolve().parent / "data"
STAFF_ID = 600001


@asynccontextmanager
async def staff_world(database_url: str, clock: ManualClock) -> AsyncIterator[LocalWorld]:
    """No periodic tick (the test moves time), no per-chat pacing, and the test surveys."""
    async with world_for(
        database_url,
        clock=clock,
        tick_seconds=0,
        limits=Limits(chat_enabled=False),
        chat_burst=1000,
        surveys_dir=DATA,
    ) as world:
        yield world


def plain(text: str | None) -> str:
    return (text or "").replace(RLM, "").replace(FSI, "").replace(PDI, "")


def shown(events: list[Event]) -> str:
    return "\n".join(plain(e.content) for e in events if e.kind in ("message", "photo", "edit"))


def t(lang: str, message: str, **values: object) -> str:
    """What a reader of ``lang`` sees for a catalog message (translated or not yet)."""
    return plain(translator(lang)(message, **values))


def buttons(events: list[Event]) -> list[str]:
    return [text for e in events for row in e.buttons for text in row]


def photos(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "photo"]


def documents(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "document"]


async def pulse_version(world: LocalWorld) -> int:
    entry = world.services.surveys.get(PULSE)
    assert entry is not None
    return entry[1]


# The hand-checked data set: four respondents in three organisations, one still invited.
PEOPLE = [
    Person(
        "Hope RLO",
        {
            "satisfaction": 5,
            "communication": 4,
            "consulted": "code:often",
            "payments_on_time": "code:on_time",
            "credit": 4,
            "improve": "Pay on time",
        },
    ),
    Person(
        "Hope RLO",
        {
            "satisfaction": 4,
            "communication": 4,
            "consulted": "code:often",
            "payments_on_time": "code:mostly",
            "credit": ("dont_know",),
            "improve": "=SUM(A1:A9)",
        },
        attributed=False,
    ),
    Person(
        "Amal Network",
        {
            "satisfaction": 2,
            "what_went_wrong": "Late payments",
            "communication": 2,
            "consulted": "code:rarely",
            "payments_on_time": "code:often_late",
            "credit": 2,
            "improve": ("voice", 12),
        },
    ),
    Person(
        "Tumaini Group",
        {
            "satisfaction": ("dont_know",),
            "communication": 5,
            "consulted": "code:always",
            "payments_on_time": "code:on_time",
            "credit": 5,
            "improve": "Shorter forms",
        },
    ),
    Person("Tumaini Group", {}, status="invited"),
]


async def seed_pulse(world: LocalWorld, people: list[Person] = PEOPLE) -> dict[str, int]:
    orgs: dict[str, int] = {}
    async with world.db.transaction() as session:
        await seed(
            session,
            PULSE,
            people,
            invited_at=START - timedelta(days=1),
            orgs=orgs,
            survey_version_id=await pulse_version(world),
        )
    return orgs


async def ask_summary(admin: Phone, *choices: str, count: int = 2) -> list[Event]:
    """/summary, then press the buttons with these texts; the last press gets the answer."""
    await command_and_wait(admin, "summary")
    for choice in choices[:-1]:
        await press_and_wait(admin, choice, expect=("message",))
    return await press_and_wait(admin, choices[-1], expect=("message", "photo"), count=count)


async def audit_actions(world: LocalWorld) -> list[str]:
    async with world.db.sessions() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def export_xlsx(admin: Phone, period: str, language: str):  # type: ignore[no-untyped-def]
    await command_and_wait(admin, "export")
    await press_and_wait(admin, "Partnership pulse")
    await press_and_wait(admin, period)
    await press_and_wait(admin, "Excel (XLSX)")
    events = await press_and_wait(admin, language, expect=("document",))
    [document] = documents(events)
    assert document.file is not None and document.file.data is not None
    assert (document.file.filename or "").endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(document.file.data), read_only=True)
    about = [r[0] for r in book.worksheets[0].iter_rows(values_only=True)]
    assert any("no response number" in (line or "") or "numéro" in (line or "") for line in about)
    return book.worksheets[1]


async def partners(world: LocalWorld, clock: ManualClock, specs: list[tuple[int, str, str]]):  # type: ignore[no-untyped-def]
    """Onboard real partners: (user id, language, organisation name)."""
    phones = []
    for user_id, lang, org in specs:
        token, _ = await make_invite(world.db, org_name=org, now=clock.now())
        phone = await onboard_and_wait(world, user_id, token, language=lang, name=f"P{user_id}")
        phone.consume_all()
        phones.append(phone)
    return phones


async def launch(world: LocalWorld, clock: ManualClock, days: int = 14) -> int:
    async with world.db.transaction() as session:
        launched = await campaigns.launch(
            session,
            survey_id=PULSE,
            survey_version_id=await pulse_version(world),
            audience_kind="all",
            audience_value=None,
            due_at=clock.now() + timedelta(days=days),
            created_by=None,
            now=clock.now(),
        )
    assert world.bot is not None
    await tick(world.bot.application)
    return launched.campaign.id


async def answer(world: LocalWorld, user_id: int, answers: dict[str, object]) -> None:
    """A partner's whole survey, written as the survey chat would have."""
    from tests.summary_data import _columns

    async with world.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, user_id)
        assert contact is not None
        response = await session.scalar(
            select(Response).where(Response.contact_id == contact.id).order_by(Response.id.desc())
        )
        assert response is not None
        for key, value in answers.items():
            await surveys.save_answer(
                session,
                response_id=response.id,
                key=key,
                now=START,
                language=contact.language,
                raw_text=None,
                **_columns(value),
            )
        response.status, response.started_at, response.completed_at = "completed", START, START
