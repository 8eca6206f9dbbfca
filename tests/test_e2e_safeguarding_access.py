"""Confidential reports end to end: who may do what. Without a focal point the partner is told
and nothing is stored; staff, partners and strangers cannot read reports; only staff or admins
with a name can be named focal points.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.access import unknown_command_text
from bot.clock import ManualClock
from storage import safeguarding as sg_store
from storage.models import Contact
from tests.e2e import ADMIN_ID, settle
from tests.safeguarding_world import (
    COORDINATOR_ID,
    FOCAL_ID,
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
)
from tests.survey_steps import (
    THANKS,
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
