"""Issue 6 end to end: RSVP is stored, shown to staff, and "Need information" tells the
organiser; a review reminder asks partners for their missing J-PAT.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.meetings.when import format_when
from storage.models import AuditEntry, JpatRound, MeetingRsvp, Response
from tests.e2e import command, press, settle
from tests.meeting_world import (
    PARIS,
    START,
    answer_of,
    load_babel_data,
    meeting_world,
    messages,
    notices,
    only_message,
    organiser,
    partnership,
    person,
    rsvp_data,
    run_tick,
    schedule_directly,
    t,
)


def setup_module() -> None:
    """Babel's zone and locale data loaded before the bot needs it (see ``load_babel_data``)."""
    load_babel_data()


# ------------------------------------------------------------------------------ 4. RSVP


async def test_rsvp_is_stored_shown_to_staff_and_need_information_tells_the_organiser(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        staff, staff_id = await organiser(world)
        neema, neema_id = await person(world, 650001, name="Neema")
        jean, jean_id = await person(world, 650002, name="Jean", lang="fr", zone="Africa/Kinshasa")
        amina, amina_id = await person(world, 650003, name="Amina", lang="ar", zone="Asia/Beirut")
        _pablo, pablo_id = await person(world, 650004, name="Pablo", role="staff")
        outsider, _ = await person(world, 650005, name="Outsider")
        pid = await partnership(
            world,
            [(neema_id, "partner"), (jean_id, "partner"), (amina_id, "partner"), (pablo_id, "ngo")],
        )
        meeting = await schedule_directly(
            world, pid, datetime(2026, 3, 26, 13, 0, tzinfo=UTC), organiser_id=staff_id
        )
        assert (await run_tick(world)).sent == 4

        invitation = only_message(await settle(neema))
        await neema.press("Attending")
        events = await settle(neema)
        assert notices(events) == ["Thank you. Your answer is saved: Attending."]
        [edit] = [e for e in events if e.kind == "edit"]
        assert edit.buttons == [["✓ Attending", "Can't attend"], ["Need information"]]
        assert await answer_of(world, meeting.id, neema_id) == "attending"
        await neema.press(data=rsvp_data(invitation, "Attending"), message_id=invitation.message_id)
        assert notices(await settle(neema)) == ["Thank you. Your answer is saved: Attending."]

        only_message(await settle(jean))
        await jean.press(data=f"rsvp:{meeting.id}:1:i")
        prompt = only_message(await settle(jean))  # asked to type the question
        assert prompt.buttons == [[t("fr", "Cancel")]]
        assert messages(await settle(staff)) == []  # nothing yet: the question comes next
        await jean.press(data=f"rsvp:{meeting.id}:1:i")
        assert messages(await settle(jean)) == []  # asked once, not on every press
        await jean.send_text("Y a-t-il un transport ?")
        only_message(await settle(jean))
        heads_up = only_message(await settle(staff))
        assert heads_up.text.startswith(
            "Jean asks about Quarterly review — Amal partnership on "
            f"{format_when(meeting.starts_at, PARIS, 'en')}:"
        )
        assert "Y a-t-il un transport ?" in heads_up.text
        assert heads_up.buttons == [["Reply"], ["See the meeting"]]

        only_message(await settle(amina))
        await amina.press(data=f"rsvp:{meeting.id}:1:n")
        await settle(amina)

        # Forged or foreign buttons: a notice, and nothing stored.
        await command(outsider, "help")
        for forged in (
            f"rsvp:{meeting.id}:1:a",
            "rsvp:999:1:a",
            "rsvp:x",
            f"rsvp:{meeting.id}:1:z",
        ):
            await outsider.press_data(forged)
            assert notices(await settle(outsider)) == [
                "This button is no longer active. Send /help to see what you can do."
            ]
        async with world.db.sessions() as session:
            assert len(list(await session.scalars(select(MeetingRsvp)))) == 4

        listing = only_message(await command(staff, "meetings"))
        assert "1. Quarterly review — Amal partnership" in listing.text
        assert "1 attending · 1 can't attend · 1 need information · 1 no answer yet" in listing.text
        detail = only_message(await press(staff, "1. Quarterly review — Amal partnership"))
        assert "Attending (1): Neema" in detail.text
        assert "Can't attend (1): Amina" in detail.text
        assert "Need information (1): Jean" in detail.text
        assert "No answer yet (1): Pablo (NGO)" in detail.text
        assert "Reminders: 7 days, 1 day, and 2 hours before (12 still to send)." in detail.text
        assert detail.buttons == [["Reschedule"], ["Change reminders"], ["Cancel the meeting"]]
        async with world.db.sessions() as session:
            actions = list(await session.scalars(select(AuditEntry.action)))
        assert "meeting.list" in actions and "meeting.view" in actions


async def test_a_review_reminder_asks_partners_for_their_missing_jpat(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        done, done_id = await person(world, 655001, name="Done")
        late, late_id = await person(world, 655002, name="Late")
        ngo, ngo_id = await person(world, 655003, name="Ngo", role="staff")
        pid = await partnership(
            world, [(done_id, "partner"), (late_id, "partner"), (ngo_id, "ngo")]
        )
        version = world.services.surveys.get("partner_feedback")[1]
        async with world.db.transaction() as session:
            round_ = JpatRound(
                partnership_id=pid,
                number=1,
                status="open",
                survey_version_id=version,
                opened_at=START,
                deadline=START + timedelta(days=14),
            )
            session.add(round_)
            await session.flush()
            session.add(
                Response(
                    survey_version_id=version,
                    survey_id="jpat",
                    contact_id=done_id,
                    status="completed",
                    jpat_round_id=round_.id,
                    side="partner",
                )
            )
        meeting_at = datetime(2026, 3, 26, 13, 0, tzinfo=UTC)
        await schedule_directly(world, pid, meeting_at, offsets=[1440], invite=False)
        clock.set(meeting_at - timedelta(days=1))
        assert (await run_tick(world)).sent == 3
        jpat = "please complete your J-PAT check-in"
        assert jpat in only_message(await settle(late)).text
        assert jpat not in only_message(await settle(done)).text
        assert jpat not in only_message(await settle(ngo)).text
        # A kickoff is not a review: no J-PAT line.
        kickoff = await schedule_directly(
            world, pid, meeting_at + timedelta(days=2), kind="kickoff", offsets=[1440], invite=False
        )
        clock.set(kickoff.starts_at - timedelta(days=1))
        assert (await run_tick(world)).sent == 3
        assert jpat not in only_message(await settle(late)).text
