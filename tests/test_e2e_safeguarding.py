"""Confidential reports end to end: a partner's words reach only the named safeguarding focal
point — never the staff who run the partnership, the answers table, a summary or an export —
the focal point replies through the bot and marks the report handled, and every read is in the
audit log. Through the sandbox over real HTTP, time under the test's control."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.access import unknown_command_text
from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Event, Limits, Phone
from conversations import SurveyDefinitionError, parse_survey
from storage import contacts
from storage import safeguarding as sg_store
from storage.models import (
    AnswerRow,
    AuditEntry,
    Contact,
    SafeguardingMessage,
    SafeguardingReport,
)
from tests.e2e import (
    ADMIN_ID,
    command_and_wait,
    press_and_wait,
    settle,
    settle_after,
    world_for,
)
from tests.test_e2e_surveys import (
    THANKS,
    messages,
    open_invitation,
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


# ------------------------------------------------------------------------------ nobody named


async def test_without_a_focal_point_the_partner_is_told_and_nothing_is_stored(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with sg_world(sqlite_url, clock) as world:
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        listing = shown(await command(admin, "staff", "safeguarding"))
        assert "No safeguarding focal point is named" in listing
        first = await partner(world, clock, 7401)
        second = await partner(world, clock, 7402)
        await pulse_campaign(world, clock, first, second)

        await up_to_confidential(first)
        question = plain(question_message(first).text)
        assert "Confidential reports cannot be received right now" in question
        assert "safeguarding focal point," not in question  # nobody is named to the partner
        notice = shown(await act(admin))
        assert "Partners cannot send confidential reports" in notice
        assert "/staff safeguarding add" in notice

        # Typing anyway: told again, the question is skipped, nothing is kept.
        events = await say(first, WORDS)
        text = shown(events)
        assert "What you wrote was not stored, and this question is skipped." in text
        assert THANKS in text
        assert await reports(world) == []
        response = await response_of(world, 7401)
        [row] = [r for r in await rows_of(world, response.id) if r.question_key == "confidential"]
        assert (row.status, row.value_text, row.raw_text) == ("skipped", None, None)
        assert response.status == "completed"

        # The admins were told once, not again for the next partner.
        await up_to_confidential(second)
        assert THANKS in shown(await tap(second, "s"))
        await settle(admin)
        told = [e for e in admin.events if "Partners cannot send" in (e.content or "")]
        assert len(told) == 1


# ------------------------------------------------------------------------------ refusals


async def test_staff_partners_and_strangers_cannot_read_reports(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with sg_world(sqlite_url, clock) as world:
        _admin, focal = await name_focal_point(world, clock)
        reporter = await partner(world, clock, 7501)
        other = await partner(world, clock, 7502)
        await pulse_campaign(world, clock, reporter, other)
        await up_to_confidential(reporter)
        await say(reporter, WORDS)
        await press(reporter, "Send with my name", expect="message")
        await act(focal)
        await settle(other)  # its invitation
        [report] = await reports(world)

        coordinator = await staff_phone(world, clock, COORDINATOR_ID, "Peter")
        stranger = world.sandbox.user(7599, first_name="Visitor", language_code="en")
        refusal = plain(unknown_command_text("en"))
        for phone in (coordinator, other, stranger):
            assert [plain(e.text) for e in await command(phone, "reports")] == [refusal]
            for data in (
                f"sg:op:{report.id}",
                f"sg:rp:{report.id}",
                f"sg:hd:{report.id}",
                f"sg:an:{report.id}",
                f"sg:s:{report.id}:a",
                "sg:op:x",
            ):
                await phone.press_data(data)
                events = await settle(phone)
                answers = [plain(e.text) for e in events if e.kind == "callback_answer"]
                assert answers == [refusal], data
            assert WORDS not in everything(phone.events)
        [still] = await reports(world)
        assert still.status == "open"

        # Removed focal points read nothing more.
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        removed = shown(await command(admin, "staff", f"safeguarding remove {FOCAL_ID}"))
        assert "is no longer a safeguarding focal point" in removed
        assert [plain(e.text) for e in await command(focal, "reports")] == [refusal]

        entries = await audit_rows(world)
        refused = [e for e in entries if e.action == "command.refused"]
        assert len(refused) == 3 * 7 + 1
        assert ("safeguarding.focal_remove", ADMIN_ID) in [
            (e.action, e.actor_telegram_id) for e in entries
        ]


async def test_only_staff_or_admins_with_a_name_can_be_focal_points(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with sg_world(sqlite_url, clock) as world:
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        a_partner = await partner(world, clock, 7601)
        text = shown(await command(admin, "staff", f"safeguarding add {a_partner.user_id}"))
        assert "Only a staff member or an admin can be a safeguarding focal point" in text
        # The admin names themself: a contact is made for them; a name is needed.
        text = shown(await command(admin, "staff", f"safeguarding add {ADMIN_ID}"))
        assert "followed by the name partners should see" in text
        text = shown(await command(admin, "staff", f"safeguarding add {ADMIN_ID} Grace Njeri"))
        assert "Grace Njeri is now a safeguarding focal point" in text
        assert "There are no open confidential reports." in shown(await command(admin, "reports"))
        async with world.db.sessions() as session:
            contact = await session.scalar(
                select(Contact).where(Contact.telegram_user_id == ADMIN_ID)
            )
            points = await sg_store.focal_points(session)
        assert contact is not None and contact.role == "admin"
        assert [p.name for p in points] == ["Grace Njeri"]
        # a stranger tries the admin command
        stranger = world.sandbox.user(7699, first_name="Visitor", language_code="en")
        events = await command(stranger, "staff", f"safeguarding add {stranger.user_id} Me")
        assert [plain(e.text) for e in events] == [plain(unknown_command_text("en"))]


# ------------------------------------------------------------------------------ the definition


BASE = {
    "id": "s",
    "version": 1,
    "default_language": "en",
    "languages": ["en"],
    "title": {"en": "T"},
    "intro": {"en": "I"},
}


def _survey(question: dict[str, object]):  # type: ignore[no-untyped-def]
    return parse_survey({**BASE, "questions": [question]})


def test_confidential_is_only_for_optional_text_questions() -> None:
    ok = _survey(
        {"key": "c", "type": "text", "required": False, "confidential": True, "text": {"en": "?"}}
    )
    assert ok.questions[0].confidential
    plain_text = _survey({"key": "t", "type": "text", "text": {"en": "?"}})
    assert plain_text.questions[0].confidential is False
    # Surveys that never use the flag keep their stored form (and fingerprint).
    assert "confidential" not in plain_text.model_dump(mode="json")["questions"][0]
    assert ok.model_dump(mode="json")["questions"][0]["confidential"] is True
    with pytest.raises(SurveyDefinitionError, match="only a text question can be confidential"):
        _survey(
            {
                "key": "s",
                "type": "scale",
                "min": 1,
                "max": 5,
                "required": False,
                "confidential": True,
                "text": {"en": "?"},
            }
        )
    with pytest.raises(SurveyDefinitionError, match="must be optional"):
        _survey({"key": "c", "type": "text", "confidential": True, "text": {"en": "?"}})


def test_the_shipped_pulse_marks_its_confidential_question() -> None:
    from conversations.loader import load_all

    survey = load_all()["partner_feedback"]
    flagged = [q.key for q in survey.questions if q.confidential]
    assert flagged == ["confidential"]
    question = survey.question("confidential")
    assert question is not None and not question.required
    assert all(question.text.get(lang) for lang in ("en", "fr", "es", "ar", "sw"))


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
