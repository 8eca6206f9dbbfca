"""J-PAT end to end: staff edit a partnership in chat (stage, J-PAT interval, NGO side) and
create one with a typed start date.
"""

from __future__ import annotations

from bot.clock import ManualClock
from storage import partnerships
from storage.models import Partnership
from tests.jpat_world import (
    START,
    audit_actions,
    command,
    jpat_world,
    make_partnership,
    notices,
    partners,
    press,
    say,
    shown,
    staff,
)


async def test_partnership_edits_stage_interval_and_ngo_side(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        grace = await staff(world, 9141, "Grace")
        await staff(world, 9142, "Sam")
        org_id, _phones = await partners(world, clock, "Hope RLO", [(9241, "Amina", "en")])
        pid = await make_partnership(world, org_id, [grace])

        listing = shown(await command(grace, "partnership"))
        assert "#1 Hope RLO: ongoing, J-PAT every 3 months, next check-in June 2, 2026" in listing
        await press(grace, "Edit #1 Hope RLO")
        await press(grace, "Change the stage")
        events = await press(grace, "closing")
        assert "Stage: closing" in shown(events)
        await press(grace, "Change the J-PAT interval")
        events = await press(grace, "every 6 months")
        assert "Next J-PAT check-in: September 2, 2026" in shown(events)
        await press(grace, "Change the J-PAT interval")
        events = await press(grace, "no regular check-ins")
        assert "Next J-PAT check-in: none planned" in shown(events)

        await press(grace, "Remove an NGO colleague")
        events = await press(grace, "Grace")
        assert notices(events) == ["The NGO side needs at least one member."]
        await press(grace, "Add an NGO colleague")
        await press(grace, "Sam")
        await press(grace, "Remove an NGO colleague")
        events = await press(grace, "Grace")
        assert "Grace left the NGO side." in shown(events)
        assert "NGO side: Sam" in shown(events)
        async with world.db.sessions() as session:
            partnership = await session.get(Partnership, pid)
            sides = [(c.display_name, s) for c, s in await partnerships.members(session, pid)]
        assert (partnership.stage, partnership.cadence, partnership.next_round_at) == (
            "closing",
            "none",
            None,
        )
        assert sides == [("Sam", "ngo"), ("Amina", "partner")]
        actions = await audit_actions(world, 9141)
        assert actions.count("partnership.cadence") == 2
        assert {"partnership.stage", "partnership.member_add", "partnership.member_remove"} <= set(
            actions
        )

        # typed start dates in the wizard: a wrong one is asked again
        await command(grace, "partnership", "new")
        await press(grace, "Hope RLO")
        events = await say(grace, "soon")
        assert "Please type a date, for example " in shown(events)
        events = await say(grace, "15/01/2026")
        assert "Start date: January 15, 2026" in shown(events)
        await press(grace, "inception")
        events = await press(grace, "every month")
        assert "Partnership #2 with Hope RLO created." in shown(events)
        assert "Next J-PAT check-in: April 2, 2026" in shown(events)  # a month from today
