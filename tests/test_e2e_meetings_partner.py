"""Meetings from the partner's side and the organiser's, end to end through the sandbox:
a partner's own /meetings with RSVP buttons; "Need information" leading to a question the
organiser answers through the bot (no chat id shown to staff); the organiser counted as
attending everywhere and reminded without RSVP buttons; a warning before inviting a
partnership with an empty side."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.sandbox import Phone
from bot.meetings.service import reschedule
from bot.meetings.when import format_when
from storage.models import AuditEntry, Meeting
from tests.e2e import command_and_wait, press_and_wait, say_and_wait, settle, settle_after
from tests.test_e2e_meetings import (
    NAIROBI,
    ORGANISER,
    PARIS,
    START,
    answer_of,
    background_tasks,
    meeting_world,
    messages,
    notices,
    only_message,
    organiser,
    partnership,
    person,
    plain,
    run_tick,
    schedule_directly,
    t,
)

MEETING_AT = datetime(2026, 3, 26, 13, 0, tzinfo=UTC)
RSVP_BUTTONS = [["Attending", "Can't attend"], ["Need information"]]


async def audit_actions(world: object, actor: int | None = None) -> list[tuple[str, str | None]]:
    async with world.db.sessions() as session:  # type: ignore[attr-defined]
        query = select(AuditEntry.action, AuditEntry.subject)
        if actor is not None:
            query = query.where(AuditEntry.actor_telegram_id == actor)
        return [(a, s) for a, s in (await session.execute(query)).all()]


async def press_on(phone: Phone, event: object, label: str, expect: str = "edit") -> list:
    """Press ``label`` on that very message (several on screen carry the same labels)."""
    await phone.press(data=event.button_data[label], message_id=event.message_id)  # type: ignore[attr-defined]
    return await settle_after(phone, expect=expect)


# ------------------------------------------------------------------------------ 1. /meetings


async def test_a_partner_sees_their_own_meetings_in_their_zone_and_changes_their_answer(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        _staff, staff_id = await organiser(world)
        neema, neema_id = await person(world, 710001, name="Neema", zone=NAIROBI)
        other, other_id = await person(world, 710002, name="Other")
        pid = await partnership(world, [(neema_id, "partner"), (staff_id, "ngo")])
        elsewhere = await partnership(world, [(other_id, "partner")], name="Other partnership")
        first = await schedule_directly(world, pid, MEETING_AT, organiser_id=staff_id)
        second = await schedule_directly(
            world, pid, MEETING_AT + timedelta(days=30), kind="kickoff", organiser_id=staff_id
        )
        await schedule_directly(world, elsewhere, MEETING_AT)  # not Neema's
        dropped = await schedule_directly(world, pid, MEETING_AT + timedelta(days=2))
        async with world.db.transaction() as session:
            row = await session.get(Meeting, dropped.id)
            assert row is not None
            row.status = "cancelled"
        past = await schedule_directly(world, pid, START + timedelta(hours=1))
        clock.set(START + timedelta(hours=2))  # that one has begun: no longer "coming"
        assert past.starts_at < clock.now()

        await neema.send_command("meetings")
        cards = messages(await settle_after(neema, count=2))
        assert len(cards) == 2
        top, bottom = (plain(c.text) for c in cards)
        assert top.startswith("You have 2 meetings coming up.")
        assert "Quarterly review — Amal partnership" in top
        assert f"When: {plain(format_when(first.starts_at, NAIROBI, 'en'))}" in top
        assert "4:00\u202fPM (Nairobi, UTC+3)" in top  # their own zone
        assert "Organiser's time:" in top  # and the organiser's beside it
        assert "Where: Community hall, Bar Elias" in top
        assert "Your answer: No answer yet" in top
        assert "Kickoff meeting — Amal partnership" in bottom
        assert "Other partnership" not in top + bottom
        for card in cards:
            assert card.buttons == RSVP_BUTTONS

        events = await press_on(neema, cards[1], "Can't attend")
        assert notices(events) == ["Thank you. Your answer is saved: Can't attend."]
        [edit] = [e for e in events if e.kind == "edit"]
        assert edit.buttons == [["Attending", "✓ Can't attend"], ["Need information"]]
        assert await answer_of(world, second.id, neema_id) == "not_attending"
        assert await answer_of(world, first.id, neema_id) is None

        await neema.send_command("meetings")
        cards = messages(await settle_after(neema, count=2))
        assert "Your answer: Can't attend" in plain(cards[1].text)
        assert cards[1].buttons == [["Attending", "✓ Can't attend"], ["Need information"]]
        # A partner using /meetings is not "trying a staff command".
        assert ("command.refused", "/meetings") not in await audit_actions(world, 710001)

        # Someone else sees only their own meeting; someone with none is told so; a stranger
        # still gets the unknown-command reply.
        [theirs] = messages(await command_and_wait(other, "meetings"))
        assert plain(theirs.text).startswith("You have 1 meeting coming up.")
        assert "Other partnership" in theirs.text
        lonely, _ = await person(world, 710003, name="Lonely")
        [none] = messages(await command_and_wait(lonely, "meetings"))
        assert none.text.startswith("You have no meeting coming up.")
        stranger = world.sandbox.user(710009, first_name="Stranger")
        [refused] = messages(await command_and_wait(stranger, "meetings"))
        assert refused.text.startswith("Sorry, I don't know that command.")


# ------------------------------------------------------------------------------ 2. questions


async def test_need_information_takes_a_question_to_the_organiser_and_brings_the_answer_back(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        staff, staff_id = await organiser(world)
        neema, neema_id = await person(world, 720001, name="Neema")
        pid = await partnership(world, [(neema_id, "partner"), (staff_id, "ngo")])
        meeting = await schedule_directly(world, pid, MEETING_AT, organiser_id=staff_id)
        assert (await run_tick(world)).sent == 1
        invitation = only_message(await settle_after(neema))

        events = await press_on(neema, invitation, "Need information", expect="message")
        assert notices(events) == ["Thank you. Your answer is saved: Need information."]
        prompt = only_message(events)
        assert prompt.text.startswith(
            "What would you like to know about Quarterly review — Amal partnership?"
        )
        assert prompt.buttons == [["Cancel"]]
        assert messages(await settle(staff)) == []

        sent = only_message(await say_and_wait(neema, "Is there transport from the camp?"))
        assert sent.text == "Sent to the organiser. Their answer will come here."
        question = only_message(await settle_after(staff))
        assert question.text.startswith(
            "Neema asks about Quarterly review — Amal partnership on "
            f"{format_when(meeting.starts_at, PARIS, 'en')}:"
        )
        assert "Is there transport from the camp?" in question.text
        assert question.buttons == [["Reply"], ["See the meeting"]]
        # Neither the text nor the buttons carry Neema's chat / Telegram id.
        assert "720001" not in question.text
        assert all("720001" not in data for data in question.button_data.values())
        # Her next words are not a question any more.
        not_understood = only_message(await say_and_wait(neema, "thanks"))
        assert not_understood.text.startswith("Sorry, I didn't understand")
        assert messages(await settle(staff)) == []

        ask = only_message(await press_on(staff, question, "Reply", expect="message"))
        assert ask.text == "Type your answer to Neema in one message; I will send it to them."
        assert ask.buttons == [["Cancel"]]
        done = only_message(await say_and_wait(staff, "Yes: a bus leaves the gate at 9:00."))
        assert done.text == "Sent to Neema."
        answer = only_message(await settle_after(neema))
        assert answer.text.startswith(
            "The organiser of Quarterly review — Amal partnership answered your question:"
        )
        assert "Yes: a bus leaves the gate at 9:00." in answer.text
        assert answer.buttons == [["Attending", "Can't attend"], ["✓ Need information"]]
        events = await press_on(neema, answer, "Attending")
        assert notices(events) == ["Thank you. Your answer is saved: Attending."]
        assert await answer_of(world, meeting.id, neema_id) == "attending"
        assert messages(await settle(staff)) == []
        assert ("meeting.reply", f"meeting:{meeting.id}") in await audit_actions(world, ORGANISER)

        # A French partner is asked in French (the meeting's name and the button).
        jean, jean_id = await person(world, 720002, name="Jean", lang="fr", zone=NAIROBI)
        pid2 = await partnership(world, [(jean_id, "partner")], name="Espoir")
        await schedule_directly(world, pid2, MEETING_AT, organiser_id=staff_id)
        await run_tick(world)
        invitation = only_message(await settle_after(jean))
        prompt = only_message(
            await press_on(jean, invitation, t("fr", "Need information"), expect="message")
        )
        assert t("fr", "Quarterly review") in plain(prompt.text)
        assert prompt.buttons == [[t("fr", "Cancel")]]


async def test_each_prompt_has_a_way_out_and_only_the_organiser_can_reply(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        staff, staff_id = await organiser(world)
        neema, neema_id = await person(world, 730001, name="Neema")
        colleague, _ = await person(world, 730002, name="Pablo", role="staff")
        pid = await partnership(world, [(neema_id, "partner"), (staff_id, "ngo")])
        meeting = await schedule_directly(world, pid, MEETING_AT, organiser_id=staff_id)
        await run_tick(world)
        invitation = only_message(await settle_after(neema))

        # The Cancel button: no question, but the organiser learns she needs information.
        prompt = only_message(
            await press_on(neema, invitation, "Need information", expect="message")
        )
        [edit] = [e for e in await press_on(neema, prompt, "Cancel") if e.kind == "edit"]
        assert edit.text.startswith("No question sent. I have told the organiser")
        heads_up = only_message(await settle_after(staff))
        assert heads_up.text.startswith(
            "Neema needs more information about Quarterly review — Amal partnership"
        )
        assert "wrote no question" in heads_up.text
        assert heads_up.buttons == [["Reply"], ["See the meeting"]]
        assert only_message(await say_and_wait(neema, "hello")).text.startswith(
            "Sorry, I didn't understand"
        )

        # "Need information" again (already her answer) asks again; /cancel leaves it too.
        only_message(await press_on(neema, invitation, "Need information", expect="message"))
        left = only_message(await command_and_wait(neema, "cancel"))
        assert left.text.startswith("No question sent.")
        only_message(await settle_after(staff))
        # Answering after all ends the prompt: her next words are not sent anywhere.
        only_message(await press_on(neema, invitation, "Need information", expect="message"))
        await press_on(neema, invitation, "Attending")
        assert only_message(await say_and_wait(neema, "ok")).text.startswith(
            "Sorry, I didn't understand"
        )
        assert messages(await settle(staff)) == []

        # The organiser's Reply prompt has a Cancel, after which nothing reaches Neema.
        ask = only_message(await press_on(staff, heads_up, "Reply", expect="message"))
        [edit] = [e for e in await press_on(staff, ask, "Cancel") if e.kind == "edit"]
        assert edit.text == "Cancelled."
        assert only_message(await say_and_wait(staff, "never mind")).text.startswith(
            "Sorry, I didn't understand"
        )
        assert messages(await settle(neema)) == []

        # Only the organiser may answer: another staff member, or a partner, cannot.
        reply_data = heads_up.button_data["Reply"]
        await command_and_wait(colleague, "help")
        await colleague.press_data(reply_data)
        assert notices(await settle_after(colleague, expect="callback_answer")) == [
            "This button is no longer active. Send /help to see what you can do."
        ]
        await neema.press_data(reply_data)
        assert notices(await settle_after(neema, expect="callback_answer")) == [
            "Sorry, I don't know that command. Send /help to see what I can do."
        ]
        await neema.press_data(f"rsvp:{meeting.id}:0:x")  # no question is being asked
        assert notices(await settle_after(neema, expect="callback_answer")) == [
            "This button is no longer active. Send /help to see what you can do."
        ]


# ------------------------------------------------------------------------------ 3. organiser


async def test_the_organiser_attends_is_reminded_without_buttons_and_every_count_agrees(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        staff, staff_id = await organiser(world)
        neema, neema_id = await person(world, 740001, name="Neema")
        _jean, jean_id = await person(world, 740002, name="Jean")
        # The organiser is the NGO side's only member.
        await partnership(world, [(neema_id, "partner"), (jean_id, "partner"), (staff_id, "ngo")])

        await command_and_wait(staff, "meeting")
        await press_and_wait(staff, "Amal partnership (3 members)")
        await press_and_wait(staff, "Quarterly review")
        await say_and_wait(staff, "26/3 14:00")
        await press_and_wait(staff, "Yes, that's right")
        await say_and_wait(staff, "Community hall")
        summary = only_message(await press_and_wait(staff, "Skip"))
        assert "Taking part: 2 on the partner side, 1 on the NGO side, you included" in summary.text
        assert "0 on the NGO side" not in summary.text
        done = only_message(await press_and_wait(staff, "Schedule and invite"))  # no warning
        assert "Invitations are going out to 2 people now." in done.text
        await background_tasks(world)
        async with world.db.sessions() as session:
            meeting = await session.scalar(select(Meeting))
        assert meeting is not None
        assert await answer_of(world, meeting.id, staff_id) == "attending"
        only_message(await settle_after(neema))
        assert messages(await settle(staff)) == []  # no invitation to one's own meeting

        listing = only_message(await command_and_wait(staff, "meetings"))
        counts = "1 attending · 0 can't attend · 0 need information · 2 no answer yet"
        assert counts in listing.text
        card = only_message(await press_and_wait(staff, "1. Quarterly review — Amal partnership"))
        assert "Attending (1): Grace (NGO), organiser" in card.text
        assert "No answer yet (2): Jean, Neema" in card.text

        clock.set(meeting.starts_at - timedelta(days=1))
        assert (await run_tick(world)).sent == 3
        reminder = only_message(await settle_after(staff))
        assert reminder.text.startswith("Reminder: Quarterly review — Amal partnership")
        assert "You organise this meeting and are counted as attending." in reminder.text
        assert f"Answers so far: {counts}" in reminder.text
        assert not reminder.buttons
        assert "Will you attend" not in reminder.text
        assert only_message(await settle_after(neema)).buttons == RSVP_BUTTONS

        # Moved by someone else: everyone's answers are asked again, the organiser's kept, and
        # the organiser's notice has no buttons either.
        async with world.db.transaction() as session:
            await reschedule(
                session,
                meeting.id,
                meeting.starts_at + timedelta(days=1),
                actor=None,
                now=clock.now(),
            )
        assert await answer_of(world, meeting.id, staff_id) == "attending"
        assert (await run_tick(world)).sent == 3
        moved = only_message(await settle_after(staff))
        assert moved.text.startswith("The meeting has moved")
        assert not moved.buttons
        assert only_message(await settle_after(neema)).buttons == RSVP_BUTTONS
        listing = only_message(await command_and_wait(staff, "meetings"))
        assert counts in listing.text


# ------------------------------------------------------------------------------ 4. empty side


async def test_an_empty_side_is_warned_about_before_any_invitation(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        staff, staff_id = await organiser(world)
        neema, neema_id = await person(world, 750001, name="Neema")
        pablo, pablo_id = await person(world, 750002, name="Pablo", role="staff")
        await partnership(world, [(neema_id, "partner")], name="Partners only")
        await partnership(world, [(staff_id, "ngo"), (pablo_id, "ngo")], name="NGO only")

        async def wizard(choice: str) -> None:
            await command_and_wait(staff, "meeting")
            await press_and_wait(staff, choice)
            await press_and_wait(staff, "Annual evaluation")
            await say_and_wait(staff, "26/3 14:00")
            await press_and_wait(staff, "Yes, that's right")
            await say_and_wait(staff, "Office")
            await press_and_wait(staff, "Skip")

        await wizard("Partners only (1 member)")
        warning = only_message(await press_and_wait(staff, "Schedule and invite"))
        assert warning.text.startswith(
            "Nobody on the NGO side of Partners only will take part: that side has no member"
        )
        assert "partner side" not in warning.text
        assert warning.buttons == [["Send the invitations anyway"], ["Cancel"]]
        [edit] = [e for e in await press_on(staff, warning, "Cancel") if e.kind == "edit"]
        assert edit.text == "Cancelled."
        async with world.db.sessions() as session:
            assert await session.scalar(select(Meeting)) is None
        assert messages(await settle(neema)) == []

        await wizard("NGO only (2 members)")
        warning = only_message(await press_and_wait(staff, "Schedule and invite"))
        assert warning.text.startswith(
            "Nobody on the partner side of NGO only will get the invitation"
        )
        done = only_message(
            await press_on(staff, warning, "Send the invitations anyway", expect="message")
        )
        assert "The invitation is going out to 1 person now." in done.text
        await background_tasks(world)
        assert "Annual evaluation" in only_message(await settle_after(pablo)).text
        # An old button from the warning does nothing more.
        await staff.press_data(warning.button_data["Send the invitations anyway"])
        assert notices(await settle_after(staff, expect="callback_answer")) == [
            "This button is no longer active. Send /help to see what you can do."
        ]
        async with world.db.sessions() as session:
            assert len(list(await session.scalars(select(Meeting)))) == 1


async def test_a_question_reaches_only_an_organiser_still_on_staff_and_only_when_asked_for(
    sqlite_url: str,
) -> None:
    """The partner was told "to the organiser": not to someone who has left the staff, and
    not words typed long after the prompt (a survey answer, say)."""
    from storage import contacts

    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        staff, staff_id = await organiser(world)
        neema, neema_id = await person(world, 720011, name="Neema")
        pid = await partnership(world, [(neema_id, "partner"), (staff_id, "ngo")])
        await schedule_directly(world, pid, MEETING_AT, organiser_id=staff_id)
        await run_tick(world)
        invitation = only_message(await settle_after(neema))

        # Text typed long after the prompt is not a question for the organiser.
        await press_on(neema, invitation, "Need information", expect="message")
        clock.advance(minutes=31)
        late = only_message(await say_and_wait(neema, "My answer to something else"))
        assert late.text.startswith("Sorry, I didn't understand")
        assert messages(await settle(staff)) == []

        # The organiser leaves the staff: the prompt says they cannot be reached.
        async with world.db.transaction() as session:
            assert await contacts.remove_staff(session, ORGANISER, clock.now())
        events = await press_on(neema, invitation, "Need information", expect="message")
        assert "The organiser cannot be reached through me" in plain(only_message(events).text)
        typed = only_message(await say_and_wait(neema, "Is there transport?"))
        assert typed.text.startswith("Sorry, I didn't understand")
        assert "Is there transport?" not in "\n".join(e.content or "" for e in staff.events)


async def test_the_second_part_of_a_text_telegram_split_is_not_taken_as_the_question(
    sqlite_url: str,
) -> None:
    """A text over 4,096 characters arrives as two messages: the first is refused as too long,
    and the second, coming at once, is not relayed as if it were the whole question."""
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        staff, staff_id = await organiser(world)
        neema, neema_id = await person(world, 720021, name="Neema")
        pid = await partnership(world, [(neema_id, "partner"), (staff_id, "ngo")])
        await schedule_directly(world, pid, MEETING_AT, organiser_id=staff_id)
        await run_tick(world)
        invitation = only_message(await settle_after(neema))
        await press_on(neema, invitation, "Need information", expect="message")

        await neema.send_text("transport " * 409 + "and")  # 4,093 characters: Telegram's cut
        await neema.send_text("the rest of what I wanted to ask")
        first, second = await neema.wait(2, timeout=15)
        assert first.text == "That is too long: please keep it under 4,000 characters."
        assert second.text.startswith("This was the rest of the long text")
        assert messages(await settle(staff)) == []

        sent = only_message(await say_and_wait(neema, "Is there transport?"))
        assert sent.text == "Sent to the organiser. Their answer will come here."
        assert "Is there transport?" in only_message(await settle_after(staff)).text
