"""Issue 12 end to end: what staff trip over in the wizards, through the sandbox."""

from __future__ import annotations

from bot.clock import ManualClock
from tests.e2e import ADMIN_ID, command_and_wait, press_and_wait, say_and_wait
from tests.summary_world import START, buttons, launch, partners, shown, staff_world


async def test_staff_wizards_say_what_they_wait_for_and_can_be_left(sqlite_url: str) -> None:
    """Issue 12 (item 12): typed text at "Whose answers?" gets a hint, /pending has Cancel."""
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        await partners(world, clock, [(831, "en", "Hope RLO")])
        await launch(world, clock)
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        await command_and_wait(admin, "summary")
        await press_and_wait(admin, "Partnership pulse", expect=("message",))
        events = await press_and_wait(admin, "This quarter", expect=("message",))
        assert "Whose answers?" in shown(events)
        events = await say_and_wait(admin, "everyone")
        assert "Please choose with the buttons above, or send /cancel to stop." in shown(events)
        assert "didn't understand" not in shown(events)

        events = await command_and_wait(admin, "pending")
        assert "Cancel" in buttons(events)
        events = await press_and_wait(admin, "Cancel", expect=("message", "edit"))
        assert "Cancelled." in shown(events)
