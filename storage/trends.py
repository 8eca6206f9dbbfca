"""The same survey's figures across consecutive periods (e.g. quarters), decided by
``storage.disclosure`` period by period, against the record of earlier releases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import disclosure, releases
from storage.disclosure import TOO_FEW, Cell
from storage.models import AnswerRow, Response
from storage.scopes import (
    Period,
    Scope,
    asdict_shallow,
    attributed,
    included_conditions,
    origins,
    respondent,
    scope_conditions,
    shown_conditions,
)
from storage.statuses import AnswerRowStatus, ResponseStatus
from storage.types import utcnow


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
    completed = case((Response.status == ResponseStatus.COMPLETED, 1), else_=0)
    shown = case((started_shown, 1), else_=0)
    unattributed = case((and_(started_shown, ~attributed()), 1), else_=0)
    organisation = case((started_shown, Response.organisation_id), else_=None)
    person = case((started_shown, respondent()), else_=None)
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
            func.count(distinct(respondent())),
        )
        .select_from(AnswerRow)
        .join(Response, Response.id == AnswerRow.response_id)
        .where(*_scored(whole, keys))
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
    sources = await origins(session, scope.survey_id) if release is not None else None
    accepted: list[tuple[str, Cell]] = []
    for (index, key), (mean, count) in sorted(candidates.items()):
        cell = cells.get((index, key), {})
        verdict = disclosure.cell_verdict(
            cell,
            threshold,
            alone=(index, key) in lonely,
            parent=None if parents is None else parents.get((index, key), {}),
            released=earlier.get(key, []),
            origins=sources,
        )
        if verdict is None:  # later periods of this trend are judged against it too
            earlier.setdefault(key, []).append(cell)
            accepted.append((key, cell))
            points[index].means[key] = mean
            points[index].answered[key] = count
    if release is not None:
        await releases.record(session, scope.survey_id, release, accepted, utcnow())
    return points


def _scored(scope: Scope, keys: list[str]) -> list[Any]:
    """The numeric answers a trend's means are made of."""
    return [
        *included_conditions(scope),
        AnswerRow.question_key.in_(keys),
        AnswerRow.status == AnswerRowStatus.ANSWERED,
        AnswerRow.value_num.is_not(None),
    ]


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
            respondent(),
            func.aggregate_strings(AnswerRow.question_key, ","),
            Response.organisation_id,
            case((attributed(), 1), else_=0),
        )
        .select_from(AnswerRow)
        .join(Response, Response.id == AnswerRow.response_id)
        .where(*_scored(scope, keys))
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
