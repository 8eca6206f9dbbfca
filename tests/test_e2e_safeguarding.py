"""Confidential reports end to end: a partner's words reach only the named safeguarding focal
point — never the staff who run the partnership, the answers table, a summary or an export —
the focal point replies through the bot and marks the report handled, and every read is in the
audit log; an anonymous report hides name, organisation and chat; "Don't send" keeps nothing;
a voice report goes to the focal point, not the answers. Through the sandbox over real HTTP,
time under the test's control.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.access import unknown_command_text
from bot.clock import ManualClock
from storage import safeguarding as sg_store
from storage.models import AnswerRow, SafeguardingMessage, SafeguardingReport
from tests.e2e import ADMIN_ID, command_and_wait, press_and_wait, settle
from tests.safeguarding_world import (
    ANON_WORDS,
    COORDINATOR_ID,
    FOCAL_ID,
    REFERENCE,
    START,
    WORDS,
    act,
    audit_rows,
    command,
    everything,
    name_focal_point,
    reports,
    sg_world,
    staff_phone,
    up_to_confidential,
    words_in_answers,
)
from tests.survey_steps import (
    THANKS,
    messages,
    partner,
    plain,
    press,
    pulse_campaign,
    question_message,
    response_of,
    rows_of,
    say,
    shown,
    tap,
)

# ------------------------------------------------------------------------------ the whole path


async def test_a_report_reaches_only_the_focal_point_who_replies_and_closes_it(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with sg_world(sqlite_url, clock) as world:
        admin, focal = await name_focal_point(world, clock)
        coordinator = await staff_phone(world, clock, COORDINATOR_ID, "Peter Coordinator")
        refused = await command(coordinator, "reports")
        assert [plain(e.text) for e in refused] == [plain(unknown_command_text("en"))]
        phones = [
            await partner(world, clock, 7101, name="Halima", org_name="Hope RLO"),
            await partner(world, clock, 7102, org_name="Amal Network"),
            await partner(world, clock, 7103, org_name="Tumaini Group"),
        ]
        await pulse_campaign(world, clock, *phones)
        reporter = phones[0]

        # Before typing: who will read it, by name and role, and who will not.
        await up_to_confidential(reporter)
        question = plain(question_message(reporter).text)
        assert "Is there anything you would like to raise confidentially?" in question
        assert "Amina Yusuf, safeguarding focal point" in question
        assert "The staff who run your partnership will not see it" in question

        # Typing keeps a draft nobody reads; the partner chooses how to send it.
        confirm = messages(await say(reporter, WORDS))[-1]
        assert "Nothing has been sent yet" in plain(confirm.text)
        assert [b for row in confirm.buttons for b in row] == [
            "Send with my name",
            "Send anonymously",
            "Don't send",
        ]
        assert not await words_in_answers(world, WORDS)
        assert all(not e.content or WORDS not in e.content for e in focal.events)

        events = await press(reporter, "Send with my name", expect="message")
        text = shown(events)
        [reference] = set(REFERENCE.findall(text))
        assert f"Sent. Your reference is {reference}." in text
        assert "Only Amina Yusuf will read it." in text
        assert THANKS in text
        assert "only the safeguarding focal point reads that" in text
        assert f"🔒 Sent confidentially · {reference}" in text  # under the closed question

        pushed = shown(await act(focal))
        assert f"Confidential report {reference}" in pushed
        assert WORDS in pushed
        assert "From: Halima, Hope RLO" in pushed
        assert "Partnership pulse" in pushed
        assert str(reporter.user_id) not in everything(focal.events)

        # The words are stored only in the confidential table.
        response = await response_of(world, 7101)
        assert response.status == "completed"
        [row] = [r for r in await rows_of(world, response.id) if r.question_key == "confidential"]
        assert (row.status, row.value_text, row.raw_text, row.voice_file_id) == (
            "skipped",
            None,
            None,
            None,
        )
        [report] = await reports(world)
        assert (report.reference, report.status, report.anonymous) == (reference, "open", False)

        # The others finish too, so summaries and exports have enough people to show.
        for phone in phones[1:]:
            await up_to_confidential(phone)
            assert THANKS in shown(await tap(phone, "s"))

        # Staff who run the partnership see nothing of it, in chat, summaries or exports.
        for phone in (coordinator, admin):
            await command_and_wait(phone, "summary")
            for label in ("Partnership pulse", "This quarter"):
                await press_and_wait(phone, label, expect=("message",))
            await press_and_wait(phone, "All partners", expect=("message", "photo"), count=2)
            await command_and_wait(phone, "export")
            for label in ("Partnership pulse", "This quarter", "CSV"):
                await press_and_wait(phone, label, expect=("message",))
            await press_and_wait(phone, "English", expect=("document",))
            assert [e for e in phone.events if e.kind == "photo"], "no summary chart"
            assert [e for e in phone.events if e.kind == "document"], "no export"
            received = everything(phone.events)
            assert WORDS not in received
            assert reference not in received
        assert not [e for e in coordinator.events if "confidential report" in (e.content or "")]

        # The focal point replies through the bot; the partner answers back.
        prompt = shown(await press(focal, "Reply"))
        assert f"Type your reply about {reference}" in prompt
        await focal.send_text("Thank you for telling us. Can you say when this happened?")
        assert f"Your reply about {reference} was sent." in shown(await act(focal))
        got = shown(await act(reporter))
        assert f"Reply from the safeguarding focal point about your report {reference}" in got
        assert "Can you say when this happened?" in got
        await press(reporter, "Answer")
        await reporter.send_text("Last Tuesday, at the office.")
        assert "Sent to the safeguarding focal point" in shown(await act(reporter))
        news = shown(await act(focal))
        assert f"New message about confidential report {reference}" in news
        assert "Last Tuesday, at the office." in news

        # /reports lists it; opening it shows the whole conversation.
        listing = await command(focal, "reports")
        assert reference in shown(listing) and "with name" in shown(listing)
        opened = shown(await press(focal, f"Open {reference}"))
        for part in (WORDS, "Can you say when this happened?", "Last Tuesday, at the office."):
            assert part in opened

        # Mark handled: the focal point and the partner are told; /reports no longer lists it.
        events = await press(focal, "Mark handled")
        assert f"{reference} is marked handled." in shown(events)
        assert f"has marked your report {reference} as handled" in shown(await act(reporter))
        after = shown(await command(focal, "reports"))
        assert "There are no open confidential reports." in after
        assert "1 report is handled." in after
        [report] = await reports(world)
        assert report.status == "handled" and report.handled_at is not None

        # Every read by the focal point is in the audit log, and no words are.
        entries = await audit_rows(world)
        actions = [(e.action, e.actor_telegram_id) for e in entries]
        for action in (
            "safeguarding.delivered",
            "safeguarding.list",
            "safeguarding.open",
            "safeguarding.reply",
            "safeguarding.handled",
        ):
            assert (action, FOCAL_ID) in actions, action
        assert ("safeguarding.focal_add", ADMIN_ID) in actions
        assert ("command.refused", COORDINATOR_ID) in actions
        logged = repr([(e.subject, e.details) for e in entries])
        assert WORDS not in logged and "Last Tuesday" not in logged

        # /forget (wired by the lead): the words go, the reference and status stay.
        async with world.db.transaction() as session:
            assert await sg_store.erase_for_contact(session, report.contact_id, clock.now()) == 1
        async with world.db.sessions() as session:
            texts = list(await session.scalars(select(SafeguardingMessage.text)))
            kept = await session.get(SafeguardingReport, report.id)
        assert set(texts) == {sg_store.ERASED}
        assert kept is not None and (kept.reference, kept.status) == (reference, "handled")


async def test_an_anonymous_report_hides_name_organisation_and_chat(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with sg_world(sqlite_url, clock) as world:
        _admin, focal = await name_focal_point(world, clock)
        reporter = await partner(world, clock, 7201, name="Fatuma", org_name="Secret Sisters RLO")
        await pulse_campaign(world, clock, reporter)
        await up_to_confidential(reporter)
        await say(reporter, ANON_WORDS)
        text = shown(await press(reporter, "Send anonymously", expect="message"))
        assert "Sent anonymously: your name and organisation were not shared." in text
        [reference] = set(REFERENCE.findall(text))

        pushed = await act(focal)
        seen = everything(focal.events)
        assert ANON_WORDS in shown(pushed)
        assert "From: anonymous" in shown(pushed)
        for secret in ("Fatuma", "Secret Sisters", str(reporter.user_id)):
            assert secret not in seen, secret

        # Opening and replying to it reveal nothing either; the reply still reaches the person.
        await command(focal, "reports")
        opened = shown(await press(focal, f"Open {reference}"))
        assert "anonymous" in opened and "Fatuma" not in opened
        await press(focal, "Reply")
        await focal.send_text("We will look into this. You are safe to tell us more.")
        await act(focal)
        assert "You are safe to tell us more." in shown(await act(reporter))
        assert "Fatuma" not in everything(focal.events)
        [report] = await reports(world)
        assert report.anonymous and report.organisation_id is None


async def test_dont_send_keeps_nothing(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with sg_world(sqlite_url, clock) as world:
        _admin, focal = await name_focal_point(world, clock)
        reporter = await partner(world, clock, 7301)
        await pulse_campaign(world, clock, reporter)
        await up_to_confidential(reporter)
        await say(reporter, WORDS)
        events = await press(reporter, "Don't send", expect="edit")
        assert "Not sent. Nothing of it was kept." in shown(events)
        assert await reports(world) == []
        assert THANKS in shown(await tap(reporter, "s"))  # the question is still there: Skip
        await settle(focal)
        assert WORDS not in everything(focal.events)


async def test_a_voice_report_goes_to_the_focal_point_not_the_answers(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with sg_world(sqlite_url, clock) as world:
        _admin, focal = await name_focal_point(world, clock)
        reporter = await partner(world, clock, 7701)
        await pulse_campaign(world, clock, reporter)
        await up_to_confidential(reporter)
        voice = await reporter.send_voice(duration=9)
        confirm = messages(await act(reporter))[-1]
        assert "Nothing has been sent yet" in plain(confirm.text)
        await press(reporter, "Send with my name", expect="message")
        pushed = shown(await act(focal))
        assert "🎤 voice message, 9 s" in pushed
        async with world.db.sessions() as session:
            [stored] = list(await session.scalars(select(SafeguardingMessage)))
            leaked = list(
                await session.scalars(select(AnswerRow).where(AnswerRow.voice_file_id.is_not(None)))
            )
        assert stored.voice_file_id == voice["message"]["voice"]["file_id"]
        assert [r.question_key for r in leaked] == []  # "improve" was typed; nothing else
