"""Issue 7 end to end: /pending lists who has not answered a campaign and nudges them, within
the reminder limit.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import ManualClock
from storage import contacts
from storage.models import Delivery, Response
from tests.e2e import ADMIN_ID, command_and_wait, press_and_wait, settle
from tests.summary_world import (
    START,
    answer,
    audit_actions,
    buttons,
    launch,
    partners,
    plain,
    shown,
    staff_world,
)

# ------------------------------------------------------------------------------ pending


async def test_pending_lists_who_has_not_answered_and_nudges_them(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        done, waiting, sleeping = await partners(
            world,
            clock,
            [(801, "en", "Hope RLO"), (802, "en", "Amal Network"), (803, "fr", "Tumaini Group")],
        )
        await launch(world, clock)
        for phone in (done, waiting, sleeping):
            await settle(phone)
            phone.consume_all()
        await answer(world, 801, {"satisfaction": 4})
        async with world.db.transaction() as session:  # Tumaini's focal person is asleep now
            contact = await contacts.by_telegram_id(session, 803)
            assert contact is not None
            contact.quiet_start, contact.quiet_end = "09:00", "12:00"

        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        events = await command_and_wait(admin, "pending")
        assert "#1 Partnership pulse (due Mar 16, 2026)" in buttons(events)
        events = await press_and_wait(admin, data="pnd:show:c:1")
        text = shown(events)
        assert "Completed: 1 of 3. Not completed yet: 2." in text
        assert "Amal Network (1)\n• P802 (not started)" in text
        assert "Tumaini Group (1)\n• P803 (not started)" in text
        assert "Hope RLO" not in text
        assert "2 partners can be reminded now (at most 2 reminders each" in text

        events = await press_and_wait(admin, "Nudge them now")
        assert "Reminders queued for 2 partners." in shown(events)
        [nudge] = await waiting.wait(1, kinds=("message",), timeout=10)
        assert "A friendly reminder" in plain(nudge.text)
        assert await settle(sleeping) == []  # quiet hours: held back, not dropped
        async with world.db.sessions() as session:
            held = await session.scalar(
                select(Delivery).where(Delivery.kind == "nudge", Delivery.state == "pending")
            )
        assert held is not None and held.due_at > clock.now()
        assert await settle(done) == []

        # The limit holds: two nudges each at most, however often staff press.
        async with world.db.transaction() as session:
            for response in await session.scalars(select(Response)):
                response.nudges_sent = 2
        events = await press_and_wait(admin, data="pnd:show:c:1")
        assert "Everyone waiting already had the maximum of 2 reminders." in shown(events)
        assert "Nudge them now" not in buttons(events)
        await admin.press_data("pnd:nudge:c:1")  # an old button: the limit still holds
        events = await settle(admin)
        assert "2 partners already had the maximum of 2 reminders." in shown(events)
        assert {"pending.read", "pending.nudge"} <= set(await audit_actions(world))
