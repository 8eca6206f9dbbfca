"""Issue 7 end to end: staff summaries, charts, pending lists and nudges, exports, report-backs
and refusals, through the sandbox over real HTTP.

Answers are written straight into storage (``tests.summary_data``) where only their figures
matter, and by real partners on their phones where the partner's side is being tested.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from bot.access import unknown_command_text
from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Event, Limits, Phone
from bot.dispatch import tick
from bot.i18n import FSI, PDI, RLM, translator
from storage import campaigns, contacts, surveys
from storage.models import (
    AuditEntry,
    Campaign,
    Contact,
    Delivery,
    ReportBack,
    ReportBackReply,
    Response,
)
from tests.e2e import (
    ADMIN_ID,
    command_and_wait,
    make_invite,
    onboard_and_wait,
    press_and_wait,
    say_and_wait,
    settle,
    settle_after,
    world_for,
)
from tests.summary_data import Person, organisation, seed

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


# ------------------------------------------------------------------------------ summaries


async def test_summary_with_hand_checked_figures_and_a_chart(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        await seed_pulse(world)
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        events = await ask_summary(admin, "Partnership pulse", "This quarter", "All partners")
        text = shown([e for e in events if e.kind == "message"])
        assert (
            "Partnership pulse" in text and "Jan 1\u2009–\u2009Mar 31, 2026 · All partners" in text
        )
        assert "Asked: 5 · started: 4 · completed: 4 · response rate: 80%" in text
        # satisfaction: 5, 4, 2 and one "don't know" (not a score)
        assert "Mean 3.7 · median 4 · 3 answers\n" in text
        assert "▓▓▓░░░░░░░ 2 Dissatisfied: 1 (33%)" in text
        assert "Don't know: 1" in text
        # communication: 4, 4, 2, 5
        assert "Mean 3.8 · median 4 · 4 answers" in text
        # consulted: often 2, always 1, rarely 1 of 4
        assert "Often: 2 (50%)" in text and "Always: 1 (25%)" in text and "Never: 0 (0%)" in text
        # what went wrong: one answer only, never shown
        assert "Answered by 1 person: too few to show (fewer than 3)." in text
        assert "Late payments" not in text
        # improve: four answers, one by voice, the typed ones quoted
        assert "4 answers, 1 by voice message" in text
        assert "“Pay on time”" in text and "“Shorter forms”" in text
        [chart] = photos(events)
        assert chart.file is not None and chart.file.data is not None
        assert chart.file.data.startswith(b"\x89PNG\r\n\x1a\n")
        assert 20_000 < chart.file.size < 1_000_000
        assert chart.file.width == 1080 and 600 < (chart.file.height or 0) < 4000
        assert "summary.read" in await audit_actions(world)


async def test_custom_dates_and_a_trend_by_quarter(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        version = await pulse_version(world)
        orgs: dict[str, int] = {}
        async with world.db.transaction() as session:
            for when, scores in (
                (datetime(2025, 11, 3, tzinfo=UTC), [2, 3, 4]),
                (datetime(2026, 2, 2, tzinfo=UTC), [4, 5, 5]),
            ):
                await seed(
                    session,
                    PULSE,
                    [Person(f"O{i}", {"satisfaction": s}) for i, s in enumerate(scores)],
                    invited_at=when,
                    orgs=orgs,
                    survey_version_id=version,
                )
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        await command_and_wait(admin, "summary")
        await press_and_wait(admin, "Partnership pulse")
        events = await press_and_wait(admin, "Choose dates")
        assert "widened to the quarters" in shown(events)
        events = await say_and_wait(admin, "2025-10-01 2025-12-31")
        assert "Whose answers?" in shown(events)
        events = await press_and_wait(admin, "All partners", expect=("message", "photo"), count=2)
        text = shown(events)
        assert "Oct 1\u2009–\u2009Dec 31, 2025" in text
        assert "Asked: 3 · started: 3 · completed: 3" in text
        assert "Mean 3 · median 3 · 3 answers" in text

        events = await ask_summary(admin, "Partnership pulse", "Trend by quarter", "All partners")
        text = shown(events)
        assert "Q4 2025: asked 3, completed 3 (100%)" in text
        assert "Q4 2025: mean 3 (3 answers)" in text
        assert "Q1 2026: mean 4.7 (3 answers)" in text
        assert "Q3 2025: not shown" in text
        [chart] = photos(events)
        assert chart.file is not None and chart.file.size > 10_000
        assert "summary.trend" in await audit_actions(world)


async def test_a_trend_of_numbers_gets_its_own_chart_one_panel_per_question(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        entry = world.services.surveys.get("kpi_checkin")
        assert entry is not None
        orgs: dict[str, int] = {}
        async with world.db.transaction() as session:
            for when, reached in (
                (datetime(2025, 11, 3, tzinfo=UTC), [100, 200, 300]),
                (datetime(2026, 2, 2, tzinfo=UTC), [1000, 1500, 2000]),
            ):
                await seed(
                    session,
                    "kpi_checkin",
                    [
                        Person(f"O{i}", {"people_reached": n, "trainings": i + 1})
                        for i, n in enumerate(reached)
                    ],
                    invited_at=when,
                    orgs=orgs,
                    survey_version_id=entry[1],
                )
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        events = await ask_summary(admin, "Results check-in", "Trend by quarter", "All partners")
        text = shown(events)
        assert "Q4 2025: mean 200 (3 answers)" in text
        assert "Q1 2026: mean 1,500 (3 answers)" in text
        [chart] = photos(events)  # no scale question: only the numbers' chart
        assert chart.caption is not None
        assert "Results check-in · Average by quarter" in plain(chart.caption)
        assert chart.file is not None and chart.file.size > 10_000
        # three number questions (people, trainings, funds): three panels stacked
        assert chart.file.height > 1000


async def test_small_breakdowns_are_suppressed_and_the_reply_says_why(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        await seed_pulse(world)
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        await command_and_wait(admin, "summary")
        await press_and_wait(admin, "Partnership pulse")
        await press_and_wait(admin, "This quarter")
        await press_and_wait(admin, "One organisation")
        events = await press_and_wait(admin, "Amal Network")
        text = shown(events)
        assert "Organisation: Amal Network" in text
        assert (
            "Figures are not shown: only 1 person answered here, fewer than 3, "
            "so answers could be traced back to someone." in text
        )
        assert "Mean" not in text and "Late payments" not in text
        assert photos(events) == []


async def test_attribution_is_honoured_in_breakdowns_and_exports(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        people = [
            Person("Hope RLO", {"satisfaction": 5, "improve": "Named one"}),
            Person("Hope RLO", {"satisfaction": 3, "improve": "Named two"}),
            Person("Hope RLO", {"satisfaction": 4, "improve": "Named three"}),
            Person("Hope RLO", {"satisfaction": 1, "improve": "Only in totals"}, attributed=False),
            Person("Amal Network", {"satisfaction": 2, "improve": "Elsewhere"}),
            Person("Amal Network", {"satisfaction": 2, "improve": "Elsewhere too"}),
        ]
        await seed_pulse(world, people)
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        await command_and_wait(admin, "summary")
        await press_and_wait(admin, "Partnership pulse")
        await press_and_wait(admin, "This quarter")
        await press_and_wait(admin, "One organisation")
        events = await press_and_wait(admin, "Hope RLO", expect=("message", "photo"), count=2)
        text = shown(events)
        # Said of every breakdown: a count here would tell which organisation the partner
        # who asked for totals only belongs to.
        assert (
            "Partners who asked to be counted only in overall totals are never part of a "
            "breakdown." in text
        )
        assert "left out" not in text
        assert "Mean 4 · median 4 · 3 answers" in text  # 5, 3, 4: the 1 is not in it
        assert "Only in totals" not in text

        sheet = await export_xlsx(admin, "All time", "English")
        rows = list(sheet.iter_rows(values_only=True))
        header = list(rows[0])
        by_text = {r[header.index("improve")]: r for r in rows[1:]}
        organisation_of = {k: r[header.index("organisation")] for k, r in by_text.items()}
        assert organisation_of == {
            "Named one": "Hope RLO",
            "Named two": "Hope RLO",
            "Named three": "Hope RLO",
            "Only in totals": None,  # an empty cell: never named
            "Elsewhere": None,  # only two named people at Amal: too few to name them
            "Elsewhere too": None,
        }
        language_of = {k: r[header.index("language")] for k, r in by_text.items()}
        assert language_of["Only in totals"] is None and language_of["Named one"] == "en"
        day_of = {k: r[header.index("completed_day")] for k, r in by_text.items()}
        assert day_of["Only in totals"] is None and day_of["Named one"] is not None
        assert "response" not in header


# ------------------------------------------------------------------------------ exports


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


async def test_an_xlsx_export_checked_cell_by_cell(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        await seed_pulse(world)
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        sheet = await export_xlsx(admin, "This quarter", "Français")
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        header = rows[0]
        assert header[:4] == ["organisation", "language", "status", "completed_day"]
        assert header[4:8] == [
            "satisfaction",
            "satisfaction_code",
            "what_went_wrong",
            "communication",
        ]
        assert "consulted" in header and "consulted_code" in header
        assert len(rows) == 1 + 4  # the invited partner has no row: nothing answered

        def cell(row: list[object], column: str) -> object:
            return row[header.index(column)]

        # Rows come in no particular order (not the order of invitation): find them by text.
        by_improve = {cell(r, "improve"): r for r in rows[1:]}
        voice = t("fr", "[voice message, {seconds} s]", seconds=12)
        first, second = by_improve["Pay on time"], by_improve["'=SUM(A1:A9)"]
        third, fourth = by_improve[voice], by_improve["Shorter forms"]
        # No organisation has three named people here, so none is named, and rows without an
        # organisation carry neither language, status nor day to be matched with /pending.
        assert {cell(r, "organisation") for r in rows[1:]} == {None}
        assert cell(first, "status") is None and cell(first, "completed_day") is None
        assert cell(first, "satisfaction") == "5 Très satisfait(e)"
        assert cell(first, "satisfaction_code") == 5
        assert cell(fourth, "satisfaction") == t("fr", "Don't know")
        assert cell(fourth, "satisfaction_code") == "dont_know"
        assert cell(first, "consulted") == "Souvent"
        assert cell(first, "consulted_code") == "often"
        # Only one person answered it: blank in every row, as /summary would not show it.
        assert cell(third, "what_went_wrong") is None
        assert cell(first, "what_went_wrong") is None
        assert cell(second, "improve") == "'=SUM(A1:A9)"  # never run as a formula
        questions = sheet.parent.worksheets[2]
        described = {r[0]: r[1] for r in questions.iter_rows(values_only=True)}
        assert described["satisfaction"] == (
            "Dans l'ensemble, quel est votre niveau de satisfaction à l'égard de notre partenariat ?"
        )
        async with world.db.sessions() as session:
            entry = await session.scalar(
                select(AuditEntry).where(AuditEntry.action == "export.create")
            )
        assert entry is not None and entry.details is not None
        assert entry.details["rows"] == 4 and entry.details["format"] == "xlsx"


async def test_a_csv_export_checked_cell_by_cell(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        await seed_all_types(world)
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        await command_and_wait(admin, "export")
        await press_and_wait(admin, "Every question type")
        await press_and_wait(admin, "All time")
        await press_and_wait(admin, "CSV")
        events = await press_and_wait(admin, "English", expect=("document",))
        [document] = documents(events)
        assert document.file is not None and document.file.data is not None
        assert document.file.data.startswith("\ufeff".encode())  # a BOM: Excel reads UTF-8
        rows = list(csv.reader(io.StringIO(document.file.data.decode("utf-8-sig"))))
        header = rows[0]
        assert [h for h in header if h.startswith("topics_")] == [
            "topics_health",
            "topics_education",
            "topics_livelihoods",
            "topics_protection",
        ]
        records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
        # Rows come in no particular order: put A, B, C back by what they answered.
        records.sort(key=lambda r: (r["topics_health"], r["topics_protection"]), reverse=True)
        assert [r["topics_health"] for r in records] == ["1", "1", "0"]
        assert [r["topics_education"] for r in records] == ["0", "0", "0"]
        assert [r["topics_protection"] for r in records] == ["1", "0", "1"]
        assert [r["has_office_code"] for r in records] == ["yes", "no", "yes"]
        assert [r["has_office"] for r in records] == ["Yes", "No", "Yes"]
        # Only two people answered it: fewer than 3, so the column stays blank, as /summary
        # would not show it either.
        assert [r["people_reached"] for r in records] == ["", "", ""]
        assert "1 question is left blank" in (document.content or "")
        # One named person per organisation: too few to name any, so no day either.
        assert [r["completed_day"] for r in records] == [""] * 3
        assert [r["organisation"] for r in records] == [""] * 3


async def seed_all_types(world: LocalWorld) -> None:
    """Three respondents of the test survey with every question type (tests/data)."""
    async with world.db.transaction() as session:
        await seed(
            session,
            "e2e_all_types",
            [
                Person(
                    "A",
                    {"topics": ["protection", "health"], "has_office": True, "people_reached": 120},
                ),
                Person("B", {"topics": ["health"], "has_office": False, "people_reached": 80}),
                Person("C", {"topics": ["protection"], "has_office": True}),
            ],
            invited_at=START - timedelta(days=1),
            survey_version_id=world.services.surveys.get("e2e_all_types")[1],  # type: ignore[index]
        )


async def test_an_export_below_the_threshold_is_refused(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        await seed_pulse(world, PEOPLE[:2])
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        await command_and_wait(admin, "export")
        await press_and_wait(admin, "Partnership pulse")
        # Refused as soon as survey and period are known: no format or language to choose.
        events = await press_and_wait(admin, "All time")
        assert documents(events) == [] and "CSV" not in buttons(events)
        assert "Nothing was exported: only 2 people answered in this period" in shown(events)
        assert "export.refused" in await audit_actions(world)


async def test_an_export_of_one_organisation_with_unnamed_partners_is_refused(
    sqlite_url: str,
) -> None:
    """As in summaries: named rows would show whose the unnamed ones are."""
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        hope = [PEOPLE[0], PEOPLE[1], Person("Hope RLO", {"satisfaction": 3})]
        assert [p.org for p in hope] == ["Hope RLO"] * 3 and not hope[1].attributed
        await seed_pulse(world, hope)
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        await command_and_wait(admin, "export")
        await press_and_wait(admin, "Partnership pulse")
        events = await press_and_wait(admin, "All time")
        assert documents(events) == []
        assert "Nothing was exported: all answers in this period come from one organisation" in (
            shown(events)
        )
        assert "export.refused" in await audit_actions(world)


# ------------------------------------------------------------------------------ pending


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


async def test_pending_lists_who_has_not_answered_and_nudges_them(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        done, waiting, sleeping = await partners(
            world,
            clock,
            [(801, "en", "Hope RLO"), (802, "en", "Amal Network"), (803, "fr", "Tumaini Group")],
        )
        await launch(world, clock)
        for phone in (done, waiting, sleeping):
            await settle(phone)
            phone.consume_all()
        await answer(world, 801, {"satisfaction": 4})
        async with world.db.transaction() as session:  # Tumaini's focal person is asleep now
            contact = await contacts.by_telegram_id(session, 803)
            assert contact is not None
            contact.quiet_start, contact.quiet_end = "09:00", "12:00"

        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        events = await command_and_wait(admin, "pending")
        assert "#1 Partnership pulse (due Mar 16, 2026)" in buttons(events)
        events = await press_and_wait(admin, data="pnd:show:c:1")
        text = shown(events)
        assert "Completed: 1 of 3. Not completed yet: 2." in text
        assert "Amal Network (1)\n• P802 (not started)" in text
        assert "Tumaini Group (1)\n• P803 (not started)" in text
        assert "Hope RLO" not in text
        assert "2 partners can be reminded now (at most 2 reminders each" in text

        events = await press_and_wait(admin, "Nudge them now")
        assert "Reminders queued for 2 partners." in shown(events)
        [nudge] = await waiting.wait(1, kinds=("message",), timeout=10)
        assert "A friendly reminder" in plain(nudge.text)
        assert await settle(sleeping) == []  # quiet hours: held back, not dropped
        async with world.db.sessions() as session:
            held = await session.scalar(
                select(Delivery).where(Delivery.kind == "nudge", Delivery.state == "pending")
            )
        assert held is not None and held.due_at > clock.now()
        assert await settle(done) == []

        # The limit holds: two nudges each at most, however often staff press.
        async with world.db.transaction() as session:
            for response in await session.scalars(select(Response)):
                response.nudges_sent = 2
        events = await press_and_wait(admin, data="pnd:show:c:1")
        assert "Everyone waiting already had the maximum of 2 reminders." in shown(events)
        assert "Nudge them now" not in buttons(events)
        await admin.press_data("pnd:nudge:c:1")  # an old button: the limit still holds
        events = await settle(admin)
        assert "2 partners already had the maximum of 2 reminders." in shown(events)
        assert {"pending.read", "pending.nudge"} <= set(await audit_actions(world))


# ------------------------------------------------------------------------------ report-back


async def test_a_report_back_reaches_partners_in_their_languages(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        phones = await partners(
            world,
            clock,
            [
                (811, "en", "Hope RLO"),
                (812, "fr", "Amal Network"),
                (813, "fr", "Tumaini Group"),
                (814, "en", "Baraka Women"),
            ],
        )
        async with world.db.transaction() as session:
            await contacts.make_staff(
                session,
                telegram_user_id=STAFF_ID,
                display_name="Grace",
                language="en",
                timezone="Africa/Nairobi",
                now=clock.now(),
            )
            named = await contacts.by_telegram_id(session, 812)
            assert named is not None
            named.attribution = "attributed"
        campaign_id = await launch(world, clock, days=7)
        for score, user_id in zip((5, 4, 2), (811, 812, 813), strict=True):
            await answer(
                world,
                user_id,
                {"satisfaction": score, "communication": 4, "consulted": "code:often"},
            )
        clock.advance(days=8)
        assert world.bot is not None
        await tick(world.bot.application)  # closes the campaign
        for phone in phones:
            await settle(phone)
            phone.consume_all()

        staff = world.sandbox.user(STAFF_ID, first_name="Grace", language_code="en")
        events = await command_and_wait(staff, "share")
        assert f"#{campaign_id} Partnership pulse (closed Mar 10, 2026)" in buttons(events)
        await press_and_wait(staff, data=f"shr:c:{campaign_id}")
        events = await say_and_wait(
            staff, "We will pay within 30 days.", expect=("message", "photo"), count=4
        )
        text = shown(events)
        assert "Preview: this is what each partner will receive" in text
        assert "What we heard: Partnership pulse" in text
        assert "3 partners of 4 answered." in text
        assert "Average: 3.7 out of 5" in text
        assert "What we will do (a note from the team, written in English):" in text
        assert "Send it to the 4 partners who were asked?" in text
        assert len(photos(events)) == 1

        # a Send button from the preview of another campaign is stale: nothing is sent
        await staff.press_data(f"shr:go:c{campaign_id + 1}")
        events = await settle_after(staff, expect=("callback_answer",))
        assert [plain(e.text) for e in events if e.kind == "callback_answer"] == [
            "This button is no longer active. Send /help to see what you can do."
        ]
        async with world.db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(ReportBack)) == 0
        events = await press_and_wait(staff, "Send to partners")
        assert "Report-back #1 is on its way to 4 partners" in shown(events)
        english, french = phones[0], phones[1]
        got = await english.wait(2, kinds=("photo", "message"), timeout=10)
        assert [e.kind for e in got] == ["photo", "message"]
        assert got[0].file is not None and got[0].file.size > 10_000
        assert "Overall, how satisfied are you with our partnership?" in plain(got[1].text)
        assert "We will pay within 30 days." in plain(got[1].text)
        got = await french.wait(2, kinds=("photo", "message"), timeout=10)
        text = plain(got[1].text)
        assert (
            "Dans l'ensemble, quel est votre niveau de satisfaction à l'égard de notre partenariat ?"
            in text
        )
        assert "anglais" in text  # the note is labelled with its language, in French
        assert "We will pay within 30 days." in text
        assert "Late" not in text  # no quotes in a report-back, ever
        for phone in phones[2:]:
            assert len(await phone.wait(2, kinds=("photo", "message"), timeout=10)) == 2

        # Partners reply: a reaction (pressing twice counts once) and a comment.
        await press_and_wait(english, data="rb:r:1:up", expect=("callback_answer",))
        await press_and_wait(english, data="rb:r:1:up", expect=("callback_answer",))
        await press_and_wait(french, data="rb:r:1:down", expect=("callback_answer",))
        await press_and_wait(french, data="rb:c:1")
        events = await say_and_wait(french, "Merci, mais les retards continuent.")
        assert t("fr", "Thank you! Your comment was passed on to the team.") in shown(events)
        [notice] = await staff.wait(1, kinds=("message",), timeout=10)
        assert "Amal Network commented on report-back #1" in plain(notice.text)
        async with world.db.sessions() as session:
            replies = list(await session.scalars(select(ReportBackReply)))
        assert sorted((r.kind, r.value) for r in replies) == [
            ("comment", None),
            ("reaction", "down"),
            ("reaction", "up"),
        ]
        await settle(staff)
        await command_and_wait(staff, "share")
        events = await press_and_wait(staff, "Replies from partners")
        text = shown(events)
        assert "👍 1 · 👎 1 · 💬 1" in text
        assert "Amal Network: “Merci, mais les retards continuent.”" in text

        # Someone who was not asked cannot react.
        stranger_token, _ = await make_invite(world.db, org_name="Late RLO", now=clock.now())
        late = await onboard_and_wait(world, 815, stranger_token)
        late.consume_all()
        await late.press_data("rb:r:1:up")
        await settle(late)
        async with world.db.sessions() as session:
            assert len(list(await session.scalars(select(ReportBackReply)))) == 3
        assert {"reportback.send", "reportback.replies"} <= set(await audit_actions(world))


async def test_a_campaign_below_the_threshold_cannot_be_shared(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        await partners(world, clock, [(821, "en", "Hope RLO"), (822, "en", "Amal Network")])
        campaign_id = await launch(world, clock, days=7)
        await answer(world, 821, {"satisfaction": 5})
        clock.advance(days=8)
        assert world.bot is not None
        await tick(world.bot.application)
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        await command_and_wait(admin, "share")
        events = await press_and_wait(admin, data=f"shr:c:{campaign_id}")
        text = shown(events)
        assert "This campaign cannot be reported back to partners." in text
        assert "only 1 person answered here, fewer than 3" in text
        async with world.db.sessions() as session:
            assert (await session.get(Campaign, campaign_id)) is not None
            assert (
                await session.scalar(select(Delivery).where(Delivery.kind == "reportback")) is None
            )


# ------------------------------------------------------------------------------ refusals


STAFF_COMMANDS = ("summary", "pending", "export", "share", "send", "campaigns", "invite", "audit")


async def test_partners_and_strangers_are_refused_every_staff_command(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        [partner] = await partners(world, clock, [(831, "fr", "Hope RLO")])
        stranger = world.sandbox.user(832, first_name="Visitor", language_code="en")
        for phone, lang in ((partner, "fr"), (stranger, "en")):
            for name in STAFF_COMMANDS:
                events = await command_and_wait(phone, name)
                assert [plain(e.text) for e in events] == [plain(unknown_command_text(lang))], name
            for data in ("sum:sv:partner_feedback", "pnd:nudge:c:1", "exp:fmt:csv", "shr:go"):
                await phone.press_data(data)
                events = await settle(phone)
                assert [plain(e.text) for e in events if e.kind == "callback_answer"] == [
                    plain(unknown_command_text(lang))
                ], data
        async with world.db.sessions() as session:
            refused = list(
                await session.scalars(
                    select(AuditEntry.subject).where(AuditEntry.action == "command.refused")
                )
            )
            partner_contact = await session.scalar(
                select(Contact).where(Contact.telegram_user_id == 831)
            )
        assert partner_contact is not None and partner_contact.role == "partner"
        assert len(refused) == 2 * (len(STAFF_COMMANDS) + 4)
        assert {f"/{name}" for name in STAFF_COMMANDS} <= set(refused)

        # the admin reads who did what, in words, in the admin's own language and time zone
        async with world.db.transaction() as session:
            grace = await contacts.by_telegram_id(session, ADMIN_ID)  # made at start-up
            assert grace is not None and grace.role == "admin"
            grace.display_name, grace.language, grace.timezone = "Grace", "fr", "Africa/Nairobi"
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="fr")
        lines = shown(await command_and_wait(admin, "audit")).splitlines()
        assert lines[0] == t("fr", "Recent staff actions (newest first):")
        refused = t("fr", "tried a staff command without the right to")
        # 07:00 UTC is 10:00 in Nairobi; the stranger has no name, so their Telegram id shows
        assert f"2 mars 2026, 10:00 · 832 · {refused} · /summary" in lines
        assert any(line.endswith(f" · {refused} · /audit") and "832" not in line for line in lines)
        assert not any("command.refused" in line for line in lines)
        async with world.db.sessions() as session:
            [read] = list(
                await session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.read"))
            )
        assert read.actor_telegram_id == ADMIN_ID


async def test_j_pat_summary_counts_only_closed_rounds_side_by_side(sqlite_url: str) -> None:
    """J-PAT answers stay blind while a round is open, then show both sides and the gap."""
    from storage.models import JpatItem, JpatRound, Partnership

    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        entry = world.services.surveys.get("jpat")
        assert entry is not None
        version = entry[1]
        async with world.db.transaction() as session:
            rounds = []
            for n, status in enumerate(("closed", "open")):
                org = await organisation(session, f"Partner {n}", START)
                partnership = Partnership(
                    organisation_id=org,
                    stage="implementation",
                    cadence="quarterly",
                    created_at=START,
                    updated_at=START,
                )
                session.add(partnership)
                await session.flush()
                jpat_round = JpatRound(
                    partnership_id=partnership.id,
                    number=1,
                    status=status,
                    survey_version_id=version,
                    opened_at=START,
                    deadline=START + timedelta(days=9),
                )
                session.add(jpat_round)
                await session.flush()
                rounds.append(jpat_round.id)
            orgs: dict[str, int] = {}
            for round_id, scores in ((rounds[0], (4, 4, 5)), (rounds[1], (1, 1, 1))):
                ids = await seed(
                    session,
                    "jpat",
                    [Person(f"P{round_id}-{i}", {"e1a": s}) for i, s in enumerate(scores)],
                    invited_at=START - timedelta(days=1),
                    orgs=orgs,
                    survey_version_id=version,
                )
                ngo = await seed(
                    session,
                    "jpat",
                    [Person(f"N{round_id}-{i}", {"e1a": 2}) for i in range(3)],
                    invited_at=START - timedelta(days=1),
                    orgs=orgs,
                    survey_version_id=version,
                )
                for response_id in ids + ngo:
                    response = await session.get(Response, response_id)
                    assert response is not None
                    response.jpat_round_id = round_id
                    response.side = "partner" if response_id in ids else "ngo"
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        events = await ask_summary(
            admin, "J-PAT partnership check-in", "This quarter", "All partners"
        )
        text = shown(events)
        assert "Partner side: Asked: 3 · started: 3 · completed: 3" in text
        assert "NGO side: Asked: 3" in text
        assert "Partners 4.3 · NGO 2 · gap 2.3" in text  # the open round's 1s are not in it
        assert len(photos(events)) == 1

        # The J-PAT export: both sides, the gap, the agreed score and the action.
        async with world.db.transaction() as session:
            session.add(
                JpatItem(
                    round_id=rounds[0],
                    item_key="e1a",
                    agreed_score=3,
                    action_text="Joint context analysis",
                    action_owner="both",
                )
            )
        await command_and_wait(admin, "export")
        await press_and_wait(admin, "J-PAT partnership check-in")
        await press_and_wait(admin, "This quarter")
        await press_and_wait(admin, "Excel (XLSX)")
        events = await press_and_wait(admin, "English", expect=("document",))
        [document] = documents(events)
        assert document.file is not None and document.file.data is not None
        book = openpyxl.load_workbook(io.BytesIO(document.file.data), read_only=True)
        assert book.sheetnames == ["About this file", "J-PAT", "Rounds", "Submissions", "Questions"]
        items = [list(r) for r in book["J-PAT"].iter_rows(values_only=True)]
        header = items[0]
        e1a = [dict(zip(header, r, strict=False)) for r in items[1:] if r[4] == "e1a"]
        assert len(e1a) == 1  # the open round is not exported
        [row] = e1a
        assert row["partnership"] == "Partner 0"
        assert (row["partner_median"], row["partner_n"]) == (4, 3)
        assert (row["ngo_median"], row["ngo_n"]) == (2, 3)
        assert (row["gap"], row["to_discuss"]) == (2, 1)
        assert (row["agreed_score"], row["action"], row["action_owner"]) == (
            3,
            "Joint context analysis",
            "both",
        )
        submissions = list(book["Submissions"].iter_rows(values_only=True))
        assert len(submissions) == 1 + 6 and "side" in submissions[0]
