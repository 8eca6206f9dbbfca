"""Stopping mid-push (SIGTERM runs the same teardown as ``world.stop_bot()``): the stop does
not wait for the push, what was not sent is pending again — none left claimed for a lease to
free — and the next start sends each remaining push exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from bot import dispatch
from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Limits, Phone
from bot.meetings.service import schedule
from storage.models import Contact, Delivery, Organisation, Partnership, PartnershipMember
from tests.e2e import world_for

START = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)
PEOPLE = 240  # eight seconds of pushing at Telegram's 30/s
FIRST_ID = 720_000
STOP_AFTER = 30  # received before the stop: the push is well under way


async def _seed(world: LocalWorld) -> list[Phone]:
    """PEOPLE partners in one partnership whose meeting's 2-hour reminder is due now."""
    phones = []
    for i in range(PEOPLE):
        phone = world.sandbox.user(FIRST_ID + i, first_name=f"P{i}", language_code="en")
        phone.chat.started = True  # they joined earlier: the bot may write to them
        phones.append(phone)
    async with world.db.transaction() as session:
        org = Organisation(name="Shutdown RLO", country="KE", created_at=START)
        session.add(org)
        await session.flush()
        await session.execute(
            insert(Contact),
            [
                {
                    "telegram_user_id": FIRST_ID + i,
                    "display_name": f"P{i}",
                    "organisation_id": org.id,
                    "role": "partner",
                    "language": "en",
                    "timezone": "UTC",
                    "status": "active",
                    "consent_at": START,
                    "quiet_start": "20:00",  # far from 08:00 UTC: nothing is held back
                    "quiet_end": "21:00",
                    "attribution": "aggregate",
                    "created_at": START,
                    "updated_at": START,
                }
                for i in range(PEOPLE)
            ],
        )
        partnership = Partnership(
            organisation_id=org.id, name="Shutdown partnership", created_at=START, updated_at=START
        )
        session.add(partnership)
        await session.flush()
        ids = await session.scalars(select(Contact.id).where(Contact.organisation_id == org.id))
        session.add_all(
            PartnershipMember(partnership_id=partnership.id, contact_id=c, side="partner")
            for c in ids
        )
        await session.flush()
        await schedule(
            session,
            partnership_id=partnership.id,
            kind="other",
            starts_at=START + timedelta(hours=2),
            organiser_timezone="UTC",
            organiser_telegram_id=None,
            created_by=None,
            place="Community hall",
            agenda=None,
            reminder_offsets=[120],
            now=START - timedelta(minutes=1),  # so the 2-hour reminder is due right now
            invite=False,
        )
    return phones


async def _states(world: LocalWorld) -> dict[str, int]:
    async with world.db.sessions() as session:
        rows = await session.execute(
            select(Delivery.state, func.count())
            .where(Delivery.kind == "reminder")
            .group_by(Delivery.state)
        )
        return {str(state): int(n) for state, n in rows.all()}


async def _first_deliveries(phones: list[Phone], how_many: int) -> None:
    """Return once ``how_many`` of the phones have had their push (each phone's own wait)."""
    waits = [asyncio.ensure_future(phone.wait(1, timeout=120)) for phone in phones]
    try:
        for seen, done in enumerate(asyncio.as_completed(waits), start=1):
            await done
            if seen == how_many:
                return
    finally:
        for wait in waits:
            wait.cancel()
        await asyncio.gather(*waits, return_exceptions=True)


async def test_a_stop_mid_push_hands_back_the_rest_and_a_restart_sends_each_once(
    database_url: str,
) -> None:
    clock = ManualClock(START)
    # The periodic tick is an hour away: the start-up catch-up is what sends the push.
    async with world_for(
        database_url, clock=clock, limits=Limits(), tick_seconds=3600, start=False
    ) as world:
        phones = await _seed(world)
        assert await _states(world) == {"pending": PEOPLE}
        delivered = world.sandbox.stats.delivered

        bot = await world.start_bot()
        await _first_deliveries(phones, STOP_AFTER)
        at_stop: list[int] = []
        request_stop = bot.services.request_stop

        def noting_request_stop() -> None:
            at_stop.append(sum(delivered.values()))
            request_stop()

        bot.services.request_stop = noting_request_stop  # type: ignore[method-assign]
        await world.stop_bot()

        received = sum(delivered.values())
        states = await _states(world)
        assert at_stop and at_stop[0] >= STOP_AFTER
        # The stop waited only for the pushes already on their way, not for the rest.
        assert received - at_stop[0] <= dispatch.CONCURRENCY
        assert received < PEOPLE
        # Every push that arrived is recorded sent; every other is pending again, none claimed.
        assert states == {"sent": received, "pending": PEOPLE - received}
        async with world.db.sessions() as session:
            attempts = set(
                await session.scalars(select(Delivery.attempts).where(Delivery.state == "pending"))
            )
        assert attempts == {0}  # a push handed back was not counted as tried
        assert max(delivered.values()) == 1

        await world.start_bot()  # the next start sends the rest at once
        waiting = [phone for phone in phones if delivered[phone.user_id] == 0]
        await asyncio.gather(*(phone.wait(1, timeout=120) for phone in waiting))
        await world.stop_bot()  # nothing in flight is left to arrive after this

        assert await _states(world) == {"sent": PEOPLE}
        assert sorted(delivered[phone.user_id] for phone in phones) == [1] * PEOPLE
