"""Meetings from the partner's side, end to end through the sandbox: a partner's own /meetings
with RSVP buttons; "Need information" leading to a question the organiser answers through the
bot (no chat id shown to staff), with a way out of each prompt; a question reaches only an
organiser still on staff, and only when asked for; the second part of a text Telegram split is
not taken as the question.
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.meetings.when import format_when
from storage.models import Meeting
from tests.e2e import command_and_wait, say_and_wait, settle, settle_after
from tests.meeting_world import (
    MEETING_AT,
    NAIROBI,
    ORGANISER,
    PARIS,
    RSVP_BUTTONS,
    START,
    answer_of,
    audit_actions,
    meeting_world,
    messages,
    notices,
    only_message,
    organiser,
    partnership,
    person,
    plain,
    press_on,
    run_tick,
    schedule_directly,
    t,
)

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
