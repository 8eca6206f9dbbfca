"""Issue 6 end to end: meeting reminders with time under the test's control: each offset in two
zones across a clock change, quiet hours moving a reminder, reschedule and cancel moving or
dropping reminders, and changing the reminders of a meeting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.clock import ManualClock
from bot.meetings.when import format_when
from storage.models import AuditEntry, Contact
from tests.e2e import command, press, say, settle
from tests.meeting_world import (
    DEFAULT,
    NAIROBI,
    PARIS,
    START,
    answer_of,
    background_tasks,
    load_babel_data,
    local,
    meeting_world,
    messages,
    notices,
    only_message,
    organiser,
    partnership,
    person,
    plain,
    pushes,
    rsvp_data,
    run_tick,
    schedule_directly,
)


def setup_module() -> None:
    """Babel's zone and locale data loaded before the bot needs it (see ``load_babel_data``)."""
    load_babel_data()


# ------------------------------------------------------------------------------ 2. offsets


async def test_reminders_at_each_offset_in_two_zones_across_a_clock_change(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        paris, paris_id = await person(
            world, 630001, name="Claire", lang="fr", zone=PARIS, quiet=("22:00", "07:00")
        )
        nairobi, nairobi_id = await person(world, 630002, name="Neema", lang="en", zone=NAIROBI)
        stopper, stopper_id = await person(world, 630003, name="Stopped", status="stopped")
        pid = await partnership(
            world, [(paris_id, "partner"), (nairobi_id, "partner"), (stopper_id, "partner")]
        )
        # Scheduled in winter time for a meeting in summer time: 15:00 in Paris on 2 April.
        meeting_at = datetime(2026, 4, 2, 13, 0, tzinfo=UTC)
        assert local(meeting_at, PARIS).hour == 15
        meeting = await schedule_directly(world, pid, meeting_at, invite=False)
        due = {d.due_at for d in await pushes(world, "reminder")}
        assert due == {meeting_at - timedelta(minutes=m) for m in DEFAULT}

        expected = [
            (timedelta(days=7), "in 7 days"),
            (timedelta(days=1), "in 1 day"),
            (timedelta(hours=2), "in 2 hours"),
        ]
        for before, relative in expected:
            clock.set(meeting_at - before - timedelta(minutes=1))
            assert (await run_tick(world)).sent == 0
            clock.set(meeting_at - before)
            report = await run_tick(world)
            assert (report.sent, report.skipped) == (2, 1)  # the stopped contact: skipped
            english = only_message(await settle(nairobi))
            assert english.text.startswith(
                f"Reminder: Quarterly review — Amal partnership starts {relative}."
            )
            # Even the reminder sent before the clock change shows the summer time.
            assert "4:00\u202fPM (Nairobi, UTC+3)" in english.text
            assert "Organiser's time: 3:00\u202fPM (Paris, UTC+2)" in english.text
            assert english.buttons == [["Attending", "Can't attend"], ["Need information"]]
            french = plain(only_message(await settle(paris)).text)
            shown = plain(format_when(meeting_at, PARIS, "fr"))
            assert "jeudi 2 avril 2026, 15:00" in shown and "UTC+2" in shown
            assert french.count(shown) == 1  # same zone as the organiser: no second time
            assert (await run_tick(world)).sent == 0  # nothing twice
        assert messages(await settle(stopper)) == []
        # The 7-day reminder reached Paris at 14:00 local (winter time), Nairobi at 16:00.
        sent = [d for d in await pushes(world, "reminder") if d.state == "sent"]
        first = min(d.sent_at for d in sent if d.sent_at is not None)
        assert local(first, PARIS).hour == 14 and local(first, NAIROBI).hour == 16
        assert meeting.version == 1


# ------------------------------------------------------------------------------ 3. quiet hours


async def test_quiet_hours_move_a_reminder_to_their_end_or_back_to_their_start(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        neema, neema_id = await person(world, 640001, name="Neema", zone=NAIROBI)
        pid = await partnership(world, [(neema_id, "partner")])
        nairobi = ZoneInfo(NAIROBI)
        # 09:00 meeting: the 2-hour reminder (07:00) waits for the end of quiet hours, 08:00.
        late = await schedule_directly(
            world, pid, datetime(2026, 3, 20, 9, 0, tzinfo=nairobi), offsets=[120], invite=False
        )
        # 07:30 meeting: 08:00 would be too late, so the reminder goes at 21:00 the evening before.
        early = await schedule_directly(
            world, pid, datetime(2026, 3, 21, 7, 30, tzinfo=nairobi), offsets=[120], invite=False
        )
        by_meeting = {d.meeting_id: d.due_at for d in await pushes(world, "reminder")}
        assert local(by_meeting[late.id], NAIROBI) == datetime(2026, 3, 20, 8, 0, tzinfo=nairobi)
        assert local(by_meeting[early.id], NAIROBI) == datetime(2026, 3, 20, 21, 0, tzinfo=nairobi)

        clock.set(datetime(2026, 3, 20, 7, 0, tzinfo=nairobi))
        assert (await run_tick(world)).sent == 0
        clock.set(datetime(2026, 3, 20, 8, 0, tzinfo=nairobi))
        assert (await run_tick(world)).sent == 1
        assert "starts in 1 hour" in only_message(await settle(neema)).text
        clock.set(datetime(2026, 3, 20, 20, 59, tzinfo=nairobi))
        assert (await run_tick(world)).sent == 0
        clock.set(datetime(2026, 3, 20, 21, 0, tzinfo=nairobi))
        assert (await run_tick(world)).sent == 1
        assert "starts in 10 hours and 30 minutes" in only_message(await settle(neema)).text

        # Quiet hours changed after scheduling: checked again when the reminder falls due.
        third = await schedule_directly(
            world, pid, datetime(2026, 3, 23, 12, 0, tzinfo=nairobi), offsets=[120], invite=False
        )
        async with world.db.transaction() as session:
            contact = await session.get(Contact, neema_id)
            assert contact is not None
            contact.quiet_start, contact.quiet_end = "09:00", "11:00"
        clock.set(datetime(2026, 3, 23, 10, 0, tzinfo=nairobi))
        report = await run_tick(world)
        assert (report.sent, report.postponed) == (0, 1)
        [pending] = [d for d in await pushes(world, "reminder") if d.meeting_id == third.id]
        assert local(pending.due_at, NAIROBI) == datetime(2026, 3, 23, 11, 0, tzinfo=nairobi)
        clock.set(datetime(2026, 3, 23, 11, 0, tzinfo=nairobi))
        assert (await run_tick(world)).sent == 1


# ------------------------------------------------------------------------------ 5. changes


async def test_reschedule_and_cancel_tell_everyone_and_move_or_drop_reminders(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        staff, staff_id = await organiser(world)
        neema, neema_id = await person(world, 660001, name="Neema")
        jean, jean_id = await person(world, 660002, name="Jean", lang="fr", zone="Africa/Kinshasa")
        pid = await partnership(world, [(neema_id, "partner"), (jean_id, "partner")])
        meeting = await schedule_directly(
            world, pid, datetime(2026, 3, 26, 13, 0, tzinfo=UTC), organiser_id=staff_id
        )
        await run_tick(world)
        invitation = only_message(await settle(neema))
        only_message(await settle(jean))
        await neema.press("Attending")
        await settle(neema)

        await command(staff, "meetings")
        detail = only_message(await press(staff, "1. Quarterly review — Amal partnership"))
        ask = only_message(await press(staff, "Reschedule"))
        assert ask.text.startswith("When should it take place instead?")
        echo = only_message(await say(staff, "27/3 10:00"))
        assert "Friday, March 27, 2026, 10:00\u202fAM (Paris, UTC+1)" in echo.text
        moved = await press(staff, "Yes, that's right")
        [edit] = [e for e in moved if e.kind == "edit"]
        assert "The meeting is moved to Friday, March 27, 2026" in edit.text
        assert "2 people who knew of it are being told" in edit.text
        await background_tasks(world)

        new_at = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
        notice = only_message(await settle(neema))
        assert notice.text.startswith("The meeting has moved: Quarterly review — Amal partnership")
        assert format_when(new_at, NAIROBI, "en") in notice.text
        assert f"Previously: {format_when(meeting.starts_at, NAIROBI, 'en')}" in notice.text
        assert notice.buttons == [["Attending", "Can't attend"], ["Need information"]]
        assert "jeudi 26 mars" in plain(only_message(await settle(jean)).text)
        assert await answer_of(world, meeting.id, neema_id) is None  # asked again
        reminders = await pushes(world, "reminder")
        assert {d.due_at for d in reminders if d.state == "pending"} == {
            new_at - timedelta(minutes=m) for m in DEFAULT
        }
        assert {d.detail for d in reminders if d.state == "cancelled"} == {"rescheduled"}
        assert len([d for d in reminders if d.state == "cancelled"]) == 6

        # The old invitation's buttons now answer for a meeting that changed: refused politely.
        await neema.press(data=rsvp_data(invitation, "Attending"), message_id=invitation.message_id)
        assert notices(await settle(neema)) == [
            "This meeting has changed. Please answer on the latest message about it."
        ]
        assert await answer_of(world, meeting.id, neema_id) is None
        # ... and so do the staff's buttons on the old detail view.
        await staff.press(data=detail.button_data["Reschedule"], message_id=detail.message_id)
        assert notices(await settle(staff)) == [
            "This meeting has changed since. Send /meetings to see it as it is now."
        ]

        await command(staff, "meetings")
        await press(staff, "1. Quarterly review — Amal partnership")
        confirm = only_message(await press(staff, "Cancel the meeting"))
        assert confirm.text.startswith("Cancel Quarterly review — Amal partnership on")
        cancelled = await press(staff, "Yes, cancel the meeting")
        [edit] = [e for e in cancelled if e.kind == "edit"]
        assert "2 people who knew of it are being told" in edit.text
        await background_tasks(world)
        # The notice is a bulk push: under load it can take longer than a quiet spell.
        [note] = await neema.wait(1, kinds=("message",), timeout=20)
        assert messages(await settle(neema)) == []
        assert note.text.startswith("Cancelled: Quarterly review — Amal partnership, planned for")
        assert not note.buttons
        only_message(await settle(jean))
        assert {d.state for d in await pushes(world, "reminder")} == {"cancelled"}
        await neema.press(data=f"rsvp:{meeting.id}:2:a")
        assert notices(await settle(neema)) == ["This meeting was cancelled."]
        for moment in (new_at - timedelta(days=7), new_at - timedelta(hours=2)):
            clock.set(moment)
            assert (await run_tick(world)).sent == 0
        assert "No meeting is coming up" in only_message(await command(staff, "meetings")).text
        async with world.db.sessions() as session:
            actions = list(await session.scalars(select(AuditEntry.action)))
        assert "meeting.reschedule" in actions and "meeting.cancel" in actions


async def test_changing_the_reminders_of_a_meeting(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        staff, staff_id = await organiser(world)
        _neema, neema_id = await person(world, 665001, name="Neema")
        pid = await partnership(world, [(neema_id, "partner")])
        meeting_at = datetime(2026, 3, 26, 13, 0, tzinfo=UTC)
        await schedule_directly(world, pid, meeting_at, organiser_id=staff_id, invite=False)
        await command(staff, "meetings")
        await press(staff, "1. Quarterly review — Amal partnership")
        ask = only_message(await press(staff, "Change reminders"))
        assert "Now: 7 days, 1 day, and 2 hours before." in ask.text
        assert "I could not read that" in only_message(await say(staff, "often")).text
        done = only_message(await say(staff, "2d 30m"))
        assert done.text == "Done: reminders will go out 2 days and 30 minutes before the meeting."
        pending = [d for d in await pushes(world, "reminder") if d.state == "pending"]
        assert {d.due_at for d in pending} == {
            meeting_at - timedelta(days=2),
            meeting_at - timedelta(minutes=30),
        }
