"""Survey summaries computed in the database, private by default.

Why SQL: a summary of a year of answers must come back in well under a second on a small VPS
and must never pull a million answer rows into the bot's memory. Every figure here is a
GROUP BY with COUNT / AVG / MIN / MAX (medians come from a window over per-value counts); Python
only arranges the handful of rows that come back.

Privacy is not decided here: this module gathers the sets of people behind each figure and
``storage.disclosure`` decides (the privacy model is written there), against the record of
earlier releases (``storage.releases``). What this module adds is who is in scope:

* Only finished answer sheets count (``disclosure.FINISHED``); started ones only in the
  "started" count.
* A partner who chose "only in totals" (``Contact.attribution == "aggregate"``) is never counted
  in a breakdown by organisation or tag.
* J-PAT answers count only once their round is closed: while it is open each side answers
  without seeing the other's, and a summary must not break that. A round reported back to
  its own members (``for_the_round``) still needs ``threshold`` respondents.

A response belongs to the period in which it was invited (``Response.invited_at``), so a
quarterly survey answered a few days into the next quarter still counts for its own quarter.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage import disclosure, releases
from storage.disclosure import (
    COMPLEMENT,
    FINISHED,
    ONE_ORGANISATION,
    OVERLAP,
    REMOVED,
    TOO_FEW,
    Cell,
)
from storage.jpat import VIEWABLE_STATUSES
from storage.models import (
    AnswerRow,
    Contact,
    JpatRound,
    OrganisationTag,
    Partnership,
    Response,
)
from storage.types import utcnow

STARTED = ("in_progress", "paused", "completed", "partial")
KINDS = ("scale", "number", "choice", "multi", "text", "other")
__all__ = ["COMPLEMENT", "FINISHED", "ONE_ORGANISATION", "OVERLAP", "TOO_FEW"]


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in UTC; ``None`` leaves that side open."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Scope:
    """Which responses a summary is about."""

    survey_id: str
    period: Period = Period()
    audience: str = "all"  # "all" | "organisation" | "tag"
    value: str | None = None  # organisation id or tag
    campaign_id: int | None = None
    jpat_round_id: int | None = None
    side: str | None = None  # J-PAT: "partner" | "ngo"


@dataclass(frozen=True)
class QuestionSpec:
    """A question as the summary sees it: ``kind`` is one of ``KINDS``."""

    key: str
    kind: str


@dataclass
class Bucket:
    """``count`` answers from ``low`` to ``high`` (equal for a scale point)."""

    low: float
    high: float
    count: int


@dataclass
class QuestionFigures:
    key: str
    kind: str
    answered: int = 0
    dont_know: int = 0
    skipped: int = 0
    voice: int = 0
    suppressed: bool = False
    people: int = 0  # distinct people among ``answered`` (one person may answer twice)
    #: Suppressed because every answer comes from one organisation and some of those people
    #: asked to be counted only in totals (a follow-up only one organisation reached).
    alone: bool = False
    #: Why the figures are held back (a ``storage.disclosure`` verdict), None when shown.
    reason: str | None = None
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    distribution: list[Bucket] = field(default_factory=list)
    choices: dict[str, int] = field(default_factory=dict)
    latest: list[str] = field(default_factory=list)

    def share(self, code: str) -> float:
        """Share of the people who answered that chose ``code`` (multiple choice can sum > 1)."""
        return self.choices.get(code, 0) / self.answered if self.answered else 0.0


@dataclass
class Summary:
    survey_id: str
    recipients: int
    started: int
    completed: int
    respondents: int  # started responses counted in the figures
    organisations: int  # distinct organisations among them
    left_out: int  # started responses left out of a breakdown by the partner's own choice
    threshold: int
    suppressed: str | None  # None, TOO_FEW or ONE_ORGANISATION
    questions: list[QuestionFigures] = field(default_factory=list)
    #: Distinct people among ``respondents``: what the privacy threshold counts, since one
    #: partner answering every quarter is still one person.
    people: int = 0

    @property
    def response_rate(self) -> float:
        return self.completed / self.recipients if self.recipients else 0.0

    def question(self, key: str) -> QuestionFigures | None:
        return next((q for q in self.questions if q.key == key), None)


# ---------------------------------------------------------------------------- the filters


def _audience_condition(scope: Scope) -> ColumnElement[bool] | None:
    if scope.audience == "all" or scope.value is None:
        return None
    if scope.audience == "organisation":
        organisations: Any = [int(scope.value)]
    elif scope.audience == "tag":
        organisations = select(OrganisationTag.organisation_id).where(
            OrganisationTag.tag == scope.value
        )
    else:
        raise ValueError(f"unknown audience {scope.audience!r}")
    if scope.survey_id == "jpat":  # the NGO side of a J-PAT round belongs to no partner org
        rounds = (
            select(JpatRound.id)
            .join(Partnership, Partnership.id == JpatRound.partnership_id)
            .where(Partnership.organisation_id.in_(organisations))
        )
        return Response.jpat_round_id.in_(rounds)
    return Response.organisation_id.in_(organisations)


def _attributed() -> ColumnElement[bool]:
    """The respondent agreed to be named, or answered for the NGO side of a J-PAT."""
    named = select(Contact.id).where(Contact.attribution == "attributed")
    # Written so it is never NULL (a NULL would make NOT(...) NULL too and hide a respondent
    # from the count of people who asked to be counted only in totals).
    return or_(
        and_(Response.contact_id.is_not(None), Response.contact_id.in_(named)),
        func.coalesce(Response.side, "") == "ngo",
    )


def scope_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """Every response in scope, whether or not it was started."""
    conditions: list[ColumnElement[bool]] = [Response.survey_id == scope.survey_id]
    if scope.period.start is not None:
        conditions.append(Response.invited_at >= scope.period.start)
    if scope.period.end is not None:
        conditions.append(Response.invited_at < scope.period.end)
    if scope.campaign_id is not None:
        conditions.append(Response.campaign_id == scope.campaign_id)
    if scope.jpat_round_id is not None:
        conditions.append(Response.jpat_round_id == scope.jpat_round_id)
    if scope.side is not None:
        conditions.append(Response.side == scope.side)
    if scope.survey_id == "jpat":  # never while a round is open: each side answers blind
        viewable = select(JpatRound.id).where(JpatRound.status.in_(VIEWABLE_STATUSES))
        conditions.append(Response.jpat_round_id.in_(viewable))
    audience = _audience_condition(scope)
    if audience is not None:
        conditions.append(audience)
    return conditions


def shown_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """What a response in scope needs for its answers to count: it is finished (its answers
    can no longer change), and in a breakdown its respondent agreed to be named."""
    conditions: list[ColumnElement[bool]] = [Response.status.in_(FINISHED)]
    if scope.audience != "all":
        conditions.append(_attributed())
    return conditions


def included_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """Started responses whose answers may be counted for this scope."""
    return [*scope_conditions(scope), *shown_conditions(scope)]


def included_ids(scope: Scope) -> Any:
    return select(Response.id).where(*included_conditions(scope))


# ---------------------------------------------------------------------------- the group


@dataclass(frozen=True)
class Group:
    recipients: int
    started: int
    completed: int
    respondents: int
    organisations: int
    unattributed: int
    people: int  # distinct people among the respondents


def _person() -> ColumnElement[int]:
    """Who answered: the contact, or for a contact since deleted the response itself."""
    return func.coalesce(Response.contact_id, -Response.id)


async def group(session: AsyncSession, scope: Scope) -> Group:
    """Counts for the whole scope and for the respondents whose answers may be shown, in one
    pass over the scope's responses."""
    shown = and_(*shown_conditions(scope))
    started = case((Response.status.in_(STARTED), 1), else_=0)
    completed = case((Response.status == "completed", 1), else_=0)
    row = (
        await session.execute(
            select(
                func.count(Response.id),
                func.coalesce(func.sum(started), 0),
                func.coalesce(func.sum(completed), 0),
                func.coalesce(func.sum(case((shown, 1), else_=0)), 0),
                func.count(distinct(case((shown, Response.organisation_id), else_=None))),
                func.coalesce(func.sum(case((and_(shown, ~_attributed()), 1), else_=0)), 0),
                func.count(distinct(case((shown, _person()), else_=None))),
            ).where(*scope_conditions(scope), *_breakdown_only(scope))
        )
    ).one()
    return Group(*(int(value) for value in row))


def _breakdown_only(scope: Scope) -> list[ColumnElement[bool]]:
    """A breakdown counts (asked, started, completed) only partners who may be named: counts
    that included the others would differ from its figures by them, and say which
    organisation has partners who asked to be counted only in totals."""
    return [] if scope.audience == "all" else [_attributed()]


# ---------------------------------------------------------------------------- the summary


async def summarise(
    session: AsyncSession,
    scope: Scope,
    questions: list[QuestionSpec],
    *,
    threshold: int,
    release: disclosure.Release | None,
    latest: int = 3,
    for_the_round: bool = False,
) -> Summary:
    """All figures of one scope; per-question figures only where ``storage.disclosure`` allows.

    ``release`` names who is releasing what: the sets of people behind the figures shown are
    checked against, then added to, the release record, in ``session``'s transaction (use
    ``releases.releasing``). ``None`` is for tests and benchmarks only: it decides without
    the record.

    ``for_the_round``: the figures go back only to the people asked in this J-PAT round, on
    both sides. The round is theirs (both sides see its comparison anyway) and it is not a
    report to funders, so the "one organisation" rule for partners who asked to be counted
    only in totals does not apply; the threshold of respondents still does.
    """
    if for_the_round and scope.jpat_round_id is None:
        raise ValueError("for_the_round needs a J-PAT round scope")
    counts = await group(session, scope)
    unattributed = 0 if for_the_round else counts.unattributed
    reason = disclosure.group_verdict(counts.people, counts.organisations, unattributed, threshold)
    summary = Summary(
        survey_id=scope.survey_id,
        recipients=counts.recipients,
        started=counts.started,
        completed=counts.completed,
        respondents=counts.respondents,
        organisations=counts.organisations,
        left_out=counts.started - counts.respondents,
        threshold=threshold,
        suppressed=reason,
        questions=[QuestionFigures(q.key, q.kind) for q in questions if q.kind in KINDS],
        people=counts.people,
    )
    if reason is not None or not summary.questions:
        for figures in summary.questions:
            figures.suppressed, figures.reason = True, reason
        return summary
    ids = included_ids(scope)
    by_key = {q.key: q for q in summary.questions}
    await _counts(session, ids, by_key)
    one_organisation = await _answerers(session, ids, by_key)
    lonely: list[str] = []
    if unattributed and one_organisation:
        lonely = await _with_unnamed(session, ids, one_organisation)
    candidates = [k for k, q in by_key.items() if q.people >= threshold and k not in lonely]
    cells = await people_sets(session, ids, candidates)
    parents = None
    if scope.audience != "all" and candidates:
        whole = Scope(**{**asdict_shallow(scope), "audience": "all", "value": None})
        parents = await people_sets(session, included_ids(whole), candidates)
    earlier = await releases.released(session, scope.survey_id, candidates) if release else None
    verdicts: dict[str, str | None] = {
        key: TOO_FEW if figures.people < threshold else ONE_ORGANISATION
        for key, figures in by_key.items()
        if key not in candidates
    }
    verdicts |= disclosure.decide(cells, threshold, parents=parents, released=earlier)
    for key, figures in by_key.items():
        figures.reason = verdicts[key]
        figures.alone = figures.reason == ONE_ORGANISATION
        figures.suppressed = figures.reason is not None
        if figures.suppressed:  # counted, never shown
            figures.mean = figures.median = figures.minimum = figures.maximum = None
            figures.distribution, figures.choices = [], {}
    shown = {k: q for k, q in by_key.items() if not q.suppressed}
    if release is not None:
        await releases.record(
            session, scope.survey_id, release, [(k, cells[k]) for k in shown], utcnow()
        )

    def keys(*kinds: str) -> list[str]:
        return [k for k, q in shown.items() if q.kind in kinds]

    if keys("number"):
        await _numbers(session, ids, keys("number"), shown)
    if keys("multi"):
        await _multi(session, ids, keys("multi"), shown)
    if keys("text") and latest > 0:
        await _latest_texts(session, ids, keys("text"), latest, shown)
    return summary


async def people_sets(session: AsyncSession, ids: Any, keys: list[str]) -> dict[str, Cell]:
    """Per question, the answer sheets (and whose) that would be in its figures: what
    disclosure control judges. One row per answer sheet with the keys it answered, joined in
    the database (a row per answer would be many times more rows to carry over)."""
    found: dict[str, dict[int, int]] = {key: {} for key in keys}
    if not keys:
        return {}
    rows = await session.execute(
        select(Response.id, _person(), func.aggregate_strings(AnswerRow.question_key, ","))
        .join(Response, Response.id == AnswerRow.response_id)
        # Every sheet with a row for the question, "don't know" and skipped too: their
        # counts are shown beside the figures, so they are part of what is released.
        .where(AnswerRow.response_id.in_(ids), AnswerRow.question_key.in_(keys))
        .group_by(Response.id)
    )
    for response, person, answered in rows.all():
        for key in str(answered).split(","):
            found[key][int(response)] = int(person)
    return found


def _answered(ids: Any, keys: list[str]) -> list[ColumnElement[bool]]:
    return [
        AnswerRow.response_id.in_(ids),
        AnswerRow.question_key.in_(keys),
        AnswerRow.status == "answered",
    ]


async def _counts(session: AsyncSession, ids: Any, by_key: dict[str, QuestionFigures]) -> None:
    """One pass over the scope's answers: per question and status the count (and voice
    answers); per scale point and per chosen option a count; for numbers mean and range.

    The point and option are computed in a subquery and grouped on outside, because
    PostgreSQL cannot tell that a CASE with bound parameters in SELECT and in GROUP BY is the
    same expression.
    """
    scale_keys = [k for k, q in by_key.items() if q.kind == "scale"]
    choice_keys = [k for k, q in by_key.items() if q.kind == "choice"]
    answered = AnswerRow.status == "answered"
    rows = (
        select(
            AnswerRow.question_key.label("key"),
            AnswerRow.status.label("status"),
            case(
                (and_(answered, AnswerRow.question_key.in_(scale_keys)), AnswerRow.value_num),
                else_=None,
            ).label("point"),
            case(
                (and_(answered, AnswerRow.question_key.in_(choice_keys)), AnswerRow.value_text),
                else_=None,
            ).label("code"),
            AnswerRow.value_num.label("value"),
            AnswerRow.voice_file_id.label("voice"),
        )
        .where(AnswerRow.response_id.in_(ids), AnswerRow.question_key.in_(list(by_key)))
        .subquery()
    )
    result = await session.execute(
        select(
            rows.c.key,
            rows.c.status,
            rows.c.point,
            rows.c.code,
            func.count(),
            func.count(rows.c.voice),
            func.avg(rows.c.value),
            func.min(rows.c.value),
            func.max(rows.c.value),
        ).group_by(rows.c.key, rows.c.status, rows.c.point, rows.c.code)
    )
    points: dict[str, list[tuple[float, int]]] = {}
    for key, status, point, code, count, voice, mean, low, high in result.all():
        figures, count = by_key[key], int(count)
        if status == "dont_know":
            figures.dont_know += count
        elif status == "skipped":
            figures.skipped += count
        elif status == "answered":
            figures.answered += count
            figures.voice += int(voice)
            if point is not None:
                points.setdefault(key, []).append((float(point), count))
            elif code is not None:
                figures.choices[str(code)] = figures.choices.get(str(code), 0) + count
            elif figures.kind == "number" and mean is not None:
                figures.mean, figures.minimum, figures.maximum = (
                    float(mean),
                    float(low),
                    float(high),
                )
    for key, counts in points.items():
        figures = by_key[key]
        counts.sort()
        total = sum(n for _v, n in counts)
        figures.mean = sum(v * n for v, n in counts) / total
        figures.median = median_of_counts(counts)
        figures.minimum, figures.maximum = counts[0][0], counts[-1][0]
        figures.distribution = [Bucket(v, v, n) for v, n in counts]


async def _answerers(
    session: AsyncSession, ids: Any, by_key: dict[str, QuestionFigures]
) -> list[str]:
    """Per question, how many distinct people gave an answer (the threshold counts people);
    returns the questions whose answers all come from one organisation."""
    result = await session.execute(
        select(
            AnswerRow.question_key,
            func.count(distinct(_person())),
            func.count(distinct(Response.organisation_id)),
        )
        .join(Response, Response.id == AnswerRow.response_id)
        .where(*_answered(ids, list(by_key)))
        .group_by(AnswerRow.question_key)
    )
    one_organisation = []
    for key, people, organisations in result.all():
        by_key[key].people = int(people)
        if int(organisations) < 2:
            one_organisation.append(key)
    return one_organisation


async def _with_unnamed(session: AsyncSession, ids: Any, keys: list[str]) -> list[str]:
    """Of these questions, those answered by someone who asked to be counted only in totals
    (a second look only where one organisation answered, usually none)."""
    result = await session.scalars(
        select(AnswerRow.question_key)
        .join(Response, Response.id == AnswerRow.response_id)
        .where(*_answered(ids, keys), ~_attributed())
        .distinct()
    )
    return list(result)


def median_of_counts(counts: list[tuple[float, int]]) -> float | None:
    """The median from (value, how many) pairs sorted by value."""
    total = sum(n for _v, n in counts)
    if total == 0:
        return None
    low_rank, high_rank = (total + 1) // 2, total // 2 + 1
    low = high = None
    seen = 0
    for value, n in counts:
        seen += n
        if low is None and seen >= low_rank:
            low = value
        if seen >= high_rank:
            high = value
            break
    assert low is not None and high is not None
    return (low + high) / 2


async def _numbers(
    session: AsyncSession, ids: Any, keys: list[str], shown: dict[str, QuestionFigures]
) -> None:
    """Counts of people, money...: the median by a window over per-value counts, and a
    five-bin histogram with round edges (mean and range came with the counts)."""
    conditions = [*_answered(ids, keys), AnswerRow.value_num.is_not(None)]
    per_value = (
        select(
            AnswerRow.question_key.label("k"),
            AnswerRow.value_num.label("v"),
            func.count().label("n"),
        )
        .where(*conditions)
        .group_by(AnswerRow.question_key, AnswerRow.value_num)
        .subquery()
    )
    running = (
        select(
            per_value.c.k,
            per_value.c.v,
            func.sum(per_value.c.n)
            .over(partition_by=per_value.c.k, order_by=per_value.c.v)
            .label("cum"),
            func.sum(per_value.c.n).over(partition_by=per_value.c.k).label("tot"),
        )
    ).subquery()
    medians = await session.execute(
        select(
            running.c.k,
            func.min(case((2 * running.c.cum >= running.c.tot, running.c.v))),
            func.min(case((2 * running.c.cum > running.c.tot, running.c.v))),
        ).group_by(running.c.k)
    )
    for key, low, high in medians.all():
        if low is not None and high is not None:
            shown[key].median = (float(low) + float(high)) / 2
    for key in keys:
        figures = shown[key]
        if figures.minimum is None or figures.maximum is None:
            continue
        edges = bin_edges(figures.minimum, figures.maximum)
        figures.distribution = await _histogram(session, ids, key, edges)


def bin_edges(low: float, high: float, bins: int = 5) -> list[float]:
    """Round edges (1, 2 or 5 times a power of ten) covering ``[low, high]``."""
    if high <= low:
        return [low, high]
    raw = (high - low) / bins
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    edges = [start]
    while edges[-1] <= high:
        edges.append(edges[-1] + step)
    return edges


async def _histogram(session: AsyncSession, ids: Any, key: str, edges: list[float]) -> list[Bucket]:
    if len(edges) == 2 and edges[0] == edges[1]:
        count = await session.scalar(
            select(func.count()).where(*_answered(ids, [key]), AnswerRow.value_num.is_not(None))
        )
        return [Bucket(edges[0], edges[1], int(count or 0))]
    last = len(edges) - 2
    bucket = case(
        *[(AnswerRow.value_num < edge, i) for i, edge in enumerate(edges[1:-1])], else_=last
    ).label("b")
    rows = await session.execute(
        select(bucket, func.count())
        .where(*_answered(ids, [key]), AnswerRow.value_num.is_not(None))
        .group_by(bucket)
    )
    counts = {int(b): int(n) for b, n in rows.all()}
    return [Bucket(edges[i], edges[i + 1], counts.get(i, 0)) for i in range(last + 1)]


async def _multi(
    session: AsyncSession, ids: Any, keys: list[str], shown: dict[str, QuestionFigures]
) -> None:
    """Multiple choice keeps a JSON list of codes: unnest it in the database."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    conditions = _answered(ids, keys)
    if dialect == "postgresql":
        codes = func.json_array_elements_text(AnswerRow.choice_codes).table_valued("value")
        conditions.append(func.json_typeof(AnswerRow.choice_codes) == "array")
    else:
        codes = func.json_each(AnswerRow.choice_codes).table_valued("value")
    rows = await session.execute(
        select(AnswerRow.question_key, codes.c.value, func.count())
        .select_from(AnswerRow)
        .join(codes, true())
        .where(*conditions)
        .group_by(AnswerRow.question_key, codes.c.value)
    )
    for key, code, count in rows.all():
        if code is not None:
            shown[key].choices[str(code)] = int(count)


async def _latest_texts(
    session: AsyncSession,
    ids: Any,
    keys: list[str],
    limit: int,
    shown: dict[str, QuestionFigures],
) -> None:
    """A few typed answers of each text question, in an order that says nothing about when
    they were given (the newest would be whoever just left /pending): one small top-N query
    per question."""
    for key in keys:
        rows = await session.scalars(
            select(AnswerRow.value_text)
            .where(
                *_answered(ids, [key]),
                AnswerRow.value_text.is_not(None),
                AnswerRow.value_text != REMOVED,  # erased by /forget: nothing to quote
            )
            # Not the newest: their order would match who just left /pending.
            .order_by(
                (cast(AnswerRow.id, BigInteger) * literal(2654435761, BigInteger))
                % literal(4294967291, BigInteger)
            )
            .limit(limit)
        )
        shown[key].latest = [str(text) for text in rows]


# ---------------------------------------------------------------------------- trends


@dataclass
class TrendPoint:
    """One period of a trend: who answered, and the mean of each question if shown."""

    period: Period
    recipients: int = 0
    completed: int = 0
    respondents: int = 0
    suppressed: str | None = TOO_FEW
    means: dict[str, float] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)

    @property
    def response_rate(self) -> float:
        return self.completed / self.recipients if self.recipients else 0.0


async def trend(
    session: AsyncSession,
    scope: Scope,
    periods: list[Period],
    keys: list[str],
    *,
    threshold: int,
    release: disclosure.Release | None,
) -> list[TrendPoint]:
    """The same figures across consecutive periods (e.g. quarters), in two GROUP BY queries.

    ``scope.period`` is ignored; each period is judged on its own like a summary, and each
    period's mean of a question is a cell that ``storage.disclosure`` decides (``release``
    as for ``summarise``).
    """
    points = [TrendPoint(period=p) for p in periods]
    if not periods:
        return points
    whole = Scope(**{**asdict_shallow(scope), "period": Period(periods[0].start, periods[-1].end)})
    bucket = case(
        *[
            (and_(Response.invited_at >= p.start, Response.invited_at < p.end), i)
            for i, p in enumerate(periods)
        ],
        else_=-1,
    ).label("bucket")
    started_shown = and_(*shown_conditions(whole))
    completed = case((Response.status == "completed", 1), else_=0)
    shown = case((started_shown, 1), else_=0)
    unattributed = case((and_(started_shown, ~_attributed()), 1), else_=0)
    organisation = case((started_shown, Response.organisation_id), else_=None)
    person = case((started_shown, _person()), else_=None)
    rows = await session.execute(
        select(
            bucket,
            func.count(Response.id),
            func.sum(completed),
            func.sum(shown),
            func.count(distinct(organisation)),
            func.sum(unattributed),
            func.count(distinct(person)),
        )
        .where(*scope_conditions(whole))
        .group_by(bucket)
    )
    for index, recipients, done, respondents, orgs, unnamed, people in rows.all():
        if index is None or int(index) < 0:
            continue
        point = points[int(index)]
        point.recipients, point.completed = int(recipients), int(done or 0)
        point.respondents = int(respondents or 0)
        point.suppressed = disclosure.group_verdict(
            int(people or 0), int(orgs or 0), int(unnamed or 0), threshold
        )
    if not keys:
        return points
    means = await session.execute(
        select(
            bucket,
            AnswerRow.question_key,
            func.count(),
            func.avg(AnswerRow.value_num),
            func.count(distinct(_person())),
        )
        .select_from(AnswerRow)
        .join(Response, Response.id == AnswerRow.response_id)
        .where(
            *included_conditions(whole),
            AnswerRow.question_key.in_(keys),
            AnswerRow.status == "answered",
            AnswerRow.value_num.is_not(None),
        )
        .group_by(bucket, AnswerRow.question_key)
    )
    candidates: dict[tuple[int, str], tuple[float, int]] = {}
    for index, key, count, mean, people in means.all():
        if index is None or int(index) < 0:
            continue
        if points[int(index)].suppressed is None and int(people) >= threshold:
            candidates[(int(index), key)] = (float(mean), int(count))
    if not candidates:
        return points
    cells, lonely = await _bucket_cells(session, whole, bucket, keys)
    parents = None
    if scope.audience != "all":
        parent = Scope(**{**asdict_shallow(whole), "audience": "all", "value": None})
        parents, _lonely = await _bucket_cells(session, parent, bucket, keys)
    earlier = await releases.released(session, scope.survey_id, keys) if release else {}
    accepted: list[tuple[str, Cell]] = []
    for (index, key), (mean, count) in sorted(candidates.items()):
        cell = cells.get((index, key), {})
        verdict = disclosure.cell_verdict(
            cell,
            threshold,
            alone=(index, key) in lonely,
            parent=None if parents is None else parents.get((index, key), {}),
            released=earlier.get(key, []),
        )
        if verdict is None:  # later periods of this trend are judged against it too
            earlier.setdefault(key, []).append(cell)
            accepted.append((key, cell))
            points[index].means[key] = mean
            points[index].answered[key] = count
    if release is not None:
        await releases.record(session, scope.survey_id, release, accepted, utcnow())
    return points


async def _bucket_cells(
    session: AsyncSession, scope: Scope, bucket: Any, keys: list[str]
) -> tuple[dict[tuple[int, str], Cell], set[tuple[int, str]]]:
    """Per period and question, the answer sheets (and whose) behind a trend's mean; one row
    per answer sheet, as in ``people_sets``. Also the cells whose answers all come from one
    organisation with a partner who asked to be counted only in totals (rule 2, per cell)."""
    rows = await session.execute(
        select(
            bucket,
            Response.id,
            _person(),
            func.aggregate_strings(AnswerRow.question_key, ","),
            Response.organisation_id,
            case((_attributed(), 1), else_=0),
        )
        .select_from(AnswerRow)
        .join(Response, Response.id == AnswerRow.response_id)
        .where(
            *included_conditions(scope),
            AnswerRow.question_key.in_(keys),
            AnswerRow.status == "answered",
            AnswerRow.value_num.is_not(None),
        )
        .group_by(Response.id)
    )
    found: dict[tuple[int, str], dict[int, int]] = {}
    organisations: dict[tuple[int, str], set[int | None]] = {}
    unnamed: set[tuple[int, str]] = set()
    for index, response, person, answered, organisation, named in rows.all():
        if index is None or int(index) < 0:
            continue
        for key in str(answered).split(","):
            where = (int(index), key)
            found.setdefault(where, {})[int(response)] = int(person)
            organisations.setdefault(where, set()).add(organisation)
            if not named:
                unnamed.add(where)
    lonely = {where for where in unnamed if len(organisations[where]) < 2}
    return found, lonely


def asdict_shallow(scope: Scope) -> dict[str, Any]:
    return {name: getattr(scope, name) for name in scope.__dataclass_fields__}


# ---------------------------------------------------------------------------- snapshots


def to_json(summary: Summary) -> dict[str, Any]:
    """A summary as plain JSON, for a report-back's frozen copy of what partners were told."""
    return asdict(summary)


def from_json(data: dict[str, Any]) -> Summary:
    questions = [
        QuestionFigures(
            **{
                **q,
                "distribution": [Bucket(**b) for b in q.get("distribution", [])],
            }
        )
        for q in data.get("questions", [])
    ]
    return Summary(**{**data, "questions": questions})
