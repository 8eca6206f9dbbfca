"""The per-question figures of a summary, each a GROUP BY in the database: counts per
status, scale point and option, the mean and range of numbers, their median (a window over
per-value counts) and histogram, multiple-choice options unnested, and a few typed answers.
They run only for the questions ``storage.disclosure`` let through (``storage.summaries``)."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage.disclosure import REMOVED
from storage.models import AnswerRow
from storage.statuses import AnswerRowStatus
from storage.summary_figures import Bucket, QuestionFigures


def answered_rows(ids: Any, keys: list[str]) -> list[ColumnElement[bool]]:
    return [
        AnswerRow.response_id.in_(ids),
        AnswerRow.question_key.in_(keys),
        AnswerRow.status == AnswerRowStatus.ANSWERED,
    ]


async def question_counts(
    session: AsyncSession, ids: Any, by_key: dict[str, QuestionFigures]
) -> None:
    """One pass over the scope's answers: per question and status the count (and voice
    answers); per scale point and per chosen option a count; for numbers mean and range.

    The point and option are computed in a subquery and grouped on outside, because
    PostgreSQL cannot tell that a CASE with bound parameters in SELECT and in GROUP BY is the
    same expression.
    """
    scale_keys = [k for k, q in by_key.items() if q.kind == "scale"]
    choice_keys = [k for k, q in by_key.items() if q.kind == "choice"]
    answered = AnswerRow.status == AnswerRowStatus.ANSWERED
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
        if status == AnswerRowStatus.DONT_KNOW:
            figures.dont_know += count
        elif status == AnswerRowStatus.SKIPPED:
            figures.skipped += count
        elif status == AnswerRowStatus.ANSWERED:
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


async def numbers(
    session: AsyncSession, ids: Any, keys: list[str], shown: dict[str, QuestionFigures]
) -> None:
    """Counts of people, money...: the median by a window over per-value counts, and a
    five-bin histogram with round edges (mean and range came with the counts)."""
    conditions = [*answered_rows(ids, keys), AnswerRow.value_num.is_not(None)]
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
            select(func.count()).where(*answered_rows(ids, [key]), AnswerRow.value_num.is_not(None))
        )
        return [Bucket(edges[0], edges[1], int(count or 0))]
    last = len(edges) - 2
    bucket = case(
        *[(AnswerRow.value_num < edge, i) for i, edge in enumerate(edges[1:-1])], else_=last
    ).label("b")
    rows = await session.execute(
        select(bucket, func.count())
        .where(*answered_rows(ids, [key]), AnswerRow.value_num.is_not(None))
        .group_by(bucket)
    )
    counts = {int(b): int(n) for b, n in rows.all()}
    return [Bucket(edges[i], edges[i + 1], counts.get(i, 0)) for i in range(last + 1)]


async def multi(
    session: AsyncSession, ids: Any, keys: list[str], shown: dict[str, QuestionFigures]
) -> None:
    """Multiple choice keeps a JSON list of codes: unnest it in the database."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    conditions = answered_rows(ids, keys)
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


async def latest_texts(
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
                *answered_rows(ids, [key]),
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
