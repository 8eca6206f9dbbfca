"""Responses with their answers, streamed for exports: one response at a time.

An export necessarily reads every answer in scope, so it streams (one query, ordered by
response) rather than loading the lot; memory stays flat however large the survey grows.
The organisation is read only for respondents who agreed to be named (decided in SQL, so it
never reaches the bot for the others).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
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
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.jpat_rules import VIEWABLE_STATUSES
from storage.models import AnswerRow, Contact, JpatRound, Organisation, Partnership, Response
from storage.scopes import STARTED, Period, Scope, included_conditions, included_ids


@dataclass(frozen=True)
class ExportAnswer:
    status: str
    value_num: float | None
    value_text: str | None
    choice_codes: list[str] | None
    voice_duration: int | None
    has_voice: bool


@dataclass
class ExportResponse:
    id: int
    organisation: str | None
    language: str
    status: str
    side: str | None
    invited_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    answers: dict[str, ExportAnswer] = field(default_factory=dict)


async def _rows(session: AsyncSession, statement: Any, batch: int) -> AsyncIterator[Any]:
    result = await session.stream(statement.execution_options(yield_per=batch))
    async for partition in result.partitions(batch):  # one await per batch, not per row
        for row in partition:
            yield row


def _order(salt: int | None) -> ColumnElement[int]:
    """Rows in response order (raw file), or shuffled by a per-file salt: in response order a
    row without an organisation sits between the named rows invited with it."""
    if salt is None:
        return Response.id
    big = cast(Response.id, BigInteger) + literal(salt, BigInteger)
    return (big * literal(2654435761, BigInteger)) % literal(4294967291, BigInteger)


def named_organisations(scope: Scope, threshold: int) -> Any:
    """Organisations with at least ``threshold`` people in the file who agreed to be named:
    a named group smaller than that would be a breakdown too small to show."""
    named = and_(Response.contact_id.is_not(None), Contact.attribution == "attributed")
    return (
        select(Response.organisation_id)
        .join(Contact, Contact.id == Response.contact_id)
        .where(*included_conditions(scope), named)
        .group_by(Response.organisation_id)
        .having(func.count(distinct(Response.contact_id)) >= threshold)
    )


async def stream(
    db: Database,
    scope: Scope,
    batch: int = 2000,
    *,
    threshold: int | None = None,
    salt: int | None = None,
) -> AsyncIterator[ExportResponse]:
    """Responses in scope with their answers, in response order or shuffled by ``salt``.

    With ``threshold`` (the staff file) an organisation is named only where at least that many
    of its people in the file agreed to be named; without it (the admins' raw file), for every
    partner who agreed.

    Two ordered streams on two connections, merged here: the response's own columns are read
    once per response rather than once per answer, which halves the work of a large export.
    """
    agreed = Contact.attribution == "attributed"
    if threshold is not None:
        large = named_organisations(scope, threshold)
        agreed = and_(agreed, Response.organisation_id.in_(large))
    named = case((agreed, Organisation.name), else_=None)
    order = _order(salt)
    responses = (
        select(
            Response.id,
            named,
            Response.language,
            Response.status,
            Response.side,
            Response.invited_at,
            Response.started_at,
            Response.completed_at,
            order,
        )
        .outerjoin(Contact, Contact.id == Response.contact_id)
        .outerjoin(Organisation, Organisation.id == Response.organisation_id)
        .where(*included_conditions(scope))
        .order_by(order, Response.id)
    )
    answers = (
        select(
            AnswerRow.response_id,
            AnswerRow.question_key,
            AnswerRow.status,
            AnswerRow.value_num,
            AnswerRow.value_text,
            AnswerRow.choice_codes,
            AnswerRow.voice_duration,
            AnswerRow.voice_file_id,
            order,
        )
        .join(Response, Response.id == AnswerRow.response_id)
        .where(AnswerRow.response_id.in_(included_ids(scope)))
        .order_by(order, AnswerRow.response_id)
    )
    async with db.sessions() as first, db.sessions() as second:
        answer_rows = _rows(second, answers, batch)
        pending = await anext(answer_rows, None)
        async for row in _rows(first, responses, batch):
            current = ExportResponse(*row[:8])
            here = (row[8], current.id)
            while pending is not None and (pending[8], pending[0]) < here:
                pending = await anext(answer_rows, None)
            while pending is not None and pending[0] == current.id:
                current.answers[pending[1]] = ExportAnswer(
                    status=pending[2],
                    value_num=pending[3],
                    value_text=pending[4],
                    choice_codes=_codes(pending[5]),
                    voice_duration=pending[6],
                    has_voice=pending[7] is not None,
                )
                pending = await anext(answer_rows, None)
            yield current


def _codes(value: Any) -> list[str] | None:
    return [str(c) for c in value] if isinstance(value, list) else None


# ---------------------------------------------------------------------------- J-PAT


@dataclass(frozen=True)
class RoundRow:
    """A J-PAT round that may be seen (closed or later), with its partnership's name only
    when every partner-side member who answered agreed to be named."""

    id: int
    partnership_id: int
    organisation: str | None
    number: int
    status: str
    opened_at: datetime
    closed_at: datetime | None
    consolidated_at: datetime | None
    finalised_at: datetime | None
    dispute_comment: str | None


async def jpat_rounds(session: AsyncSession, period: Period) -> list[RoundRow]:
    unnamed = (
        select(func.count(Response.id))
        .outerjoin(Contact, Contact.id == Response.contact_id)
        .where(
            Response.jpat_round_id == JpatRound.id,
            Response.side == "partner",
            Response.status.in_(STARTED),
            or_(Contact.attribution.is_(None), Contact.attribution != "attributed"),
        )
        .scalar_subquery()
    )
    named = case((unnamed == 0, Organisation.name), else_=None)
    conditions = [JpatRound.status.in_(VIEWABLE_STATUSES)]
    if period.start is not None:
        conditions.append(JpatRound.opened_at >= period.start)
    if period.end is not None:
        conditions.append(JpatRound.opened_at < period.end)
    rows = await session.execute(
        select(
            JpatRound.id,
            JpatRound.partnership_id,
            named,
            JpatRound.number,
            JpatRound.status,
            JpatRound.opened_at,
            JpatRound.closed_at,
            JpatRound.consolidated_at,
            JpatRound.finalised_at,
            JpatRound.dispute_comment,
        )
        .join(Partnership, Partnership.id == JpatRound.partnership_id)
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .where(*conditions)
        .order_by(JpatRound.opened_at, JpatRound.id)
    )
    return [RoundRow(*row) for row in rows.all()]
