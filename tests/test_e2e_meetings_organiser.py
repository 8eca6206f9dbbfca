"""Meetings from the organiser's side, end to end through the sandbox: the organiser counted as
attending everywhere and reminded without RSVP buttons; a warning before inviting a
partnership with an empty side.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.meetings.service import reschedule
from storage.models import Meeting
from tests.e2e import command_and_wait, press_and_wait, say_and_wait, settle, settle_after
from tests.meeting_world import (
    RSVP_BUTTONS,
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
    press_on,
    run_tick,
)

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
