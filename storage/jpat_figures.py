"""The J-PAT's figures, read in SQL: both sides' scores per statement, the averages per
element, the typed answers, the agreed items, the agreed scores across rounds, open actions.

Per item and side the distribution of scores is counted (``GROUP BY value``), from which the
median is read off (``storage.jpat_rules``) without loading a single answer row; "don't know" is
stored but never counted. Only completed submissions count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.jpat_rules import ItemFigures, figures_from_counts
from storage.models import AnswerRow, JpatItem, JpatRound, Response
from storage.statuses import AnswerRowStatus, JpatRoundStatus, ResponseStatus


def _scored(round_id: int, keys: Sequence[str]):
    """Answers that count: numeric, answered (not "don't know"), from completed submissions."""
    return (
        Response.jpat_round_id == round_id,
        Response.status == ResponseStatus.COMPLETED,
        AnswerRow.status == AnswerRowStatus.ANSWERED,
        AnswerRow.value_num.is_not(None),
        AnswerRow.question_key.in_(list(keys)),
    )


async def comparison(
    session: AsyncSession, round_id: int, item_keys: Sequence[str]
) -> list[ItemFigures]:
    """Per item (in ``item_keys`` order) each side's score distribution, counted in SQL."""
    rows = await session.execute(
        select(Response.side, AnswerRow.question_key, AnswerRow.value_num, func.count())
        .join(Response, Response.id == AnswerRow.response_id)
        .where(*_scored(round_id, item_keys))
        .group_by(Response.side, AnswerRow.question_key, AnswerRow.value_num)
        .order_by(Response.side, AnswerRow.question_key, AnswerRow.value_num)
    )
    return figures_from_counts(rows.all(), item_keys)


def _element_of(elements: Mapping[str, str]):
    return case(dict(elements), value=AnswerRow.question_key)


@dataclass(frozen=True)
class Average:
    value: float
    n: int


async def element_averages(
    session: AsyncSession, round_id: int, elements: Mapping[str, str]
) -> dict[tuple[str, str], Average]:
    """(side, element) → the mean of every rating given to the element's items, in SQL."""
    # The element is computed in a subquery and grouped on outside: PostgreSQL cannot tell
    # that a CASE with bound parameters in SELECT and in GROUP BY is the same expression.
    scored = (
        select(
            Response.side.label("side"),
            _element_of(elements).label("element"),
            AnswerRow.value_num.label("value"),
        )
        .join(Response, Response.id == AnswerRow.response_id)
        .where(*_scored(round_id, list(elements)))
        .subquery()
    )
    rows = await session.execute(
        select(scored.c.side, scored.c.element, func.avg(scored.c.value), func.count()).group_by(
            scored.c.side, scored.c.element
        )
    )
    return {(side, elem): Average(float(avg), int(n)) for side, elem, avg, n in rows.all() if n}


@dataclass(frozen=True)
class OpenAnswer:
    side: str
    key: str
    text: str | None
    voice_duration: int | None


async def open_answers(
    session: AsyncSession, round_id: int, keys: Sequence[str]
) -> list[OpenAnswer]:
    """The typed (or spoken) answers of completed submissions, side by side, unattributed."""
    rows = await session.execute(
        select(
            Response.side,
            AnswerRow.question_key,
            AnswerRow.value_text,
            AnswerRow.voice_file_id,
            AnswerRow.voice_duration,
        )
        .join(Response, Response.id == AnswerRow.response_id)
        .where(
            Response.jpat_round_id == round_id,
            Response.status == ResponseStatus.COMPLETED,
            AnswerRow.status == AnswerRowStatus.ANSWERED,
            AnswerRow.question_key.in_(list(keys)),
        )
        .order_by(Response.side, AnswerRow.question_key, AnswerRow.id)
    )
    found = []
    for side, key, text, voice, duration in rows.all():
        if text or voice:
            found.append(OpenAnswer(side, key, text, duration if voice else None))
    return found


async def items(session: AsyncSession, round_id: int) -> dict[str, JpatItem]:
    result = await session.scalars(select(JpatItem).where(JpatItem.round_id == round_id))
    return {item.item_key: item for item in result}


@dataclass(frozen=True)
class TrendPoint:
    number: int
    element: str
    average: float


async def agreed_trend(
    session: AsyncSession, partnership_id: int, elements: Mapping[str, str]
) -> list[TrendPoint]:
    """Per final round and element, the mean agreed score, in SQL."""
    agreed = (
        select(
            JpatRound.number.label("number"),
            case(dict(elements), value=JpatItem.item_key).label("element"),
            JpatItem.agreed_score.label("score"),
        )
        .join(JpatRound, JpatRound.id == JpatItem.round_id)
        .where(
            JpatRound.partnership_id == partnership_id,
            JpatRound.status == JpatRoundStatus.FINAL,
            JpatItem.agreed_score.is_not(None),
            JpatItem.item_key.in_(list(elements)),
        )
        .subquery()
    )
    rows = await session.execute(
        select(agreed.c.number, agreed.c.element, func.avg(agreed.c.score))
        .group_by(agreed.c.number, agreed.c.element)
        .order_by(agreed.c.number, agreed.c.element)
    )
    return [TrendPoint(int(n), elem, float(avg)) for n, elem, avg in rows.all()]


@dataclass(frozen=True)
class OpenAction:
    round_id: int
    round_number: int
    key: str
    text: str
    owner: str | None
    due: date | None


async def open_actions(session: AsyncSession, partnership_id: int) -> list[OpenAction]:
    """Agreed actions of final rounds not marked done, soonest due first."""
    rows = await session.execute(
        select(JpatItem, JpatRound.number)
        .join(JpatRound, JpatRound.id == JpatItem.round_id)
        .where(
            JpatRound.partnership_id == partnership_id,
            JpatRound.status == JpatRoundStatus.FINAL,
            JpatItem.action_text.is_not(None),
            JpatItem.action_done_at.is_(None),
        )
        .order_by(JpatItem.action_due, JpatRound.number, JpatItem.item_key)
    )
    return [
        OpenAction(
            item.round_id,
            int(number),
            item.item_key,
            item.action_text or "",
            item.action_owner,
            item.action_due,
        )
        for item, number in rows.all()
    ]
