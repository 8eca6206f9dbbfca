"""Pushes as rows: what must be sent, to whom, when — and whether it was.

A delivery is claimed (one UPDATE that only one process can win) before it is sent, then
marked sent. A claim is a lease: the process holding it renews it while the send is on its
way (``renew``) and hands back what it did not send when it stops (``release``), so a claim
left behind by a crash is the only kind that goes stale, and it becomes claimable again once
the lease runs out. A sent delivery is never claimed again, so nothing is sent twice and
nothing is lost.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Delivery
from storage.upsert import insert_ignore

#: How long a claim stands without being renewed. A live holder renews every
#: ``CLAIM_LEASE / 3`` (``bot.dispatch``), so only a crashed process's claims outlast it; kept
#: short so another process (or the next start) sends them within a minute of the crash.
CLAIM_LEASE = timedelta(seconds=30)


async def add(
    session: AsyncSession,
    *,
    kind: str,
    contact_id: int,
    due_at: datetime,
    dedupe_key: str,
    campaign_id: int | None = None,
    response_id: int | None = None,
) -> bool:
    """Schedule a push unless one with the same key exists (two processes, one row)."""
    return await insert_ignore(
        session,
        Delivery.__table__,  # type: ignore[arg-type]
        {
            "kind": kind,
            "contact_id": contact_id,
            "due_at": due_at,
            "dedupe_key": dedupe_key,
            "campaign_id": campaign_id,
            "response_id": response_id,
            "state": "pending",
            "attempts": 0,
        },
    )


async def due_ids(session: AsyncSession, now: datetime, limit: int = 500) -> list[int]:
    result = await session.scalars(
        select(Delivery.id)
        .where(
            ((Delivery.state == "pending") & (Delivery.due_at <= now))
            | ((Delivery.state == "claimed") & (Delivery.claimed_at < now - CLAIM_LEASE))
        )
        .order_by(Delivery.due_at, Delivery.id)
        .limit(limit)
    )
    return list(result)


async def claim(session: AsyncSession, delivery_id: int, now: datetime) -> Delivery | None:
    """Take one delivery for sending; None if another process has it or it was sent."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            ((Delivery.state == "pending") & (Delivery.due_at <= now))
            | ((Delivery.state == "claimed") & (Delivery.claimed_at < now - CLAIM_LEASE)),
        )
        .values(state="claimed", claimed_at=now, attempts=Delivery.attempts + 1)
    )
    if not result.rowcount:
        return None
    return await session.get(Delivery, delivery_id)


async def mark_sending(session: AsyncSession, delivery_id: int) -> None:
    """The push is about to go on the wire: from now on a crash leaves it ambiguous."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state == "claimed")
        .values(state="sending")
    )


async def settle_lost_sends(session: AsyncSession, now: datetime) -> int:
    """Pushes a crashed process had put on the wire and never recorded: they may have reached
    the person, so they count as sent ("uncertain") and are never sent again — the bulk policy
    of ``bot.send_outcomes``. (A claim that never reached the wire is simply taken again.)"""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.state == "sending", Delivery.claimed_at < now - CLAIM_LEASE)
        .values(state="sent", detail="uncertain", sent_at=Delivery.claimed_at)
    )
    return int(result.rowcount or 0)


async def finish(
    session: AsyncSession, delivery_id: int, state: str, now: datetime, detail: str | None = None
) -> None:
    values: dict[str, object] = {"state": state, "detail": detail}
    if state == "sent":
        values["sent_at"] = now
    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


async def postpone(session: AsyncSession, delivery_id: int, until: datetime) -> None:
    """Back to pending for later (quiet hours)."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(state="pending", due_at=until, claimed_at=None)
    )


async def renew(session: AsyncSession, delivery_ids: Collection[int], now: datetime) -> int:
    """Extend the lease on claims still held (a send waiting out a 429 can outlast it)."""
    if not delivery_ids:
        return 0
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(list(delivery_ids)), Delivery.state.in_(("claimed", "sending")))
        .values(claimed_at=now)
    )
    return int(result.rowcount or 0)


async def release(session: AsyncSession, delivery_ids: Collection[int]) -> int:
    """Hand back claims that were not sent (the bot is stopping): pending again, due as they
    were, so another process or the next start sends them at once; the attempt is not
    counted, as nothing was tried."""
    if not delivery_ids:
        return 0
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(list(delivery_ids)), Delivery.state == "claimed")
        # every claim counted one attempt (``claim``): take back the one not made
        .values(state="pending", claimed_at=None, attempts=Delivery.attempts - 1)
    )
    return int(result.rowcount or 0)


async def cancel_pending(session: AsyncSession, *, campaign_id: int, now: datetime) -> int:
    result = await session.execute(
        update(Delivery)
        .where(Delivery.campaign_id == campaign_id, Delivery.state == "pending")
        .values(state="cancelled", detail="campaign closed")
    )
    return int(result.rowcount or 0)


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the earliest pending push falls due: the scheduler sleeps until then."""
    return await session.scalar(
        select(func.min(Delivery.due_at)).where(Delivery.state == "pending")
    )
