"""Issue 6 end to end: scheduling meetings through the sandbox: the wizard invites every member
in their language and zone, refuses partners and stale steps, and an admin without a contact
schedules in the default zone. Reminders, RSVP and delivery are in ``test_e2e_meeting_*.py``;
shared helpers in ``tests/meeting_world.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.clock import ManualClock
from bot.i18n import RLM
from bot.meetings.when import format_time_only, format_when
from storage.models import AuditEntry, Meeting
from tests.e2e import ADMIN_ID, command, make_invite, onboard, press, say, settle
from tests.meeting_world import (
    NAIROBI,
    PARIS,
    START,
    background_tasks,
    load_babel_data,
    meeting_world,
    messages,
    notices,
    only_message,
    organiser,
    partnership,
    person,
    plain,
    pushes,
    run_tick,
)


def setup_module() -> None:
    """Babel's zone and locale data loaded before the bot needs it (see ``load_babel_data``)."""
    load_babel_data()


# ------------------------------------------------------------------------------ 1. wizard


async def test_the_wizard_invites_every_member_in_their_language_and_zone(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        staff, _ = await organiser(world)
        grace, grace_id = await person(world, 620001, name="Neema", lang="en", zone=NAIROBI)
        jean, jean_id = await person(world, 620002, name="Jean", lang="fr", zone="Africa/Kinshasa")
        amina, amina_id = await person(world, 620003, name="Amina", lang="ar", zone="Asia/Beirut")
        stopper, stopper_id = await person(world, 620004, name="Stopped", status="stopped")
        pablo, pablo_id = await person(
            world, 620005, name="Pablo", lang="es", zone="America/Bogota", role="staff"
        )
        await partnership(
            world,
            [
                (grace_id, "partner"),
                (jean_id, "partner"),
                (amina_id, "partner"),
                (stopper_id, "partner"),
                (pablo_id, "ngo"),
            ],
        )

        [question] = messages(await command(staff, "meeting"))
        assert question.text == "Which partnership is the meeting for?"
        assert question.buttons == [["Amal partnership (5 members)"], ["Cancel"]]
        kinds = only_message(await press(staff, "Amal partnership (5 members)"))
        assert kinds.buttons == [
            ["Kickoff meeting", "Quarterly review"],
            ["Biannual review", "Annual evaluation"],
            ["Meeting", "Cancel"],
        ]
        ask = only_message(await press(staff, "Quarterly review"))
        assert "Type the date and time in your time zone (Paris)" in ask.text

        # Unclear, then past, then a good answer typed the French way; the echo is unambiguous.
        assert "I could not read that" in only_message(await say(staff, "next week 10:00")).text
        past = only_message(await say(staff, "1/3/2026 10:00"))
        assert "has already passed" in past.text
        echo = only_message(await say(staff, "26/3 14h"))
        assert plain(echo.text).startswith(
            "I read: Thursday, March 26, 2026, 2:00\u202fPM (Paris, UTC+1)"
        )
        await press(staff, "Yes, that's right")
        await say(staff, "https://meet.example.org/amal-q1")
        summary = only_message(await say(staff, "J-PAT results and the next quarter's plan"))
        assert "Invitations: 3 on the partner side, 1 on the NGO side." in summary.text
        assert "1 member stopped reminders or blocked the bot" in summary.text
        assert "Reminders: 7 days, 1 day, and 2 hours before" in summary.text
        await press(staff, "Change reminders")
        summary = only_message(await say(staff, "3d 1d 3h"))
        assert "Reminders: 3 days, 1 day, and 3 hours before" in summary.text
        done = only_message(await press(staff, "Schedule and invite"))
        assert "Invitations are going out to 4 people now." in done.text
        await background_tasks(world)

        async with world.db.sessions() as session:
            meeting = await session.scalar(select(Meeting))
            assert meeting is not None
            audit = list(await session.scalars(select(AuditEntry.action)))
        assert meeting.starts_at == datetime(2026, 3, 26, 13, 0, tzinfo=UTC)
        assert meeting.organiser_timezone == PARIS
        assert meeting.reminder_offsets == [4320, 1440, 180]
        assert "meeting.create" in audit

        # English, in Nairobi: their time, and the organiser's beside it.
        invitation = only_message(await settle(grace))
        text = invitation.text
        assert text.startswith("You are invited: Quarterly review — Amal partnership")
        assert f"When: {format_when(meeting.starts_at, NAIROBI, 'en')}" in text
        assert "4:00\u202fPM (Nairobi, UTC+3)" in text
        assert f"Organiser's time: {format_time_only(meeting.starts_at, PARIS, 'en')}" in text
        assert "Where: https://meet.example.org/amal-q1" in text
        assert "Agenda: J-PAT results and the next quarter's plan" in text
        assert "To stop reminders, send /stop." in text
        assert invitation.buttons == [["Attending", "Can't attend"], ["Need information"]]
        # French, in Kinshasa (the organiser's clock reads the same: no second time).
        french = plain(only_message(await settle(jean)).text)
        assert plain(format_when(meeting.starts_at, "Africa/Kinshasa", "fr")) in french
        assert "jeudi 26 mars 2026, 14:00" in french
        assert "Paris" not in french  # the organiser's clock reads the same: no second time
        # Arabic, in Beirut, right to left.
        arabic = only_message(await settle(amina))
        assert plain(format_when(meeting.starts_at, "Asia/Beirut", "ar")) in plain(arabic.text)
        assert all(line.startswith(RLM) for line in arabic.text.split("\n") if line)
        # Bogotá is asleep (03:00): the NGO member's invitation waits for 08:00 there.
        assert messages(await settle(pablo)) == []
        assert messages(await settle(stopper)) == []  # stopped: nothing, ever
        assert messages(await settle(staff)) == []  # no invitation to one's own meeting
        clock.set(datetime(2026, 3, 16, 13, 0, tzinfo=UTC))
        assert (await run_tick(world)).sent == 1
        spanish = only_message(await settle(pablo))
        assert plain(format_when(meeting.starts_at, "America/Bogota", "es")) in plain(spanish.text)
        invites = await pushes(world, "mtg_invite")
        assert sorted(d.state for d in invites) == ["sent"] * 4


async def test_the_wizard_refuses_partners_and_stale_steps(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        token, _ = await make_invite(world.db, now=clock.now())
        partner = await onboard(world, 621001, token)
        partner.consume_all()
        [refused] = messages(await command(partner, "meeting"))
        assert refused.text.startswith("Sorry, I don't know that command.")
        [own] = messages(await command(partner, "meetings"))  # their own meetings (none yet)
        assert own.text.startswith("You have no meeting coming up.")
        await partner.press_data("mtg:v:1")
        assert notices(await settle(partner)) == [
            "Sorry, I don't know that command. Send /help to see what I can do."
        ]
        staff, _ = await organiser(world)
        [none] = messages(await command(staff, "meeting"))
        assert "There is no partnership" in none.text
        # A press on a step the wizard is not at changes nothing.
        await command(staff, "help")
        await staff.press_data("mtg:go")
        assert notices(await settle(staff)) == [
            "This button is no longer active. Send /help to see what you can do."
        ]
        async with world.db.sessions() as session:
            assert await session.scalar(select(Meeting)) is None


async def test_admin_without_contact_can_schedule_in_the_default_zone(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        neema, neema_id = await person(world, 699001, name="Neema")
        await partnership(world, [(neema_id, "partner")])
        admin = world.sandbox.user(ADMIN_ID, first_name="Ada")
        admin.chat.started = True
        await command(admin, "meeting")
        await press(admin, "Amal partnership (1 member)")
        await press(admin, "Annual evaluation")
        echo = only_message(await say(admin, "2026-03-26 2pm"))
        assert "(UTC, UTC+0)" in echo.text or "UTC" in echo.text
        await press(admin, "Yes, that's right")
        await say(admin, "Office")
        await press(admin, "Skip")
        warning = only_message(await press(admin, "Schedule and invite"))  # no NGO side
        assert warning.text.startswith("Nobody on the NGO side of Amal partnership")
        done = only_message(await press(admin, "Send the invitations anyway"))
        assert "The invitation is going out to 1 person now." in done.text
        await background_tasks(world)
        assert "Annual evaluation" in only_message(await settle(neema)).text
