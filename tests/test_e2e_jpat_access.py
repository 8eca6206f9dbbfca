"""J-PAT end to end: forged and stale buttons change nothing; partners and other
organisations are refused staff actions and learn nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from storage.models import JpatItem, JpatRound
from tests.jpat_world import (
    EXPIRED,
    START,
    UNKNOWN,
    audit_actions,
    command,
    drain,
    jpat_world,
    make_partnership,
    notices,
    partners,
    press,
    settle,
    shown,
    staff,
)

# ------------------------------------------------------------------------------ access, stale buttons


async def test_forged_and_stale_buttons_change_nothing(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        grace = await staff(world, 9131, "Grace")
        org_id, (amina,) = await partners(world, clock, "Hope RLO", [(9231, "Amina", "en")])
        _other, (omar,) = await partners(world, clock, "Other RLO", [(9232, "Omar", "en")])
        pid = await make_partnership(world, org_id, [grace])

        # a partner pressing staff buttons is refused exactly like an unknown command
        for data in (
            f"jp:op:{pid}",
            f"jp:dl:{pid}:7",
            f"jp:cl:{pid}",
            f"jp:cs:{pid}",
            "jp:sc:1:0:3",
            f"pt:e:{pid}",
            "pt:new",
            f"pt:sc:{pid}:none",
        ):
            await amina.press_data(data)
            events = await settle(amina)
            assert notices(events) == [UNKNOWN], data
            assert shown(events) == "", data
        refused = [a for a in await audit_actions(world, 9231) if a == "command.refused"]
        assert len(refused) == 8
        # a partner of another organisation learns nothing about this partnership
        for data in (f"jp:vw:{pid}", f"jp:st:{pid}", f"jp:hi:{pid}", f"jp:m:{pid}"):
            await omar.press_data(data)
            events = await settle(omar)
            assert notices(events) == [EXPIRED], data
        assert shown(await command(omar, "jpat")) == "You are not part of a J-PAT check-in yet."
        assert (
            shown(
                await command(
                    omar,
                    "jpat",
                    "view",
                )
            )
            == "You are not part of a J-PAT check-in yet."
        )

        # the J-PAT menu shows each what they may do
        menu = await command(amina, "jpat")
        assert "J-PAT · Hope RLO\nNo round yet." in shown(menu)
        assert menu[-1].buttons == [["History"]]
        menu = await command(grace, "jpat")
        assert menu[-1].buttons == [["Open a round", "History"]]
        reply = shown(await command(grace, "jpat", "history 42"))
        assert reply == "There is no such partnership for you."

        # malformed or unknown data from staff: a notice, nothing else
        for data in ("jp:vw:x", f"jp:dl:{pid}:5", "jp:sc:999:0:3", "jp:zz:1", "pt:ss:1:bogus"):
            await grace.press_data(data)
            events = await settle(grace)
            assert notices(events) == [EXPIRED], data

        # the deadline keyboard pressed twice opens one round
        await command(grace, "jpat", "open")
        picker = grace.messages[-1]
        await press(grace, "In 7 days")
        await drain(world)
        await grace.press("In 14 days", message_id=picker.message_id)
        events = await settle(grace)
        assert notices(events) == ["A round is already under way for this partnership."]
        async with world.db.sessions() as session:
            rounds = list(await session.scalars(select(JpatRound)))
        assert len(rounds) == 1 and rounds[0].deadline == START + timedelta(days=7)
        # opening again while a round is under way is declined politely
        assert "Round 1 is still under way" in shown(await command(grace, "jpat", "open"))
        # the consolidation buttons of nobody's wizard are stale
        await grace.press_data(f"jp:sc:{rounds[0].id}:0:3")
        assert notices(await settle(grace)) == [EXPIRED]
        async with world.db.sessions() as session:
            assert list(await session.scalars(select(JpatItem))) == []
