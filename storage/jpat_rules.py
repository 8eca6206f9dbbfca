"""The J-PAT's rules, with no I/O: which states allow what, when a statement is flagged for the
joint meeting, how the two sides' scores compare, when a reminder is due, what a notice's key
names. Storage and the bot both read them from here; nothing here touches a database or Telegram.

A round moves open → closed → consolidated → final; a dispute by the partner side sends it to
``disputed`` until staff send a revised version.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar

from storage.statuses import JpatRoundStatus

#: The survey definition every J-PAT round is answered with.
JPAT_SURVEY = "jpat"
#: Which rounds' answers may be seen: never while the round is open (the blind phase).
VIEWABLE_STATUSES: tuple[JpatRoundStatus, ...] = (
    JpatRoundStatus.CLOSED,
    JpatRoundStatus.CONSOLIDATED,
    JpatRoundStatus.DISPUTED,
    JpatRoundStatus.FINAL,
)
#: Staff may (re)record the agreed J-PAT in these states.
CONSOLIDATABLE_STATUSES: tuple[JpatRoundStatus, ...] = (
    JpatRoundStatus.CLOSED,
    JpatRoundStatus.CONSOLIDATED,
    JpatRoundStatus.DISPUTED,
)
#: Sides this far apart (difference of their medians) or more are flagged.
FLAG_GAP = 1.5
#: A score this low or lower, by anyone, is flagged.
FLAG_LOW = 2
MAX_NUDGES = 2
NUDGE_EVERY = timedelta(days=3)
OWNERS: tuple[str, ...] = ("ngo", "partner", "both")
#: A partner who has just joined finishes onboarding before an open round invites them.
JOINER_INVITE_DELAY = timedelta(minutes=10)


# ------------------------------------------------------------------------------ scores


def median_from_counts(counts: Sequence[tuple[float, int]]) -> float | None:
    """The median of a distribution given as (value, count) pairs sorted by value."""
    n = sum(count for _value, count in counts)
    if n == 0:
        return None

    def nth(k: int) -> float:  # the k-th smallest value, 1-based
        seen = 0
        for value, count in counts:
            seen += count
            if seen >= k:
                return value
        raise AssertionError("unreachable")

    if n % 2:
        return nth((n + 1) // 2)
    return (nth(n // 2) + nth(n // 2 + 1)) / 2


@dataclass(frozen=True)
class SideFigures:
    counts: tuple[tuple[float, int], ...] = ()

    @property
    def n(self) -> int:
        return sum(count for _value, count in self.counts)

    @property
    def median(self) -> float | None:
        return median_from_counts(self.counts)

    @property
    def lowest(self) -> float | None:
        return self.counts[0][0] if self.counts else None


@dataclass(frozen=True)
class ItemFigures:
    key: str
    ngo: SideFigures = field(default_factory=SideFigures)
    partner: SideFigures = field(default_factory=SideFigures)

    def side(self, side: str) -> SideFigures:
        return self.ngo if side == "ngo" else self.partner

    @property
    def gap(self) -> float | None:
        """How far apart the two sides' medians are (None when a side has no score)."""
        if self.ngo.median is None or self.partner.median is None:
            return None
        return abs(self.ngo.median - self.partner.median)

    @property
    def low(self) -> bool:
        return any(s.lowest is not None and s.lowest <= FLAG_LOW for s in (self.ngo, self.partner))

    @property
    def flagged(self) -> bool:
        """To discuss at the joint meeting: the sides differ by 1.5 or more, or anyone
        rated 2 or lower."""
        return (self.gap is not None and self.gap >= FLAG_GAP) or self.low


def by_gap(items: Sequence[ItemFigures]) -> list[ItemFigures]:
    """Largest gap first; items a side did not rate go last; ties keep the survey order."""
    order = {item.key: i for i, item in enumerate(items)}
    return sorted(items, key=lambda item: (item.gap is None, -(item.gap or 0.0), order[item.key]))


def figures_from_counts(
    rows: Iterable[tuple[str, str, float, int]], keys: Sequence[str]
) -> list[ItemFigures]:
    """(side, key, value, count) rows sorted by value, as ``ItemFigures`` in ``keys`` order."""
    counts: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for side, key, value, count in rows:
        counts.setdefault((side, key), []).append((float(value), int(count)))
    return [
        ItemFigures(
            key=key,
            ngo=SideFigures(tuple(counts.get(("ngo", key), ()))),
            partner=SideFigures(tuple(counts.get(("partner", key), ()))),
        )
        for key in keys
    ]


# ------------------------------------------------------------------------------ the agreed J-PAT


class Recorded(Protocol):
    agreed_score: int | None
    action_text: str | None


def unrecorded(
    keys: Sequence[str], flagged: Collection[str], items: Mapping[str, Recorded]
) -> list[str]:
    """The statements the agreed J-PAT still lacks: a score for each, an action for each
    flagged one. Only a J-PAT without any may go to the partner side."""
    return [
        key
        for key in keys
        if key not in items
        or items[key].agreed_score is None
        or (key in flagged and not items[key].action_text)
    ]


class HasDue(Protocol):
    due: date | None


Action = TypeVar("Action", bound=HasDue)


def overdue_and_upcoming(
    actions: Sequence[Action], today: date
) -> tuple[list[Action], list[Action]]:
    """Open actions past their due date, and the others (those without a date among them)."""
    overdue = [a for a in actions if a.due is not None and a.due < today]
    return overdue, [a for a in actions if a not in overdue]


# ------------------------------------------------------------------------------ timing


def nudge_due(last_push: datetime | None, now: datetime, every: timedelta = NUDGE_EVERY) -> bool:
    """A member who has not submitted gets the next reminder ``every`` after the last push."""
    return last_push is not None and last_push + every <= now


def overdue_round(status: str, deadline: datetime, now: datetime) -> bool:
    """An open round whose deadline has passed: it closes now."""
    return status == JpatRoundStatus.OPEN and deadline <= now


# ------------------------------------------------------------------------------ notice keys


def round_in_key(dedupe_key: str) -> int | None:
    """The round a J-PAT notification is about: its dedupe key is ``<kind>:<round id>:…``."""
    parts = dedupe_key.split(":")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def stamp_in_key(dedupe_key: str) -> int:
    """The sign-off version a ``jpat_sign`` notice asks about (``jpat_sign:<round>:<contact>:
    <stamp>``); 0 when the key names none."""
    parts = dedupe_key.split(":")
    stamp = parts[3] if len(parts) > 3 else ""
    return int(stamp) if stamp.isascii() and stamp.isdigit() else 0
