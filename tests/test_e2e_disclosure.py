"""Issue 11 end to end: the attacks a curious staff member could make with the normal buttons,
through the sandbox over real HTTP, fail.

* Differencing by dates: Feb 1–28 against Feb 11–28.
* Differencing by growth: the same quarter before and after one more person answered.
* Differencing by audience: all partners against a tag, and against every organisation's
  breakdown, to isolate a partner who asked to be counted only in totals.
* /export bypassing /summary: a question too few answered is blank in the file too.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Phone
from storage import contacts
from tests.e2e import ADMIN_ID, command_and_wait, press_and_wait, say_and_wait, settle_after
from tests.summary_data import Person, organisation, seed
from tests.summary_world import (
    PULSE,
    STAFF_ID,
    START,
    ask_summary,
    audit_actions,
    buttons,
    documents,
    pulse_version,
    shown,
    staff_world,
)


async def add(
    world: LocalWorld, people: list[Person], when: datetime, orgs: dict[str, int]
) -> None:
    async with world.db.transaction() as session:
        await seed(
            session,
            PULSE,
            people,
            invited_at=when,
            orgs=orgs,
            survey_version_id=await pulse_version(world),
        )


async def dated_summary(admin: Phone, dates: str) -> str:
    await command_and_wait(admin, "summary")
    await press_and_wait(admin, "Partnership pulse", expect=("message",))
    await press_and_wait(admin, "Choose dates", expect=("message",))
    await say_and_wait(admin, dates)
    events = await press_and_wait(admin, "All partners", expect=("message", "photo"), count=2)
    return shown(events)


def figures(text: str) -> list[str]:
    """The lines that carry answers (not the heading, which names the typed period)."""
    return [line for line in text.splitlines() if "Mean" in line or (": " in line and "%" in line)]


async def test_two_date_ranges_one_person_apart_show_the_same_whole_quarter(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        orgs: dict[str, int] = {}
        await add(
            world,
            [Person("Early RLO", {"satisfaction": 1})],
            datetime(2026, 2, 5, tzinfo=UTC),
            orgs,
        )
        await add(
            world,
            [Person(f"Late {i}", {"satisfaction": 5}) for i in range(3)],
            datetime(2026, 2, 15, tzinfo=UTC),
            orgs,
        )
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        whole = await dated_summary(admin, "2026-02-01 2026-02-28")
        late = await dated_summary(admin, "2026-02-11 2026-02-28")
        for text in (whole, late):
            assert "Jan 1\u2009–\u2009Mar 31, 2026" in text  # widened to the whole quarter
            assert "Mean 4 · median 5 · 4 answers" in text
        assert figures(whole) == figures(late)  # nothing to subtract


async def test_one_more_answer_is_held_back_until_enough_new_answers_arrive(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        orgs: dict[str, int] = {}
        when = START - timedelta(days=3)
        await add(world, [Person(f"O{i}", {"satisfaction": 4}) for i in range(3)], when, orgs)
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        choices = ("Partnership pulse", "This quarter", "All partners")
        first = shown(await ask_summary(admin, *choices))
        assert "Mean 4 · median 4 · 3 answers" in first

        await add(world, [Person("Newcomer", {"satisfaction": 1})], when, orgs)
        second = shown(await ask_summary(admin, *choices, count=1))
        assert "Held back: these figures would differ from figures already shown" in second
        assert "Mean" not in second and "1 Very dissatisfied" not in second

        await add(world, [Person(f"N{i}", {"satisfaction": 2}) for i in range(2)], when, orgs)
        third = shown(await ask_summary(admin, *choices))
        assert "Mean 2.8 · median 3 · 6 answers" in third  # three new people: a group of its own


async def test_breakdowns_cannot_isolate_a_partner_counted_only_in_totals(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        orgs: dict[str, int] = {}
        async with world.db.transaction() as session:
            orgs["Hope RLO"] = await organisation(session, "Hope RLO", START, ["east"])
            orgs["Amal Network"] = await organisation(session, "Amal Network", START, ["east"])
        when = START - timedelta(days=1)
        await add(
            world,
            [
                *[Person("Hope RLO", {"satisfaction": 4}) for _ in range(3)],
                *[Person("Amal Network", {"satisfaction": 3}) for _ in range(3)],
                Person("Amal Network", {"satisfaction": 1}, attributed=False),
            ],
            when,
            orgs,
        )
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        everyone = shown(
            await ask_summary(admin, "Partnership pulse", "This quarter", "All partners")
        )
        assert "7 answers" in everyone

        # The tag holds every named partner: all partners minus the tag would be the one who
        # asked for totals only.
        await command_and_wait(admin, "summary")
        await press_and_wait(admin, "Partnership pulse", expect=("message",))
        await press_and_wait(admin, "This quarter", expect=("message",))
        await press_and_wait(admin, "Organisations with a tag", expect=("message",))
        tag = shown(await press_and_wait(admin, "east", expect=("message",)))
        assert "Not shown: outside this group fewer than 3 people answered it" in tag
        assert "Mean" not in tag
        assert "left out" not in tag  # no count that would say where the partner belongs

        # One organisation at a time. Hope first: all partners minus Hope would be Amal's
        # four, the answer of Amal's partner who asked for totals only among them, so Hope is
        # held back. Amal's named partners then: the rest is Hope's three and that partner,
        # two organisations and four people, so Amal is shown.
        hope = await organisation_summary(admin, "Hope RLO")
        assert "Mean" not in hope
        assert (
            "Held back: together with figures already shown, these figures would reveal the "
            "answers of one organisation" in hope
        )
        amal = await organisation_summary(admin, "Amal Network")
        assert "Mean 3 · median 3 · 3 answers" in amal
        # Hope asked again is still held back: all minus Amal minus Hope would be the one
        # partner (too few), and all minus Hope still one organisation.
        again = await organisation_summary(admin, "Hope RLO")
        assert "Mean" not in again and "Held back" in again
        for text in (hope, amal, again):
            assert "Partners who asked to be counted only in overall totals are never part" in text


async def organisation_summary(admin: Phone, name: str) -> str:
    await command_and_wait(admin, "summary")
    await press_and_wait(admin, "Partnership pulse", expect=("message",))
    await press_and_wait(admin, "This quarter", expect=("message",))
    await press_and_wait(admin, "One organisation", expect=("message",))
    events = await press_and_wait(admin, name, expect=("message",))
    return shown(events)


async def test_an_export_leaves_blank_what_a_summary_would_not_show(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        orgs: dict[str, int] = {}
        people = [
            Person("Hope RLO", {"satisfaction": 5, "communication": 4}),
            Person("Hope RLO", {"satisfaction": 4, "communication": 4}),
            Person(
                "Amal Network",
                {"satisfaction": 2, "what_went_wrong": "The coordinator", "communication": 2},
            ),
        ]
        await add(world, people, START - timedelta(days=1), orgs)
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        summary = shown(
            await ask_summary(admin, "Partnership pulse", "This quarter", "All partners")
        )
        assert "Answered by 1 person: too few to show" in summary

        await command_and_wait(admin, "export")
        await press_and_wait(admin, "Partnership pulse", expect=("message",))
        await press_and_wait(admin, "This quarter", expect=("message",))
        await press_and_wait(admin, "CSV", expect=("message",))
        events = await press_and_wait(admin, "English", expect=("document",))
        [document] = documents(events)
        assert document.file is not None and document.file.data is not None
        data = document.file.data.decode("utf-8-sig")
        assert "The coordinator" not in data
        rows = list(csv.DictReader(io.StringIO(data)))
        assert [r["what_went_wrong"] for r in rows] == ["", "", ""]
        assert sorted(r["satisfaction_code"] for r in rows) == ["2", "4", "5"]
        assert "response" not in rows[0]
        # Too few named people per organisation to name one: no organisation, no day.
        assert {(r["organisation"], r["completed_day"]) for r in rows} == {("", "")}
        assert "1 question is left blank" in (document.content or "")


async def test_the_raw_export_is_for_admins_only_says_so_and_is_audited(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        orgs: dict[str, int] = {}
        people = [Person("Hope RLO", {"satisfaction": s}) for s in (5, 4)]
        people.append(Person("Amal Network", {"satisfaction": 2, "what_went_wrong": "Late"}))
        await add(world, people, START - timedelta(days=1), orgs)
        async with world.db.transaction() as session:
            await contacts.make_staff(
                session,
                telegram_user_id=STAFF_ID,
                display_name="Musa",
                language="en",
                timezone="UTC",
                now=clock.now(),
            )
        staff = world.sandbox.user(STAFF_ID, first_name="Musa", language_code="en")
        await command_and_wait(staff, "export")
        await press_and_wait(staff, "Partnership pulse", expect=("message",))
        events = await press_and_wait(staff, "This quarter", expect=("message",))
        assert "Raw file (admins only)" not in buttons(events)
        # A forged press on the admins' button changes nothing and gives no file.
        await staff.press_data("exp:fmt:raw")
        events = await settle_after(staff, expect=("message", "callback_answer"))
        assert documents(events) == []
        assert "In which language" not in shown(events)

        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        await command_and_wait(admin, "export")
        await press_and_wait(admin, "Partnership pulse", expect=("message",))
        await press_and_wait(admin, "This quarter", expect=("message",))
        await press_and_wait(admin, "Raw file (admins only)", expect=("message",))
        events = await press_and_wait(admin, "English", expect=("document",))
        [document] = documents(events)
        assert document.file is not None and document.file.data is not None
        assert (document.file.filename or "").startswith("partner_feedback-RAW-ADMIN-ONLY")
        assert "admins only" in (document.content or "")
        book = openpyxl.load_workbook(io.BytesIO(document.file.data), read_only=True)
        about = [r[0] for r in book.worksheets[0].iter_rows(values_only=True)]
        assert about[0] == "RAW EXPORT FOR ADMINS ONLY. Do not share this file."
        rows = list(book.worksheets[1].iter_rows(values_only=True))
        assert rows[0][0] == "response" and "what_went_wrong" in rows[0]
        assert "Late" in [r[rows[0].index("what_went_wrong")] for r in rows[1:]]
        assert "export.raw" in await audit_actions(world)
