"""The J-PAT's pure rules (``storage.jpat_rules``): flags, gaps, medians, ordering, what is
still unrecorded, overdue actions, reminder timing and the keys of notices. No database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from storage import jpat_rules as rules
from storage.jpat_rules import ItemFigures, SideFigures

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def item(key: str, ngo: dict[float, int], partner: dict[float, int]) -> ItemFigures:
    return ItemFigures(
        key, SideFigures(tuple(sorted(ngo.items()))), SideFigures(tuple(sorted(partner.items())))
    )


def test_median_from_counts() -> None:
    assert rules.median_from_counts([]) is None
    assert rules.median_from_counts([(4.0, 1)]) == 4
    assert rules.median_from_counts([(1.0, 1), (4.0, 1)]) == 2.5
    assert rules.median_from_counts([(1.0, 2), (5.0, 1)]) == 1
    assert rules.median_from_counts([(2.0, 1), (3.0, 2), (5.0, 1)]) == 3


def test_a_gap_of_one_and_a_half_is_flagged_and_one_is_not() -> None:
    far = item("e1a", {5.0: 2}, {3.0: 1, 4.0: 1})  # 5 against 3.5
    near = item("e1b", {4.0: 2}, {3.0: 2})
    assert far.gap == 1.5 and far.flagged
    assert near.gap == 1 and not near.flagged


def test_any_score_of_two_or_lower_is_flagged_whatever_the_gap() -> None:
    low = item("e2a", {2.0: 1, 4.0: 3}, {4.0: 2})
    assert low.gap == 0 and low.low and low.flagged
    three = item("e2b", {3.0: 1, 4.0: 3}, {4.0: 2})
    assert not three.low and not three.flagged


def test_a_side_without_scores_has_no_gap() -> None:
    one_sided = item("e3a", {4.0: 2}, {})
    assert one_sided.partner.n == 0 and one_sided.partner.median is None
    assert one_sided.gap is None and not one_sided.flagged
    assert one_sided.side("ngo").n == 2


def test_by_gap_puts_the_largest_first_and_unrated_last_keeping_survey_order() -> None:
    figures = [
        item("a", {4.0: 1}, {4.0: 1}),
        item("b", {5.0: 1}, {}),
        item("c", {5.0: 1}, {2.0: 1}),
        item("d", {4.0: 1}, {3.0: 1}),
        item("e", {3.0: 1}, {2.0: 1}),
    ]
    assert [f.key for f in rules.by_gap(figures)] == ["c", "d", "e", "a", "b"]


def test_figures_from_counts_keeps_the_keys_order_and_both_sides() -> None:
    rows = [("ngo", "e1a", 4, 2), ("ngo", "e1a", 5, 1), ("partner", "e1b", 2, 1)]
    found = rules.figures_from_counts(rows, ["e1b", "e1a", "e9z"])
    assert [f.key for f in found] == ["e1b", "e1a", "e9z"]
    assert found[1].ngo.counts == ((4.0, 2), (5.0, 1)) and found[1].partner.n == 0
    assert found[0].partner.median == 2 and found[0].flagged
    assert found[2] == ItemFigures("e9z")


@dataclass
class Recorded:
    agreed_score: int | None
    action_text: str | None = None


def test_unrecorded_needs_a_score_everywhere_and_an_action_where_flagged() -> None:
    items = {
        "a": Recorded(3),
        "b": Recorded(None),
        "c": Recorded(2, ""),
        "d": Recorded(1, "Meet monthly"),
    }
    assert rules.unrecorded(["a", "b", "c", "d", "e"], {"c", "d"}, items) == ["b", "c", "e"]
    assert rules.unrecorded(["a", "d"], {"d"}, items) == []


@dataclass
class Action:
    due: date | None


def test_overdue_actions_are_those_past_their_due_date() -> None:
    today = date(2025, 3, 10)
    late, due_today, undated = Action(date(2025, 3, 9)), Action(today), Action(None)
    overdue, upcoming = rules.overdue_and_upcoming([late, due_today, undated], today)
    assert overdue == [late]
    assert upcoming == [due_today, undated]


def test_a_reminder_is_due_every_three_days_after_the_last_push() -> None:
    assert rules.NUDGE_EVERY == timedelta(days=3)
    assert not rules.nudge_due(None, NOW)
    assert not rules.nudge_due(NOW - timedelta(days=3) + timedelta(seconds=1), NOW)
    assert rules.nudge_due(NOW - timedelta(days=3), NOW)
    assert rules.nudge_due(NOW - timedelta(days=1), NOW, every=timedelta(days=1))


def test_an_open_round_is_overdue_from_its_deadline_on() -> None:
    assert rules.overdue_round("open", NOW, NOW)
    assert not rules.overdue_round("open", NOW + timedelta(minutes=1), NOW)
    assert not rules.overdue_round("closed", NOW - timedelta(days=1), NOW)


def test_statuses_keep_the_blind_phase() -> None:
    assert "open" not in rules.VIEWABLE_STATUSES
    assert "final" in rules.VIEWABLE_STATUSES
    assert "final" not in rules.CONSOLIDATABLE_STATUSES
    assert set(rules.CONSOLIDATABLE_STATUSES) < set(rules.VIEWABLE_STATUSES)


def test_notice_keys_name_their_round_and_version() -> None:
    assert rules.round_in_key("jpat_closed:12:7") == 12
    assert rules.round_in_key("jpat_invite") is None
    assert rules.round_in_key("jpat_closed:x:7") is None
    assert rules.stamp_in_key("jpat_sign:12:7:40") == 40
    assert rules.stamp_in_key("jpat_sign:12:7") == 0
    assert rules.stamp_in_key("jpat_sign:12:7:²") == 0
