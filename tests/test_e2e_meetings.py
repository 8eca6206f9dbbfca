"""Issue 6 end to end: meetings, invitations, reminders and RSVP through the sandbox, with time
under the test's control (``ManualClock``; ``tick_seconds=0`` turns the periodic job off and the
tests call ``tick`` themselves, except where the start-up catch-up itself is under test)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import dispatch
from bot.app import build_application
from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import MESSAGE_KINDS, Event, Limits, Phone
from bot.dispatch import TickReport, tick
from bot.i18n import FSI, LANGUAGES, PDI, RLM, translator
from bot.meetings.service import schedule
from bot.meetings.when import format_time_only, format_when
from storage.db import Database
from storage.models import (
    AuditEntry,
    Contact,
    Delivery,
    JpatRound,
    Meeting,
    MeetingRsvp,
    Organisation,
    Partnership,
    PartnershipMember,
    Response,
)
from tests.e2e import ADMIN_ID, command, make_invite, onboard, press, say, settle, world_for

START = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)  # Monday: 09:00 in Paris, 11:00 in Nairobi
PARIS, NAIROBI = "Europe/Paris", "Africa/Nairobi"
ORGANISER = 610001
DEFAULT = [10080, 1440, 120]
ZONES = (PARIS, NAIROBI, "Africa/Kinshasa", "Asia/Beirut", "America/Bogota", "UTC")


def setup_module() -> None:
    """Load Babel's zone and locale data before the bot needs it: the first look-up takes
    longer than ``settle`` waits for a quiet chat."""
    for lang in LANGUAGES:
        for zone in ZONES:
            format_when(START, zone, lang)


# ------------------------------------------------------------------------------ helpers


@asynccontextmanager
async def meeting_world(
    database_url: str, clock: ManualClock, **settings: Any
) -> AsyncIterator[LocalWorld]:
    settings.setdefault("tick_seconds", 0)
    async with world_for(
        database_url,
        clock=clock,
        limits=settings.pop("limits", Limits(chat_enabled=False)),
        chat_burst=1000,
        **settings,
    ) as world:
        yield world


def plain(text: str | None) -> str:
    return (text or "").replace(RLM, "").replace(FSI, "").replace(PDI, "")


def t(lang: str, message: str, **values: Any) -> str:
    return plain(translator(lang)(message, **values))


def messages(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind in MESSAGE_KINDS]


def only_message(events: list[Event]) -> Event:
    found = messages(events)
    assert len(found) == 1, [e.content for e in found]
    return found[0]


def notices(events: list[Event]) -> list[str]:
    return [plain(e.text) for e in events if e.kind == "callback_answer" and e.text]


def count(phone: Phone) -> int:
    return sum(1 for e in phone.events if e.kind in MESSAGE_KINDS)


async def person(
    world: LocalWorld,
    user_id: int,
    *,
    name: str,
    lang: str = "en",
    zone: str = NAIROBI,
    role: str = "partner",
    quiet: tuple[str, str] = ("21:00", "08:00"),
    status: str = "active",
) -> tuple[Phone, int]:
    """A contact made directly in storage (onboarding has its own tests), whose chat with the
    bot exists, as if they had joined earlier."""
    phone = world.sandbox.user(user_id, first_name=name, language_code=lang)
    phone.chat.started = True
    now = world.services.clock.now()
    async with world.db.transaction() as session:
        contact = Contact(
            telegram_user_id=user_id,
            display_name=name,
            role=role,
            language=lang,
            timezone=zone,
            status=status,
            stopped_at=now if status == "stopped" else None,
            consent_at=now,
            quiet_start=quiet[0],
            quiet_end=quiet[1],
            created_at=now,
            updated_at=now,
        )
        session.add(contact)
        await session.flush()
        contact_id = contact.id
    return phone, contact_id


async def partnership(
    world: LocalWorld, members: list[tuple[int, str]], name: str = "Amal partnership"
) -> int:
    now = world.services.clock.now()
    async with world.db.transaction() as session:
        org = Organisation(name="Amal RLO", country="LB", created_at=now)
        session.add(org)
        await session.flush()
        row = Partnership(organisation_id=org.id, name=name, created_at=now, updated_at=now)
        session.add(row)
        await session.flush()
        for contact_id, side in members:
            session.add(PartnershipMember(partnership_id=row.id, contact_id=contact_id, side=side))
        return row.id


async def organiser(world: LocalWorld) -> tuple[Phone, int]:
    return await person(world, ORGANISER, name="Grace", zone=PARIS, role="staff")


async def schedule_directly(
    world: LocalWorld,
    partnership_id: int,
    starts_at: datetime,
    *,
    kind: str = "quarterly",
    offsets: list[int] | None = None,
    organiser_id: int | None = None,
    invite: bool = True,
) -> Meeting:
    """A meeting as the wizard would create it (the wizard has its own test)."""
    async with world.db.transaction() as session:
        meeting, _ = await schedule(
            session,
            partnership_id=partnership_id,
            kind=kind,
            starts_at=starts_at,
            organiser_timezone=PARIS,
            organiser_telegram_id=ORGANISER,
            created_by=organiser_id,
            place="Community hall, Bar Elias",
            agenda=None,
            reminder_offsets=DEFAULT if offsets is None else offsets,
            now=world.services.clock.now(),
            invite=invite,
        )
    return meeting


async def run_tick(world: LocalWorld) -> TickReport:
    assert world.bot is not None
    return await tick(world.bot.application)


async def pushes(world: LocalWorld, kind: str | None = None) -> list[Delivery]:
    async with world.db.sessions() as session:
        query = select(Delivery).where(Delivery.meeting_id.is_not(None))
        if kind is not None:
            query = query.where(Delivery.kind == kind)
        return list(await session.scalars(query.order_by(Delivery.due_at, Delivery.id)))


async def answer_of(world: LocalWorld, meeting_id: int, contact_id: int) -> str | None:
    async with world.db.sessions() as session:
        row = await session.get(MeetingRsvp, (meeting_id, contact_id))
        assert row is not None
        return row.answer


async def background_tasks(world: LocalWorld) -> None:
    assert world.bot is not None
    await asyncio.gather(*world.bot.application.bot_data.get("tasks", set()))


def rsvp_data(event: Event, label: str) -> str:
    return event.button_data[label]


def local(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone))


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


# ------------------------------------------------------------------------------ 6. downtime


async def test_downtime_catch_up_sends_what_is_still_useful_once_and_skips_the_rest(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    # A periodic tick of an hour: what happens here is the start-up job's doing.
    async with meeting_world(sqlite_url, clock, tick_seconds=3600) as world:
        neema, neema_id = await person(world, 670001, name="Neema")
        pid = await partnership(world, [(neema_id, "partner")])
        meeting_at = datetime(2026, 3, 26, 13, 0, tzinfo=UTC)
        await schedule_directly(world, pid, meeting_at, invite=False)

        await world.stop_bot()
        clock.set(meeting_at - timedelta(hours=22))  # the 7-day and 1-day reminders fell due
        await world.start_bot()
        [reminder] = await neema.wait(1, timeout=5)
        assert "starts in 22 hours" in reminder.text
        await asyncio.sleep(1.5)  # the periodic tick's first run comes and goes
        assert messages(await settle(neema)) == []
        states = {(d.due_at, d.state, d.detail) for d in await pushes(world, "reminder")}
        assert states == {
            (meeting_at - timedelta(days=7), "skipped", "superseded"),
            (meeting_at - timedelta(days=1), "sent", None),
            (meeting_at - timedelta(hours=2), "pending", None),
        }

        await world.stop_bot()
        clock.set(meeting_at + timedelta(minutes=5))  # the meeting has begun
        await world.start_bot()
        for _ in range(50):
            last = [
                d
                for d in await pushes(world, "reminder")
                if d.due_at == meeting_at - timedelta(hours=2)
            ]
            if last[0].state != "pending":
                break
            await asyncio.sleep(0.1)
        assert (last[0].state, last[0].detail) == ("skipped", "meeting passed")
        assert messages(await settle(neema)) == []


# ------------------------------------------------------------------------------ 7. blocked


async def test_a_contact_who_blocked_the_bot_gets_nothing_and_costs_no_request(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock) as world:
        neema, neema_id = await person(world, 680001, name="Neema")
        blocker, blocker_id = await person(world, 680002, name="Blocker")
        silent, silent_id = await person(world, 680003, name="Silent")
        pid = await partnership(
            world, [(neema_id, "partner"), (blocker_id, "partner"), (silent_id, "partner")]
        )
        meeting_at = datetime(2026, 3, 26, 13, 0, tzinfo=UTC)
        await schedule_directly(world, pid, meeting_at, offsets=[1440, 120], invite=False)
        await blocker.block()  # while the bot runs: it hears of it
        await settle(blocker)
        silent.chat.blocked = True  # a block the bot never heard of: it learns from the 403

        clock.set(meeting_at - timedelta(days=1))
        report = await run_tick(world)
        assert (report.sent, report.skipped) == (1, 2)
        assert world.sandbox.stats.http_403 == 1  # the silent one, once
        only_message(await settle(neema))
        by_contact = {
            d.contact_id: (d.state, d.detail)
            for d in await pushes(world, "reminder")
            if d.due_at == meeting_at - timedelta(days=1)
        }
        assert by_contact == {
            neema_id: ("sent", None),
            blocker_id: ("skipped", "contact blocked"),
            silent_id: ("skipped", "blocked"),
        }
        clock.set(meeting_at - timedelta(hours=2))
        report = await run_tick(world)
        assert (report.sent, report.skipped) == (1, 2)
        assert world.sandbox.stats.http_403 == 1  # no request at all to either now


# ------------------------------------------------------------------------------ 8. 429 storm


async def test_a_429_storm_during_a_push_delivers_everything_once(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with meeting_world(sqlite_url, clock, limits=Limits()) as world:
        people = [await person(world, 690000 + i, name=f"P{i}") for i in range(15)]
        pid = await partnership(world, [(cid, "partner") for _, cid in people])
        await schedule_directly(world, pid, datetime(2026, 3, 26, 13, 0, tzinfo=UTC))
        world.sandbox.faults.storm(seconds=2, retry_after=1)
        report = await asyncio.wait_for(run_tick(world), timeout=60)
        assert report.sent == 15
        assert world.sandbox.stats.http_429 > 0
        for phone, _ in people:
            assert count(phone) == 1
        assert {d.state for d in await pushes(world, "mtg_invite")} == {"sent"}
        assert (await run_tick(world)).sent == 0


# ------------------------------------------------------------------------------ 9. two processes


async def test_two_bot_processes_send_each_reminder_once(database_url: str) -> None:
    clock = ManualClock(START)
    async with meeting_world(database_url, clock) as world:
        people = [await person(world, 695000 + i, name=f"P{i}") for i in range(24)]
        pid = await partnership(world, [(cid, "partner") for _, cid in people])
        meeting_at = datetime(2026, 3, 26, 13, 0, tzinfo=UTC)
        await schedule_directly(world, pid, meeting_at)
        # A second bot process: its own engine on the same database, the same Bot API.
        other_db = Database.connect(database_url)
        other = build_application(world.settings, other_db, clock=clock)
        await other.initialize()
        try:
            assert world.bot is not None
            moments = [START] + [meeting_at - timedelta(minutes=m) for m in DEFAULT]
            for moment in moments:
                clock.set(moment)
                first, second = await asyncio.gather(tick(world.bot.application), tick(other))
                assert first.sent + second.sent == 24
                again = await asyncio.gather(tick(world.bot.application), tick(other))
                assert sum(r.sent for r in again) == 0
        finally:
            await dispatch.on_stop(other.bot_data["services"])  # its post_stop: lets go the lock
            await other.shutdown()
            await other_db.close()
        for phone, _ in people:
            assert count(phone) == 4  # the invitation and three reminders: each once
        assert {d.state for d in await pushes(world)} == {"sent"}


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
