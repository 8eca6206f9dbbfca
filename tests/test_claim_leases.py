"""Claims are leases: a crashed process's claim is taken again within the lease, a live one is
renewed and never taken, an unsent one is handed back at stop; and the send path gives up bulk
requests that have not left when the bot stops (no network, time under the test's control)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.sending import BULK, INTERACTIVE, PriorityGate, SendAbandoned, SendPath
from storage import deliveries
from storage.db import Database
from storage.models import Contact, Delivery
from tests.test_sending import Recorder, send

T0 = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)
LEASE = deliveries.CLAIM_LEASE


async def _one_due_delivery(db: Database) -> int:
    async with db.transaction() as session:
        contact = Contact(telegram_user_id=880001, display_name="P", created_at=T0)
        session.add(contact)
        await session.flush()
        await deliveries.add(
            session, kind="reminder", contact_id=contact.id, due_at=T0, dedupe_key="lease-1"
        )
    async with db.sessions() as session:
        [delivery_id] = await deliveries.due_ids(session, T0)
    return delivery_id


async def _due(db: Database, now: datetime) -> list[int]:
    async with db.sessions() as session:
        return await deliveries.due_ids(session, now)


async def _claim(db: Database, delivery_id: int, now: datetime) -> Delivery | None:
    async with db.transaction() as session:
        return await deliveries.claim(session, delivery_id, now)


async def test_a_crashed_claim_is_taken_again_once_its_lease_runs_out(db: Database) -> None:
    assert LEASE < timedelta(minutes=1)  # with the 20 s tick: sent again within a minute
    delivery_id = await _one_due_delivery(db)
    assert await _claim(db, delivery_id, T0) is not None
    # The claimer dies here. Until the lease runs out nobody may take the row ...
    just_before = T0 + LEASE - timedelta(seconds=1)
    assert await _due(db, just_before) == []
    assert await _claim(db, delivery_id, just_before) is None
    # ... and then the next tick, of this process or another, takes it.
    after = T0 + LEASE + timedelta(seconds=1)
    assert await _due(db, after) == [delivery_id]
    again = await _claim(db, delivery_id, after)
    assert again is not None and again.attempts == 2
    assert await _claim(db, delivery_id, after) is None  # taken once


async def test_a_renewed_claim_is_not_taken_and_a_released_one_is_due_at_once(
    db: Database,
) -> None:
    delivery_id = await _one_due_delivery(db)
    assert await _claim(db, delivery_id, T0) is not None
    renewed_at = T0 + LEASE * 2 / 3  # the holder, sitting out a long 429, renews
    async with db.transaction() as session:
        assert await deliveries.renew(session, [delivery_id], renewed_at) == 1
    past_first_lease = T0 + LEASE + timedelta(seconds=1)
    assert await _due(db, past_first_lease) == []
    assert await _claim(db, delivery_id, past_first_lease) is None
    # Stopping before it was sent: handed back, due as it was, the attempt not counted.
    async with db.transaction() as session:
        assert await deliveries.release(session, [delivery_id]) == 1
    async with db.sessions() as session:
        row = await session.get(Delivery, delivery_id)
        assert row is not None
        assert (row.state, row.claimed_at, row.attempts, row.due_at) == ("pending", None, 0, T0)
    assert await _due(db, past_first_lease) == [delivery_id]
    # Neither a sent row nor one never claimed is touched by renew or release.
    sent = await _claim(db, delivery_id, past_first_lease)
    assert sent is not None
    async with db.transaction() as session:
        await deliveries.finish(session, delivery_id, "sent", past_first_lease)
    async with db.transaction() as session:
        assert await deliveries.renew(session, [delivery_id], past_first_lease) == 0
        assert await deliveries.release(session, [delivery_id]) == 0


async def test_stop_bulk_abandons_bulk_waiting_for_its_turn_and_replies_still_go() -> None:
    api = Recorder()
    # One token a second, none in hand: every request waits for its turn.
    path = SendPath(global_rate_per_s=1, global_burst=1, bulk_reserve=0, chat_burst=100)
    path.global_gate._tokens = 0
    waiting = [
        asyncio.ensure_future(send(path, api, 100 + i, "push", priority="bulk")) for i in range(5)
    ]
    await asyncio.sleep(0)  # let them queue
    path.stop_bulk()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(r, SendAbandoned) for r in results)
    assert api.calls == []  # nothing of them left
    with pytest.raises(SendAbandoned):
        await send(path, api, 200, "late push", priority="bulk")
    await send(path, api, 300, "a reply")  # interactive traffic is not stopped
    assert [c[1]["text"] for c in api.calls] == ["a reply"]


class _Noting(Recorder):
    """A recorder that says when it was called."""

    def __init__(self, failures: list[Exception]) -> None:
        super().__init__(failures)
        self.called = asyncio.Event()

    async def __call__(self, endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        self.called.set()
        return await super().__call__(endpoint, data)


async def test_stop_bulk_ends_a_bulk_retry_wait() -> None:
    api = _Noting([RetryAfter(3600)])  # a pause far longer than any test
    path = SendPath(chat_rate_per_s=100, chat_burst=100, global_rate_per_s=100)
    sending = asyncio.ensure_future(send(path, api, 7, "push", priority="bulk"))
    await api.called.wait()  # the first try is refused with the long pause
    path.stop_bulk()
    with pytest.raises(SendAbandoned):
        await sending
    assert len(api.calls) == 1  # not retried


async def test_a_gate_with_bulk_closed_serves_interactive_first_come() -> None:
    gate = PriorityGate(1000, 1, lambda: 0.0)
    gate.close_bulk()
    with pytest.raises(SendAbandoned):
        await gate.acquire(BULK)
    await gate.acquire(INTERACTIVE)


async def test_a_push_a_dead_process_left_on_the_wire_is_never_sent_again(db: Database) -> None:
    """Claimed only: nothing went out, so the next process sends it. Marked "sending" (the send
    path was about to put it on the wire): it may have arrived, so once the lease runs out it
    is recorded as sent "uncertain" and never taken again (the bulk rule of send_outcomes)."""
    on_the_wire = await _one_due_delivery(db)
    assert await _claim(db, on_the_wire, T0) is not None
    async with db.transaction() as session:
        await deliveries.mark_sending(session, on_the_wire)
    after = T0 + LEASE + timedelta(seconds=1)
    assert await _due(db, after) == []  # never claimed again
    async with db.transaction() as session:
        assert await deliveries.settle_lost_sends(session, T0 + LEASE - timedelta(seconds=1)) == 0
        assert await deliveries.settle_lost_sends(session, after) == 1
    async with db.sessions() as session:
        row = await session.get(Delivery, on_the_wire)
    assert row is not None and (row.state, row.detail, row.sent_at) == ("sent", "uncertain", T0)
