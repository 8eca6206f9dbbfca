"""Admins are staff from start-up, J-PAT rounds warn before opening with an empty side, a
partner's /jpat offers Start while their side is open, and the partnership start date (a
future one is asked about; the card can change it). Through the sandbox over HTTP, with time
under the test's control (``ManualClock``, no periodic tick)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Event, Limits, Phone
from storage import contacts, partnerships
from storage.models import AuditEntry, Contact, JpatRound, Partnership, Response
from tests.e2e import (
    ADMIN_ID,
    command_and_wait,
    make_invite,
    onboard_and_wait,
    press_and_wait,
    say_and_wait,
    world_for,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 12:00 in Nairobi
ZONE = "Africa/Nairobi"


@asynccontextmanager
async def world(database_url: str) -> AsyncIterator[LocalWorld]:
    async with world_for(
        database_url,
        clock=ManualClock(START),
        tick_seconds=0,
        limits=Limits(chat_enabled=False),
        chat_burst=1000,
    ) as made:
        yield made


def shown(events: list[Event]) -> str:
    return "\n".join(e.content or "" for e in events if e.kind in ("message", "edit"))


def last_buttons(events: list[Event]) -> list[list[str]]:
    return [e for e in events if e.kind == "message"][-1].buttons


async def staff(w: LocalWorld, user_id: int, name: str) -> Phone:
    async with w.db.transaction() as session:
        await contacts.make_staff(
            session,
            telegram_user_id=user_id,
            display_name=name,
            language="en",
            timezone=ZONE,
            now=START,
        )
    phone = w.sandbox.user(user_id, first_name=name, language_code="en")
    await command_and_wait(phone, "start")
    return phone


async def contact_id(w: LocalWorld, user_id: int) -> int:
    async with w.db.sessions() as session:
        found = await contacts.by_telegram_id(session, user_id)
    assert found is not None
    return found.id


async def partnership_of(w: LocalWorld, org_id: int, ngo: list[int]) -> int:
    """A partnership made in storage; ``ngo`` are contact ids (the first created it)."""
    async with w.db.transaction() as session:
        made = await partnerships.create(
            session,
            organisation_id=org_id,
            start_date=date(2026, 1, 15),
            stage="ongoing",
            cadence="quarterly",
            created_by=ngo[0] if ngo else None,
            now=START,
        )
        for extra in ngo[1:]:
            await partnerships.add_member(session, made.id, extra, "ngo")
        return made.id


async def rounds(w: LocalWorld) -> list[JpatRound]:
    async with w.db.sessions() as session:
        return list(await session.scalars(select(JpatRound)))


async def audit(w: LocalWorld, action: str) -> list[AuditEntry]:
    async with w.db.sessions() as session:
        return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# ------------------------------------------------------------------------------ A: admins


async def test_an_admin_who_never_wrote_can_join_the_ngo_side(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        # start-up made the configured admin a contact, once, even across a restart
        await w.restart_bot()
        async with w.db.sessions() as session:
            rows = list(
                await session.scalars(select(Contact).where(Contact.telegram_user_id == ADMIN_ID))
            )
        assert [(c.role, c.display_name, c.status) for c in rows] == [("admin", None, "active")]

        grace = await staff(w, 9301, "Grace")
        _token, org_id = await make_invite(w.db, now=START)
        assert org_id is not None
        pid = await partnership_of(w, org_id, [await contact_id(w, 9301)])

        card = await command_and_wait(grace, "partnership", str(pid))
        assert "NGO side: Grace" in shown(card)
        picker = await press_and_wait(grace, "Add an NGO colleague")
        assert "Who should join the NGO side?" in shown(picker)
        assert [f"Telegram user {ADMIN_ID}"] in last_buttons(picker)
        joined = await press_and_wait(grace, f"Telegram user {ADMIN_ID}")
        assert f"Telegram user {ADMIN_ID} joined the NGO side." in shown(joined)
        assert f"NGO side: Telegram user {ADMIN_ID}, Grace" in shown(joined)

        # the admin's first /start is answered, and no second contact is made for them
        admin = w.sandbox.user(ADMIN_ID, first_name="Ada", language_code="en")
        first = await command_and_wait(admin, "start")
        assert "Welcome" in shown(first) and "Welcome back" not in shown(first)
        async with w.db.sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(Contact)
                .where(Contact.telegram_user_id == ADMIN_ID)
            )
            sides = {c.telegram_user_id: s for c, s in await partnerships.members(session, pid)}
        assert count == 1
        assert sides[ADMIN_ID] == "ngo"


async def test_opening_a_round_with_an_empty_side_warns_first(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        grace = await staff(w, 9311, "Grace")
        token, org_id = await make_invite(w.db, org_name="Quiet RLO", now=START)
        assert org_id is not None
        await partnership_of(w, org_id, [await contact_id(w, 9311)])

        # nobody from the organisation has joined: a warning, nothing sent, cancel keeps it so
        warned = await command_and_wait(grace, "jpat", "open")
        assert "Nobody from Quiet RLO has joined the bot yet" in shown(warned)
        assert last_buttons(warned) == [["Open the round anyway"], ["Cancel"]]
        cancelled = await press_and_wait(grace, "Cancel", expect="edit")
        assert "Cancelled." in shown(cancelled)
        assert await rounds(w) == []

        # ... or go on: the deadline picker, and the round opens with 0 on the partner side
        await command_and_wait(grace, "jpat", "open")
        picker = await press_and_wait(grace, "Open the round anyway")
        assert "Open J-PAT round 1 for Quiet RLO" in shown(picker)
        opened = await press_and_wait(grace, "In 7 days")
        assert "1 on the NGO side, 0 on the partner side" in shown(opened)
        assert [r.number for r in await rounds(w)] == [1]

        # an empty NGO side warns too (a partnership nobody on the NGO team is on)
        _amina = await onboard_and_wait(w, 9411, token, name="Amina")
        other = await partnership_of(w, org_id, [])
        warned = await command_and_wait(grace, "jpat", f"open {other}")
        assert "Nobody is on the NGO side of Quiet RLO yet" in shown(warned)
        assert f"/partnership {other}" in shown(warned)
        assert last_buttons(warned) == [["Open the round anyway"], ["Cancel"]]
        assert len(await rounds(w)) == 1

        # both sides filled: no warning, straight to the deadline
        await partnership_of(w, org_id, [await contact_id(w, 9311)])
        straight = await command_and_wait(grace, "jpat", "open 3")
        assert "By when should they answer?" in shown(straight)
        assert "Nobody" not in shown(straight)


# ------------------------------------------------------------------------------ B: Start


async def test_a_partner_gets_start_then_continue_on_jpat_while_their_side_is_open(
    sqlite_url: str,
) -> None:
    async with world(sqlite_url) as w:
        grace = await staff(w, 9321, "Grace")
        token, org_id = await make_invite(w.db, org_name="Open RLO", now=START)
        assert org_id is not None
        amina = await onboard_and_wait(w, 9421, token, name="Amina")
        await partnership_of(w, org_id, [await contact_id(w, 9321)])

        menu = await command_and_wait(amina, "jpat")
        assert "No round yet." in shown(menu)
        assert last_buttons(menu) == [["History"]]

        await command_and_wait(grace, "jpat", "open")
        await press_and_wait(grace, "In 14 days")
        amina.consume_all()  # the invitation, which may arrive in the background

        menu = await command_and_wait(amina, "jpat")
        assert "Your answers are still to come." in shown(menu)
        assert last_buttons(menu)[0] == ["Start the J-PAT", "Status"]
        started = await press_and_wait(amina, "Start the J-PAT", expect="edit")
        assert "Step 1 of 7 · Element 1" in shown(started)  # the menu became the first screen
        async with w.db.sessions() as session:
            response = await session.scalar(
                select(Response).where(
                    Response.contact_id == await contact_id(w, 9421),
                    Response.jpat_round_id.is_not(None),
                )
            )
        assert response is not None and response.status == "in_progress"

        menu = await command_and_wait(amina, "jpat")
        assert last_buttons(menu)[0] == ["Continue the J-PAT", "Status"]
        # Grace is on the NGO side and has not answered either: she gets Start too
        menu = await command_and_wait(grace, "jpat")
        assert ["Start the J-PAT", "Status"] in last_buttons(menu)


# ------------------------------------------------------------------------------ C: start date


async def test_start_date_in_the_future_is_asked_about_and_the_card_changes_it(
    sqlite_url: str,
) -> None:
    async with world(sqlite_url) as w:
        grace = await staff(w, 9331, "Grace")
        await make_invite(w.db, org_name="Dated RLO", now=START)

        # the wizard: a future date is asked about; "No" lets her type another
        await command_and_wait(grace, "partnership", "new")
        await press_and_wait(grace, "Dated RLO")
        asked = await say_and_wait(grace, "2026-06-01")
        assert "June 1, 2026 is in the future. Keep it as the start date?" in shown(asked)
        assert last_buttons(asked) == [["Yes, keep it"], ["No, type another date"], ["Cancel"]]
        again = await press_and_wait(grace, "No, type another date", expect="edit")
        assert "Please type a date" in shown(again)
        typed = await say_and_wait(grace, "15/02/2026")
        assert "Start date: February 15, 2026" in shown(typed)
        await press_and_wait(grace, "ongoing")
        created = await press_and_wait(grace, "every 3 months", count=2)
        assert "Started: February 15, 2026" in shown(created)

        # ... and "Yes" keeps a future one
        await command_and_wait(grace, "partnership", "new")
        await press_and_wait(grace, "Dated RLO")
        await say_and_wait(grace, "2026-04-01")
        kept = await press_and_wait(grace, "Yes, keep it")
        assert "Start date: April 1, 2026" in shown(kept)
        assert "Which stage is the partnership in?" in shown(kept)

        # the card: change the start date of the first partnership
        async with w.db.sessions() as session:
            first = await session.scalar(select(Partnership).order_by(Partnership.id).limit(1))
        assert first is not None and first.start_date == date(2026, 2, 15)
        card = await command_and_wait(grace, "partnership", str(first.id))
        assert ["Change the start date"] in last_buttons(card)
        prompt = await press_and_wait(grace, "Change the start date")
        assert "When did the partnership start?" in shown(prompt)
        wrong = await say_and_wait(grace, "someday")
        assert "Please type a date, for example " in shown(wrong)
        asked = await say_and_wait(grace, "May 10, 2026")
        assert "May 10, 2026 is in the future." in shown(asked)
        saved = await press_and_wait(grace, "Yes, keep it", count=2)
        assert "Started: May 10, 2026" in shown(saved)
        # no round yet: the first check-in is planned from the new start
        assert "Next J-PAT check-in: August 10, 2026" in shown(saved)

        await press_and_wait(grace, "Change the start date")
        saved = await say_and_wait(grace, "1/5/2026", count=2)
        assert "Started: January 5, 2026" in shown(saved)

        async with w.db.sessions() as session:
            changed = await session.get(Partnership, first.id)
        assert changed is not None and changed.start_date == date(2026, 1, 5)
        entries = await audit(w, "partnership.start_date")
        assert [(e.subject, e.details) for e in entries] == [
            (f"partnership:{first.id}", {"start": "2026-05-10", "was": "2026-02-15"}),
            (f"partnership:{first.id}", {"start": "2026-01-05", "was": "2026-05-10"}),
        ]
        assert all(e.actor_telegram_id == 9331 for e in entries)


async def test_an_admin_refused_by_telegram_before_writing_is_answered_on_first_start(
    sqlite_url: str,
) -> None:
    """A push to an admin who never opened the bot gets 403 and marks their chat blocked;
    their own /start proves the chat works, so it is answered and the mark is lifted."""
    async with world(sqlite_url) as w:
        send_path = w.services.send_path
        async with w.db.transaction() as session:  # what a 403 on a push leaves behind
            send_path.blocked_chats.add(ADMIN_ID)
            await contacts.mark_blocked(session, ADMIN_ID, START)
        admin = w.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        welcome = await command_and_wait(admin, "start")
        assert "Welcome" in shown(welcome)
        assert ADMIN_ID not in send_path.blocked_chats
        async with w.db.sessions() as session:
            grace = await contacts.by_telegram_id(session, ADMIN_ID)
        assert grace is not None and grace.status == "active"


async def test_an_admin_taken_out_of_the_settings_is_no_longer_staff(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        async with w.db.transaction() as session:
            session.add(
                Contact(
                    telegram_user_id=9399,
                    role="admin",
                    language="en",
                    timezone=ZONE,
                    status="active",
                    created_at=START,
                )
            )
        await w.stop_bot()
        await w.start_bot()  # start-up reads the settings again: 9399 is not in them
        async with w.db.sessions() as session:
            former = await contacts.by_telegram_id(session, 9399)
            admin = await contacts.by_telegram_id(session, ADMIN_ID)
        assert former is not None and former.role == "former_staff"
        assert admin is not None and admin.role == "admin"
