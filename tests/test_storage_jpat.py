"""J-PAT storage on SQLite and PostgreSQL: the round's life: open invites every member and
close happens once, nudges are bounded and spaced, sign-off versions (dispute then confirm,
then the cadence), and a sent version changed by staff cannot be confirmed.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from storage import jpat_agreed, jpat_figures, jpat_rounds, partnerships
from storage.db import Database
from storage.models import Delivery, Partnership, Response
from tests.jpat_store import ELEMENTS, NOW, _answer, _open, _setup


async def test_open_invites_every_member_and_close_happens_once(db: Database) -> None:
    pid, version, ids = await _setup(db, ngo=2, partner=2)
    round_ = await _open(db, pid, version, days=7)
    async with db.sessions() as session:
        responses = list(
            await session.scalars(select(Response).where(Response.jpat_round_id == round_.id))
        )
        invites = list(
            await session.scalars(select(Delivery).where(Delivery.kind == "jpat_invite"))
        )
        partnership = await session.get(Partnership, pid)
    assert round_.number == 1 and partnership.next_round_at is None
    assert sorted((r.contact_id, r.side) for r in responses) == [
        (ids[0], "ngo"),
        (ids[1], "ngo"),
        (ids[2], "partner"),
        (ids[3], "partner"),
    ]
    assert {r.language for r in responses if r.side == "partner"} == {"ar"}
    assert len(invites) == 4

    await _answer(db, round_.id, ids[0], {"e1a": 3}, done=False)
    async with db.transaction() as session:
        assert await jpat_rounds.close_due(session, NOW + timedelta(days=6)) == []
        assert await jpat_rounds.close_due(session, NOW + timedelta(days=7)) == [round_.id]
        assert await jpat_rounds.close_due(session, NOW + timedelta(days=8)) == []
    async with db.sessions() as session:
        statuses = dict(
            (
                await session.execute(
                    select(Response.contact_id, Response.status).where(
                        Response.jpat_round_id == round_.id
                    )
                )
            ).all()
        )
        closed = await session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.kind == "jpat_closed")
        )
    assert statuses == {ids[0]: "partial", ids[1]: "expired", ids[2]: "expired", ids[3]: "expired"}
    assert closed == 4


async def test_nudges_are_bounded_and_spaced(db: Database) -> None:
    pid, version, ids = await _setup(db, ngo=1, partner=1)
    round_ = await _open(db, pid, version, days=30)
    await _answer(db, round_.id, ids[0], {"e1a": 3})
    counts = []
    for day in (1, 3, 4, 6, 9, 12):
        async with db.transaction() as session:
            counts.append(await jpat_rounds.schedule_nudges(session, NOW + timedelta(days=day)))
    assert counts == [0, 1, 0, 1, 0, 0]  # only the partner who has not answered, twice at most
    async with db.sessions() as session:
        keys = list(
            await session.scalars(
                select(Delivery.dedupe_key)
                .where(Delivery.kind == "jpat_nudge")
                .order_by(Delivery.id)
            )
        )
    assert len(keys) == 2 and keys[0].endswith(":1") and keys[1].endswith(":2")


async def test_signoff_versions_dispute_then_confirm_and_cadence(db: Database) -> None:
    pid, version, ids = await _setup(db, ngo=1, partner=2)
    staff, p1, p2 = ids
    round_ = await _open(db, pid, version)
    async with db.transaction() as session:
        round_ = await jpat_rounds.get_round(session, round_.id)
        assert await jpat_rounds.close_round(session, round_, NOW)
        await jpat_agreed.set_agreed_score(
            session, round_id=round_.id, key="e1a", score=3, by=staff, now=NOW
        )
        await jpat_agreed.set_action(
            session,
            round_id=round_.id,
            key="e1a",
            text="Joint context analysis",
            owner="both",
            due=date(2026, 4, 1),
            by=staff,
            now=NOW,
        )
        sent = await jpat_agreed.send_for_signoff(session, round_, by=staff, now=NOW)
        assert sent is not None
        first, asked = sent
    assert asked == 2
    async with db.transaction() as session:
        round_ = await jpat_rounds.get_round(session, round_.id)
        assert await jpat_agreed.dispute(
            session, round_, stamp=first, contact_id=p1, comment="Score too high", now=NOW
        )
        assert not await jpat_agreed.confirm(session, round_, stamp=first, contact_id=p2, now=NOW)
    async with db.transaction() as session:
        round_ = await jpat_rounds.get_round(session, round_.id)
        assert (round_.status, round_.dispute_comment) == ("disputed", "Score too high")
        await jpat_agreed.set_agreed_score(
            session, round_id=round_.id, key="e1a", score=2, by=staff, now=NOW
        )
        sent = await jpat_agreed.send_for_signoff(session, round_, by=staff, now=NOW)
        assert sent is not None
        second = sent[0]
    assert second != first
    later = NOW + timedelta(days=20)
    async with db.transaction() as session:
        round_ = await jpat_rounds.get_round(session, round_.id)
        assert not await jpat_agreed.confirm(session, round_, stamp=first, contact_id=p2, now=later)
        assert await jpat_agreed.confirm(session, round_, stamp=second, contact_id=p2, now=later)
        assert not await jpat_agreed.confirm(
            session, round_, stamp=second, contact_id=p1, now=later
        )
    async with db.sessions() as session:
        round_ = await jpat_rounds.get_round(session, round_.id)
        partnership = await session.get(Partnership, pid)
        trend = await jpat_figures.agreed_trend(session, pid, ELEMENTS)
        actions = await jpat_figures.open_actions(session, pid)
        sign_requests = list(
            await session.scalars(
                select(Delivery.state).where(Delivery.kind == "jpat_sign").order_by(Delivery.id)
            )
        )
    assert (round_.status, round_.finalised_at) == ("final", later)
    assert partnership.next_round_at == partnerships.add_months(later, 3)
    assert trend == [jpat_figures.TrendPoint(1, "e1", 2.0)]
    assert [(a.round_number, a.key, a.owner, a.due) for a in actions] == [
        (1, "e1a", "both", date(2026, 4, 1))
    ]
    assert sign_requests == ["cancelled", "cancelled", "cancelled", "cancelled"]

    # the tick's view of cadence: due once the planned moment passes, claimed only once
    async with db.transaction() as session:
        due_at = partnership.next_round_at
        assert await partnerships.due_for_round(session, due_at - timedelta(minutes=1)) == []
        assert await partnerships.due_for_round(session, due_at) == [(pid, due_at)]
        assert await partnerships.claim_due(session, pid, due_at)
        assert not await partnerships.claim_due(session, pid, due_at)


async def test_a_sent_version_changed_by_staff_cannot_be_confirmed(db: Database) -> None:
    """What the partner side confirms is what it was sent: a later change withdraws it."""
    pid, version, ids = await _setup(db, ngo=1, partner=1)
    staff, partner = ids
    round_ = await _open(db, pid, version)
    async with db.transaction() as session:
        round_ = await jpat_rounds.get_round(session, round_.id)
        assert await jpat_rounds.close_round(session, round_, NOW)
        await jpat_agreed.set_agreed_score(
            session, round_id=round_.id, key="e1a", score=4, by=staff, now=NOW
        )
        sent = await jpat_agreed.send_for_signoff(session, round_, by=staff, now=NOW)
    assert sent is not None
    first = sent[0]
    async with db.transaction() as session:  # staff change a score after sending
        await jpat_agreed.set_agreed_score(
            session, round_id=round_.id, key="e1a", score=1, by=staff, now=NOW
        )
    async with db.transaction() as session:
        round_ = await jpat_rounds.get_round(session, round_.id)
        assert round_.status == "closed"
        assert not await jpat_agreed.confirm(
            session, round_, stamp=first, contact_id=partner, now=NOW
        )
        states = set(
            await session.scalars(select(Delivery.state).where(Delivery.kind == "jpat_sign"))
        )
        assert states == {"cancelled"}
        second = await jpat_agreed.send_for_signoff(session, round_, by=staff, now=NOW)
    assert second is not None
    async with db.transaction() as session:
        round_ = await jpat_rounds.get_round(session, round_.id)
        assert await jpat_agreed.confirm(
            session, round_, stamp=second[0], contact_id=partner, now=NOW
        )
        # once final, nothing can be sent (or changed back) any more
        assert await jpat_agreed.send_for_signoff(session, round_, by=staff, now=NOW) is None
    async with db.sessions() as session:
        assert (await jpat_rounds.get_round(session, round_.id)).status == "final"
        assert (await jpat_figures.items(session, round_.id))["e1a"].agreed_score == 1
