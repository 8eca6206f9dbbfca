"""J-PAT storage on SQLite and PostgreSQL: figures computed in SQL against hand-computed
medians, gaps and averages; the round's life (open, nudge, close, sign-off); cadence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storage import (
    contacts,
    jpat_agreed,
    jpat_figures,
    jpat_rounds,
    jpat_rules,
    organisations,
    partnerships,
)
from storage import surveys as store
from storage.db import Database
from storage.models import Contact, Delivery, JpatRound, Partnership, Response

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ELEMENTS = {"e1a": "e1", "e1b": "e1", "e2a": "e2"}
ITEMS = list(ELEMENTS)
DK = "dont_know"


async def _version(db: Database) -> int:
    async with db.transaction() as session:
        return await store.register_version(
            session,
            survey_id="jpat",
            version=1,
            fingerprint="test-jpat",
            definition={"id": "jpat"},
            now=NOW,
        )


async def _setup(db: Database, *, ngo: int = 3, partner: int = 3) -> tuple[int, int, list[int]]:
    """A partnership with ``ngo`` staff and ``partner`` partner contacts; returns
    (partnership id, survey version id, contact ids NGO first)."""
    version = await _version(db)
    async with db.transaction() as session:
        org = await organisations.create(session, name="Hope RLO", country="KE", tags=[], now=NOW)
        ids = []
        for i in range(ngo):
            staff = await contacts.make_staff(
                session,
                telegram_user_id=1000 + i,
                display_name=f"Staff {i}",
                language="en",
                timezone="UTC",
                now=NOW,
            )
            ids.append(staff.id)
        for i in range(partner):
            contact = await contacts.create_partner(
                session,
                telegram_user_id=2000 + i,
                display_name=f"Partner {i}",
                organisation_id=org.id,
                language="ar",
                timezone="Africa/Nairobi",
                now=NOW,
            )
            ids.append(contact.id)
        partnership = await partnerships.create(
            session,
            organisation_id=org.id,
            start_date=date(2026, 3, 1),
            stage="ongoing",
            cadence="quarterly",
            created_by=ids[0],
            now=NOW,
        )
        for staff_id in ids[1:ngo]:
            await partnerships.add_member(session, partnership.id, staff_id, "ngo")
    return partnership.id, version, ids


async def _open(db: Database, pid: int, version: int, days: int = 14) -> JpatRound:
    async with db.transaction() as session:
        partnership = await partnerships.get(session, pid)
        opened = await jpat_rounds.open_round(
            session,
            partnership=partnership,
            survey_id="jpat",
            survey_version_id=version,
            deadline=NOW + timedelta(days=days),
            opened_by=None,
            now=NOW,
        )
    return opened.round


async def _answer(
    db: Database, round_id: int, contact_id: int, scores: dict[str, object], *, done: bool = True
) -> None:
    async with db.transaction() as session:
        response = await session.scalar(
            select(Response).where(
                Response.jpat_round_id == round_id, Response.contact_id == contact_id
            )
        )
        assert response is not None
        for key, value in scores.items():
            text = value if isinstance(value, str) and value != DK else None
            await store.save_answer(
                session,
                response_id=response.id,
                key=key,
                status="dont_know" if value == DK else "answered",
                value_num=float(value) if isinstance(value, int) else None,
                value_text=text,
                choice_codes=None,
                raw_text=None,
                voice_file_id=None,
                voice_duration=None,
                language="en",
                now=NOW,
            )
        response.status = "completed" if done else "in_progress"


def test_median_from_counts() -> None:
    assert jpat_rules.median_from_counts([]) is None
    assert jpat_rules.median_from_counts([(3.0, 1)]) == 3
    assert jpat_rules.median_from_counts([(1.0, 1), (5.0, 1)]) == 3
    assert jpat_rules.median_from_counts([(2.0, 2), (3.0, 1)]) == 2
    assert jpat_rules.median_from_counts([(1.0, 1), (2.0, 1), (4.0, 1), (5.0, 1)]) == 3
    assert jpat_rules.median_from_counts([(1.0, 3), (5.0, 1)]) == 1


def test_cadence_arithmetic() -> None:
    assert partnerships.add_months(datetime(2026, 1, 31, 9, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 9, tzinfo=UTC
    )
    assert partnerships.add_months(datetime(2026, 11, 15, tzinfo=UTC), 3) == datetime(
        2027, 2, 15, tzinfo=UTC
    )
    assert partnerships.next_round_after(NOW, "none") is None
    assert partnerships.next_round_after(NOW, "annual") == NOW.replace(year=2027)
    later_start = date(2026, 4, 10)
    assert partnerships.first_round_at(later_start, "monthly", NOW) == datetime(
        2026, 5, 10, tzinfo=UTC
    )
    # "today" typed at 01:30 in Nairobi, still yesterday in UTC: due on the same day of the month
    late_evening_utc = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
    assert partnerships.first_round_at(date(2026, 3, 3), "quarterly", late_evening_utc) == (
        datetime(2026, 6, 3, tzinfo=UTC)
    )
    # a start in the past counts from now
    assert partnerships.first_round_at(date(2026, 1, 1), "monthly", NOW) == (
        partnerships.add_months(NOW, 1)
    )


async def test_comparison_figures_match_hand_computed_medians(db: Database) -> None:
    pid, version, ids = await _setup(db)
    n1, n2, n3, p1, p2, p3 = ids
    round_ = await _open(db, pid, version)
    await _answer(db, round_.id, n1, {"e1a": 4, "e1b": 5, "e2a": 2, "working_well": "Trust"})
    await _answer(db, round_.id, n2, {"e1a": 4, "e1b": DK, "e2a": 3})
    await _answer(db, round_.id, n3, {"e1a": 5, "e1b": 3, "e2a": 4})
    await _answer(db, round_.id, p1, {"e1a": 2, "e1b": 4, "e2a": 3, "one_change": "تمويل"})
    await _answer(db, round_.id, p2, {"e1a": 3, "e1b": 4, "e2a": 3})
    # an unfinished submission never counts
    await _answer(db, round_.id, p3, {"e1a": 1, "one_change": "hidden"}, done=False)

    async with db.sessions() as session:
        figures = {f.key: f for f in await jpat_figures.comparison(session, round_.id, ITEMS)}
        averages = await jpat_figures.element_averages(session, round_.id, ELEMENTS)
        answers = await jpat_figures.open_answers(
            session, round_.id, ["working_well", "one_change"]
        )
        counts = await jpat_rounds.side_counts(session, round_.id)

    e1a, e1b, e2a = figures["e1a"], figures["e1b"], figures["e2a"]
    # e1a: NGO 4,4,5 → 4; partner 2,3 → 2.5; gap 1.5 → flagged (and someone rated 2)
    assert (e1a.ngo.median, e1a.ngo.n, e1a.partner.median, e1a.partner.n) == (4, 3, 2.5, 2)
    assert e1a.ngo.counts == ((4.0, 2), (5.0, 1))
    assert e1a.gap == 1.5 and e1a.flagged
    # e1b: NGO 5,3 (don't know left out) → 4; partner 4,4 → 4; no gap, nobody low
    assert (e1b.ngo.median, e1b.ngo.n, e1b.partner.median, e1b.partner.n) == (4, 2, 4, 2)
    assert e1b.gap == 0 and not e1b.flagged
    # e2a: NGO 2,3,4 → 3; partner 3,3 → 3; no gap but an NGO member rated 2 → flagged
    assert (e2a.ngo.median, e2a.partner.median, e2a.gap) == (3, 3, 0)
    assert e2a.low and e2a.flagged
    assert [f.key for f in jpat_rules.by_gap(list(figures.values()))] == ["e1a", "e1b", "e2a"]

    assert averages[("ngo", "e1")] == jpat_figures.Average(4.2, 5)  # (4+4+5+5+3)/5
    assert averages[("partner", "e1")] == jpat_figures.Average(3.25, 4)  # (2+3+4+4)/4
    assert averages[("ngo", "e2")] == jpat_figures.Average(3.0, 3)
    assert averages[("partner", "e2")] == jpat_figures.Average(3.0, 2)

    assert [(a.side, a.key, a.text) for a in answers] == [
        ("ngo", "working_well", "Trust"),
        ("partner", "one_change", "تمويل"),
    ]
    assert counts == {"ngo": jpat_rounds.SideCount(3, 3), "partner": jpat_rounds.SideCount(2, 3)}


async def test_a_side_without_answers_has_no_median_and_no_gap(db: Database) -> None:
    pid, version, ids = await _setup(db, ngo=1, partner=1)
    round_ = await _open(db, pid, version)
    await _answer(db, round_.id, ids[0], {"e1a": 1, "e1b": 5, "e2a": DK})
    async with db.sessions() as session:
        figures = await jpat_figures.comparison(session, round_.id, ITEMS)
        assert not await jpat_rounds.both_sides_submitted(session, round_.id)
    e1a, e1b, e2a = figures
    assert (e1a.ngo.median, e1a.partner.median, e1a.gap) == (1, None, None)
    assert e1a.flagged and not e1b.flagged
    assert (e2a.ngo.n, e2a.ngo.median) == (0, None)
    assert [f.key for f in jpat_rules.by_gap(figures)] == ITEMS


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


async def test_trend_averages_agreed_scores_per_element_across_rounds(db: Database) -> None:
    pid, version, ids = await _setup(db, ngo=1, partner=1)
    for number, scores in (
        (1, {"e1a": 2, "e1b": 3, "e2a": 4}),
        (2, {"e1a": 4, "e1b": 5, "e2a": 5}),
    ):
        round_ = await _open(db, pid, version)
        async with db.transaction() as session:
            round_ = await jpat_rounds.get_round(session, round_.id)
            await jpat_rounds.close_round(session, round_, NOW)
            for key, score in scores.items():
                await jpat_agreed.set_agreed_score(
                    session, round_id=round_.id, key=key, score=score, by=ids[0], now=NOW
                )
            sent = await jpat_agreed.send_for_signoff(session, round_, by=ids[0], now=NOW)
            assert sent is not None
            stamp = sent[0]
            assert await jpat_agreed.confirm(
                session, round_, stamp=stamp, contact_id=ids[1], now=NOW
            )
        assert round_.number == number
    async with db.sessions() as session:
        trend = await jpat_figures.agreed_trend(session, pid, ELEMENTS)
    assert trend == [
        jpat_figures.TrendPoint(1, "e1", 2.5),
        jpat_figures.TrendPoint(1, "e2", 4.0),
        jpat_figures.TrendPoint(2, "e1", 4.5),
        jpat_figures.TrendPoint(2, "e2", 5.0),
    ]


async def test_partner_side_follows_the_organisation(db: Database) -> None:
    """Who joins the organisation later is invited to the next round; who deleted their data
    but is never invited."""
    pid, version, ids = await _setup(db, ngo=1, partner=2)
    async with db.transaction() as session:
        partnership = await session.get(Partnership, pid)
        newcomer = await contacts.create_partner(
            session,
            telegram_user_id=2999,
            display_name="Later",
            organisation_id=partnership.organisation_id,
            language="sw",
            timezone="Africa/Nairobi",
            now=NOW,
        )
        gone = await session.get(Contact, ids[2])
        await contacts.forget(session, gone, NOW)
    round_ = await _open(db, pid, version)
    async with db.sessions() as session:
        sides = {c.id: side for c, side in await partnerships.members(session, pid)}
        invited = dict(
            (
                await session.execute(
                    select(Response.contact_id, Response.language).where(
                        Response.jpat_round_id == round_.id
                    )
                )
            ).all()
        )
    assert sides == {ids[0]: "ngo", ids[1]: "partner", newcomer.id: "partner"}
    assert invited == {ids[0]: "en", ids[1]: "ar", newcomer.id: "sw"}


@pytest.mark.parametrize("cadence", ["monthly", "none"])
async def test_changing_cadence_replans_the_next_check_in(db: Database, cadence: str) -> None:
    pid, _version, _ids = await _setup(db, ngo=1, partner=1)
    async with db.transaction() as session:
        partnership = await session.get(Partnership, pid)
        assert partnership.next_round_at == datetime(2026, 6, 2, 9, tzinfo=UTC)  # quarterly
        await partnerships.set_cadence(session, partnership, cadence, NOW)
    expected = datetime(2026, 4, 2, 9, tzinfo=UTC) if cadence == "monthly" else None
    assert partnership.next_round_at == expected
