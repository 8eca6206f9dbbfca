"""Issue 15 end to end: a staff member sends a KoBo form to the bot, tries it, installs it and
sends it to partners, who answer it in French; a form the bot cannot run is refused line by
line; and /surveys export gives a workbook that imports back to the same survey.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.surveys.registry import SurveyRegistry
from conversations.xlsform import import_xlsform
from storage.models import AnswerRow, AuditEntry, Response
from storage.scopes import Period, Scope, scope_conditions
from tests.e2e import ADMIN_ID
from tests.meeting_world import person
from tests.survey_steps import (
    START,
    THANKS,
    command,
    forge,
    go_button,
    only_message,
    partner,
    press,
    reaction,
    run_tick,
    say,
    settle,
    shown,
    survey_world,
    tap,
)
from tests.xlsform_forms import (
    KOBO_CHOICES,
    KOBO_SETTINGS,
    KOBO_SURVEY,
    ODK_CHOICES,
    ODK_SETTINGS,
    ODK_SURVEY,
    xlsform,
)

STAFF_ID = 700001
KOBO = xlsform(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS)
PREVIEW = "Form read: Training check-in (id training_checkin, version 4)."


def buttons_of(event: object) -> list[str]:
    markup = getattr(event, "reply_markup", None) or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def upload(phone, data: bytes, filename: str = "kobo.xlsx"):  # type: ignore[no-untyped-def]
    await command(phone, "surveys", "import")
    await phone.send_document(data, filename=filename)
    return await reaction(phone)


async def test_a_kobo_form_is_tried_installed_and_answered_by_partners(database_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        staff, _staff_id = await person(world, STAFF_ID, name="Grace", role="staff")
        amina = await partner(world, clock, 5101, language="fr", name="Amina")
        amina.consume_all()

        asked = only_message(await command(staff, "surveys", "import"))
        assert "Send me the XLSForm now" in asked.text
        waiting = only_message(await say(staff, "here it comes"))
        assert "I am waiting for the XLSForm file (.xlsx)" in waiting.text
        await staff.send_document(b"%PDF-1.4", filename="form.pdf")
        assert "This is not an XLSForm" in only_message(await reaction(staff)).text

        await staff.send_document(KOBO, filename="kobo.xlsx")
        preview = only_message(await reaction(staff))
        assert PREVIEW in preview.text
        assert "7 questions · 1 section" in preview.text
        assert "Languages: English (en), French (fr)" in preview.text
        assert "question 'topics' choices[livelihoods].label has no fr text" in preview.text
        assert "Installing makes it available to /send to partners." in preview.text
        assert buttons_of(preview) == ["Try it yourself", "Install", "Close"]

        # Trying it: the survey as a partner sees it, answers kept apart from results.
        intro = await press(staff, "Try it yourself")
        assert "Thank you for your time." in shown(intro)
        await tap(staff, "n")
        await tap(staff, "c", 0)  # yes
        assert shown(await say(staff, "0")) == "From 1 to 500"  # the form's constraint message
        assert "Which topics?" in shown(await say(staff, "12"))
        await tap(staff, "t", 0)  # health
        assert "Budget spent?" in shown(await tap(staff, "d"))
        await say(staff, "150.5")
        await tap(staff, "s")
        done = shown(await tap(staff, "s"))
        assert THANKS in done
        assert "This was a trial: your answers are not counted in any results." in done
        async with world.db.sessions() as session:
            trial = await session.scalar(select(Response).where(Response.trial.is_(True)))
            assert trial is not None and trial.status == "completed"
            kept = await session.scalar(
                select(func.count()).where(AnswerRow.response_id == trial.id)
            )
            assert kept and kept >= 5  # every answer stored the moment it was given
            scope = Scope(survey_id="training_checkin", period=Period(None, None))
            counted = await session.scalar(
                select(func.count(Response.id)).where(*scope_conditions(scope))
            )
            assert counted == 0  # a trial never reaches a summary, export or report-back

        # Installing: audited, offered by /send, kept across a restart, seen by other processes.
        other = SurveyRegistry()  # a second bot process on the same database
        await other.load(world.db, world.services.settings.surveys_dir)
        assert other.get("training_checkin") is None
        installed = await press(staff, "Install", message_id=preview.message_id, expect="edit")
        assert "Installed: Training check-in (version 4). Send /send to invite partners." in (
            shown(installed)
        )
        async with world.db.sessions() as session:
            actions = list(await session.scalars(select(AuditEntry.action)))
        assert "survey.install" in actions
        await other.refresh(world.db)  # its next dispatcher tick
        assert other.get("training_checkin") is not None
        restarted = SurveyRegistry()
        await restarted.load(world.db, world.services.settings.surveys_dir)
        entry = restarted.get("training_checkin")
        assert entry is not None and entry[0].version == 4
        assert entry[1] == world.services.surveys.get("training_checkin")[1]  # type: ignore[index]

        admin = world.sandbox.user(ADMIN_ID, first_name="Ada")
        await command(admin, "send")
        await press(admin, "Training check-in")
        await press(admin, "All partners")
        await press(admin, "In 14 days")
        await press(admin, "Send now")
        await run_tick(world)
        invitation = only_message(await settle(amina))
        assert "Training check-in" in invitation.text
        first = await press(amina, data=go_button(invitation), expect="edit")
        assert "Merci de votre temps." in shown(first)
        asked_fr = shown(await tap(amina, "n"))
        assert "Avez-vous organisé une formation ?" in asked_fr
        await tap(amina, "c", 1)  # no:  # the group's questions and the budget are not relevant
        await tap(amina, "s")  # next visit: optional
        finished = shown(await tap(amina, "s"))  # comments: optional, English only
        assert "Merci" in finished
        async with world.db.sessions() as session:
            response = await session.scalar(
                select(Response).where(
                    Response.trial.is_(False), Response.survey_id == "training_checkin"
                )
            )
            assert response is not None and response.status == "completed"
            assert response.language == "fr"


REFUSED_SURVEY = [
    ["type", "name", "label::English (en)", "choice_filter"],
    ["begin_repeat", "visits", "Visits", None],
    ["text", "place", "Where?", None],
    ["end_repeat", None, None, None],
    ["select_one towns", "town", "Which town?", "country = 'ke'"],
    ["geopoint", "where", "Location", None],
]
REFUSED_CHOICES = [
    ["list_name", "name", "label::English (en)", "country"],
    ["towns", "nairobi", "Nairobi", "ke"],
]
REFUSED_SETTINGS = [["form_title", "form_id", "version"], ["Visits", "visits", "1"]]


async def test_a_form_the_bot_cannot_run_is_refused_line_by_line(database_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        staff, _staff_id = await person(world, STAFF_ID, name="Grace", role="staff")
        form = xlsform(REFUSED_SURVEY, REFUSED_CHOICES, REFUSED_SETTINGS)
        expected = import_xlsform(form, "visits.xlsx").refusals
        assert len(expected) >= 3
        refused = only_message(await upload(staff, form, "visits.xlsx")).text
        assert f"Please fix these {len(expected)} problems in the spreadsheet" in refused
        for line in expected:  # the same lines `partnerbot surveys import` prints
            assert f"• {line}" in refused
        assert "sheet 'survey', row 2" in refused and "sheet 'survey', row 5" in refused
        assert world.services.surveys.get("visits") is None
        # Still waiting for a corrected file; /cancel leaves, nothing installed.
        corrected = only_message(await upload(staff, KOBO))
        assert PREVIEW in corrected.text
        assert "Nothing was installed." not in corrected.text
        await command(staff, "surveys", "import")
        left = only_message(await command(staff, "cancel"))
        assert left.text == "Cancelled. Nothing was installed."
        assert world.services.surveys.get("training_checkin") is None


async def test_only_staff_import_and_installs_need_a_higher_version(database_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        staff, _staff_id = await person(world, STAFF_ID, name="Grace", role="staff")
        amina = await partner(world, clock, 5102, name="Amina")
        amina.consume_all()
        refused = only_message(await command(amina, "surveys", "import"))
        assert refused.text == "Sorry, I don't know that command. Send /help to see what I can do."
        amina.consume_all()

        preview = only_message(await upload(staff, KOBO))
        version_id = next(
            b["callback_data"]
            for row in preview.reply_markup["inline_keyboard"]
            for b in row
            if b["text"] == "Install"
        ).split(":")[2]
        # A partner pressing (forged) Install is refused; nothing is installed.
        answered = await forge(amina, f"sva:inst:{version_id}")
        assert "don't know that command" in answered[-1].text
        assert world.services.surveys.get("training_checkin") is None
        forged = await forge(staff, "sva:inst:999999", message_id=preview.message_id)
        assert "This button is no longer active" in forged[-1].text
        await press(staff, "Install", message_id=preview.message_id, expect="edit")

        await staff.send_document(KOBO, filename="kobo.xlsx")  # no /surveys import first
        again = only_message(await reaction(staff))
        assert "This exact form is already installed. Nothing to do." in again.text
        assert "Install" not in buttons_of(again)
        older = [row if row[0] != "Training check-in" else [row[0], row[1], "3", row[3]]
                 for row in KOBO_SETTINGS]  # fmt: skip
        changed = [list(r) for r in KOBO_SURVEY]
        changed[-1][2] = "Anything else?"
        lower = only_message(await upload(staff, xlsform(changed, KOBO_CHOICES, older)))
        assert (
            "Version 3 cannot be installed: version 4 is installed. Raise the version in the "
            "settings sheet (e.g. to 5) and send the form again."
        ) in lower.text
        assert buttons_of(lower) == ["Try it yourself", "Close"]
        higher = [row if row[0] != "Training check-in" else [row[0], row[1], "5", row[3]]
                  for row in KOBO_SETTINGS]  # fmt: skip
        newer = only_message(await upload(staff, xlsform(changed, KOBO_CHOICES, higher)))
        assert "Installing replaces version 4 for new invitations" in newer.text
        await press(staff, "Install", message_id=newer.message_id, expect="edit")
        survey, _v = world.services.surveys.get("training_checkin")  # type: ignore[misc]
        assert survey.version == 5 and survey.question("comments").text["en"] == "Anything else?"  # type: ignore[union-attr]


async def test_any_survey_is_exported_as_an_xlsform_that_imports_back(database_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        staff, _staff_id = await person(world, STAFF_ID, name="Grace", role="staff")
        await command(staff, "surveys", "export")
        events = await press(staff, "Partnership pulse", expect="document")
        [document] = [e for e in events if e.kind == "document"]
        assert document.file is not None and document.file.data is not None
        assert document.file.filename == "partner_feedback-v1.xlsx" or (
            document.file.filename or ""
        ).startswith("partner_feedback-v")
        assert "send it back with /surveys import" in (document.caption or "")
        back = import_xlsform(document.file.data)
        assert back.refusals == []
        assert back.survey == world.services.surveys.get("partner_feedback")[0]  # type: ignore[index]
        async with world.db.sessions() as session:
            actions = list(await session.scalars(select(AuditEntry.action)))
        assert "survey.export" in actions


async def test_an_odk_form_is_answered_with_a_scale_relevance_and_a_voice_message(
    database_url: str,
) -> None:
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        staff, _staff_id = await person(world, STAFF_ID, name="Grace", role="staff")
        preview = only_message(await upload(staff, xlsform(ODK_SURVEY, ODK_CHOICES, ODK_SETTINGS)))
        assert "Form read: Pulse (id pulse, version 2)." in preview.text
        intro = shown(await press(staff, "Try it yourself"))
        assert "Three questions." in intro and "How satisfied are you?" in intro
        why = shown(await tap(staff, "c", 2))  # 2 <= 2: "Why?" is relevant
        assert "Why?" in why
        await staff.send_voice(7)
        again = shown(await reaction(staff))
        assert "Would you work with us again?" in again
        done = shown(await press(staff, "Yes"))
        assert THANKS in done
        async with world.db.sessions() as session:
            trial = await session.scalar(select(Response).where(Response.trial.is_(True)))
            assert trial is not None and trial.status == "completed"
            rows = {
                row.question_key: row
                for row in await session.scalars(
                    select(AnswerRow).where(AnswerRow.response_id == trial.id)
                )
            }
        assert rows["satisfaction"].value_num == 2
        assert rows["why"].voice_duration == 7
        assert rows["again"].value_text == "yes"
