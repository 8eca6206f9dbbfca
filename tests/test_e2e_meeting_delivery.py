"""Issue 6 end to end: meeting pushes under trouble: the start-up catch-up after downtime sends
what is still useful once, a contact who blocked the bot costs no request, a 429 storm still
delivers everything once, and two bot processes send each reminder once.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot import dispatch
from bot.app import build_application
from bot.clock import ManualClock
from bot.devtools.sandbox import Limits
from bot.dispatch import tick
from storage.db import Database
from tests.e2e import settle
from tests.meeting_world import (
    DEFAULT,
    START,
    count,
    load_babel_data,
    meeting_world,
    messages,
    only_message,
    partnership,
    person,
    pushes,
    run_tick,
    schedule_directly,
)


def setup_module() -> None:
    """Babel's zone and locale data loaded before the bot needs it (see ``load_babel_data``)."""
    load_babel_data()


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
        await run_tick(world)  # a tick, as the periodic job runs it, sends no more
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
