"""J-PAT storage on SQLite and PostgreSQL: figures computed in SQL against hand-computed
medians, gaps and averages (a side without answers has none), the cadence arithmetic, and the
trend of agreed scores per element across rounds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from storage import jpat_agreed, jpat_figures, jpat_rounds, jpat_rules, partnerships
from storage.db import Database
from tests.jpat_store import DK, ELEMENTS, ITEMS, NOW, _answer, _open, _setup


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
