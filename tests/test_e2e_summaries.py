"""Issue 7 end to end: staff summaries through the sandbox over real HTTP: hand-checked
figures and charts, custom dates and trends, suppressed small breakdowns, attribution, and the
J-PAT summary that counts only closed rounds. Exports, pending lists, report-backs and
refusals are in ``test_e2e_summary_*.py``; shared helpers in ``tests/summary_world.py``.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl

from bot.clock import ManualClock
from storage.models import Response
from tests.e2e import ADMIN_ID, command_and_wait, press_and_wait, say_and_wait
from tests.summary_data import Person, organisation, seed
from tests.summary_world import (
    PULSE,
    START,
    ask_summary,
    audit_actions,
    documents,
    export_xlsx,
    photos,
    plain,
    pulse_version,
    seed_pulse,
    shown,
    staff_world,
)

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
