"""Review of /surveys import (issue 15): the edges a staff member or a partner can reach.

A forged Try button only ever starts the presser's own trial; a confidential trial answer is
never stored; a failed download loses nothing and says so; a partner's .xlsx is not a form;
texts and keyboards Telegram cannot show are refused at import; trials do not pile up; a
second process cannot install an older version over a newer one.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import telegram
from sqlalchemy import func, select
from telegram.error import NetworkError

from bot.access import Person
from bot.clock import ManualClock
from bot.surveys import installing
from bot.surveys.registry import SurveyRegistry
from conversations.xlsform import import_xlsform
from storage.models import AnswerRow, Contact, Response, SurveyInstall
from storage.models.safeguarding import SafeguardingReport
from storage.scopes import Period, Scope, scope_conditions
from tests.meeting_world import person
from tests.survey_steps import (
    START,
    THANKS,
    command,
    only_message,
    press,
    reaction,
    say,
    shown,
    survey_world,
    tap,
)
from tests.xlsform_forms import KOBO_CHOICES, KOBO_SETTINGS, KOBO_SURVEY, xlsform

STAFF_ID = 700011
PARTNER_ID = 700012
KOBO = xlsform(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS)
SETTINGS = [["form_id", "version", "form_title"], ["checkin", "1", "Check-in"]]


def with_version(version: int) -> list[list[object]]:
    return [
        row if row[0] != "Training check-in" else [row[0], row[1], str(version), row[3]]
        for row in KOBO_SETTINGS
    ]


async def upload(phone, data: bytes, filename: str = "form.xlsx"):  # type: ignore[no-untyped-def]
    await command(phone, "surveys", "import")
    await phone.send_document(data, filename=filename)
    return await reaction(phone)


async def test_a_forged_try_button_only_starts_the_pressers_own_uncounted_trial(
    database_url: str,
) -> None:
    """sva:try:<id> of a shipped survey (not uploaded by anyone): a trial of the staff member's
    own; the confidential answer is neither stored nor reported; nothing counts in results."""
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        staff, _contact = await person(world, STAFF_ID, name="Grace", role="staff")
        await command(staff, "help")  # a message to press on
        _pulse, version_id = world.services.surveys.get("partner_feedback")  # type: ignore[misc]
        await staff.press_data(f"sva:try:{version_id}")
        assert "Overall, how satisfied are you" in shown(await reaction(staff))
        for arg in (4, 3, 1, 0, 4):
            await tap(staff, "c", arg)
        await say(staff, "Share the budget with us earlier.")
        done = shown(await say(staff, "The director asked me for money"))
        assert "nothing is sent to the safeguarding focal point" in done
        assert THANKS in done
        async with world.db.sessions() as session:
            trial = await session.scalar(select(Response).where(Response.trial.is_(True)))
            assert trial is not None and trial.status == "completed"
            confidential = await session.scalar(
                select(AnswerRow).where(
                    AnswerRow.response_id == trial.id, AnswerRow.question_key == "confidential"
                )
            )
            assert confidential is not None and confidential.status == "skipped"
            assert confidential.raw_text is None and confidential.value_text is None
            assert await session.scalar(select(func.count(SafeguardingReport.id))) == 0
            scope = Scope(survey_id="partner_feedback", period=Period(None, None))
            counted = await session.scalar(
                select(func.count(Response.id)).where(*scope_conditions(scope))
            )
            assert counted == 0
        assert world.services.surveys.get("partner_feedback")[1] == version_id  # type: ignore[index]


async def test_a_failed_download_loses_nothing_and_the_file_can_be_sent_again(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        staff, _contact = await person(world, STAFF_ID, name="Grace", role="staff")

        async def unreachable(*_args: object, **_kwargs: object) -> bytearray:
            raise NetworkError("connection reset by peer")

        monkeypatch.setattr(telegram.File, "download_as_bytearray", unreachable)
        failed = shown(await upload(staff, KOBO))
        assert failed == "I could not get the file from Telegram. Please send it again."
        monkeypatch.undo()
        await staff.send_document(KOBO, filename="form.xlsx")  # still in the import step
        assert "Form read: Training check-in" in shown(await reaction(staff))


async def test_a_partners_xlsx_is_not_taken_as_a_form(database_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        amina, _contact = await person(world, PARTNER_ID, name="Amina")
        await amina.send_document(KOBO, filename="form.xlsx")
        said = only_message(await reaction(amina)).text
        assert said == "Sorry, I didn't understand that. Send /help to see what I can do."
        async with world.db.sessions() as session:
            assert await session.scalar(select(func.count(SurveyInstall.id))) == 0


async def test_a_form_whose_question_cannot_be_shown_is_refused(database_url: str) -> None:
    """A 5,000-character label (or a select_one of 120 countries: 'Reply markup is too long')
    passes the checks, installs, and then every partner who starts it gets "something went
    wrong". It should be refused at import, naming the row."""
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        staff, _contact = await person(world, STAFF_ID, name="Grace", role="staff")
        form = xlsform([["type", "name", "label"], ["text", "q1", "Why? " * 1000]], None, SETTINGS)
        answer = shown(await upload(staff, form))
        assert "I cannot run this form" in answer and "row 2" in answer


async def test_a_choice_list_too_long_for_a_keyboard_is_refused(database_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        staff, _contact = await person(world, STAFF_ID, name="Grace", role="staff")
        choices = [["list_name", "name", "label"]] + [
            ["c", f"c{i}", f"Country {i}"] for i in range(120)
        ]
        survey = [["type", "name", "label"], ["select_one c", "country", "Which country?"]]
        answer = shown(await upload(staff, xlsform(survey, choices, SETTINGS)))
        assert "I cannot run this form" in answer


async def test_trying_twice_and_cancelling_leaves_no_trial_waiting(database_url: str) -> None:
    """Today: two trial responses, both listed by /surveys ("Continue: Training check-in"
    twice, for a form never installed) and in /mydata, forever (no campaign closes them)."""
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        staff, _contact = await person(world, STAFF_ID, name="Grace", role="staff")
        preview = only_message(await upload(staff, KOBO))
        await press(staff, "Try it yourself", message_id=preview.message_id)
        await press(staff, "Try it yourself", message_id=preview.message_id)
        await command(staff, "cancel")
        listing = shown(await command(staff, "surveys"))
        assert "Training check-in" not in listing
        async with world.db.sessions() as session:
            open_trials = await session.scalar(
                select(func.count(Response.id)).where(
                    Response.trial.is_(True), Response.status.in_(("in_progress", "paused"))
                )
            )
        assert open_trials == 0


async def test_a_second_process_cannot_install_an_older_version_over_a_newer_one(
    database_url: str,
) -> None:
    """Process A installs v5; process B (before its next tick) still sees nothing installed and
    lets v4 be installed. Today A keeps v5, B offers v4, and after a restart v4 is current."""
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        staff, contact_id = await person(world, STAFF_ID, name="Grace", role="staff")
        other = SurveyRegistry()
        await other.load(world.db, world.services.settings.surveys_dir)
        b = SimpleNamespace(surveys=other, db=world.db, clock=clock, extras={})
        preview = only_message(
            await upload(staff, xlsform(KOBO_SURVEY, KOBO_CHOICES, with_version(5)))
        )
        await press(staff, "Install", message_id=preview.message_id, expect="edit")
        older = import_xlsform(xlsform(KOBO_SURVEY, KOBO_CHOICES, with_version(4))).survey
        assert older is not None
        staged = await installing.stage(b, older)  # type: ignore[arg-type]
        if staged.blocker is None:  # process B would offer Install: press it
            async with world.db.sessions() as session:
                contact = await session.get(Contact, contact_id)
            grace = Person(STAFF_ID, contact, False, "en")
            await installing.install(b, grace, older, staged.version_id)  # type: ignore[arg-type]
        restarted = SurveyRegistry()
        await restarted.load(world.db, world.services.settings.surveys_dir)
        entry = restarted.get("training_checkin")
        assert entry is not None and entry[0].version == 5
