"""Issue 7 end to end: exports checked cell by cell (XLSX and CSV), and exports refused below
the threshold or for one organisation with unnamed partners.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from storage.models import AuditEntry
from tests.e2e import ADMIN_ID, command_and_wait, press_and_wait
from tests.summary_data import Person, seed
from tests.summary_world import (
    PEOPLE,
    START,
    audit_actions,
    buttons,
    documents,
    export_xlsx,
    seed_pulse,
    shown,
    staff_world,
    t,
)

# ------------------------------------------------------------------------------ exports


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
