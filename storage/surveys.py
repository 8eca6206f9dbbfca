"""Responses and answers: each answer is written the moment it is given.

The engine (``conversations``) works on plain data; these functions turn rows into that data
and back, so the bot can rebuild a survey's progress after a restart from the database alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import AnswerRow, Response, SurveyVersion
from storage.statements import insert_module, per_dialect
from storage.statuses import ResponseStatus

#: Responses still waiting for the partner; "paused" (after /cancel) is resumed from /surveys.
OPEN_STATUSES: tuple[ResponseStatus, ...] = (
    ResponseStatus.INVITED,
    ResponseStatus.IN_PROGRESS,
    ResponseStatus.PAUSED,
)


async def register_version(
    session: AsyncSession,
    *,
    survey_id: str,
    version: int,
    fingerprint: str,
    definition: dict[str, Any],
    now: datetime,
) -> int:
    """The id of this exact definition, stored once; a changed file gets a new row."""
    existing = await session.scalar(
        select(SurveyVersion.id).where(SurveyVersion.fingerprint == fingerprint)
    )
    if existing is not None:
        return int(existing)
    row = SurveyVersion(
        survey_id=survey_id,
        version=version,
        fingerprint=fingerprint,
        definition=definition,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row.id


async def version_definition(session: AsyncSession, version_id: int) -> dict[str, Any] | None:
    return await session.scalar(
        select(SurveyVersion.definition).where(SurveyVersion.id == version_id)
    )


async def all_versions(session: AsyncSession) -> list[tuple[int, dict[str, Any]]]:
    rows = await session.execute(select(SurveyVersion.id, SurveyVersion.definition))
    return [(int(i), d) for i, d in rows.all()]


@dataclass(frozen=True)
class StoredAnswer:
    key: str
    status: str
    value_num: float | None
    value_text: str | None
    choice_codes: list[str] | None
    raw_text: str | None
    voice_file_id: str | None
    voice_duration: int | None


async def create_response(
    session: AsyncSession,
    *,
    survey_id: str,
    survey_version_id: int,
    contact_id: int,
    organisation_id: int | None,
    language: str,
    now: datetime,
    campaign_id: int | None = None,
    status: str = ResponseStatus.INVITED,
    trial: bool = False,
) -> Response:
    response = Response(
        trial=trial,
        survey_id=survey_id,
        survey_version_id=survey_version_id,
        campaign_id=campaign_id,
        contact_id=contact_id,
        organisation_id=organisation_id,
        status=status,
        language=language,
        pending_toggles=[],
        refusals=0,
        nudges_sent=0,
        invited_at=now,
        updated_at=now,
    )
    session.add(response)
    await session.flush()
    return response


async def get_response(session: AsyncSession, response_id: int) -> Response | None:
    return await session.get(Response, response_id)


async def open_responses(session: AsyncSession, contact_id: int) -> list[Response]:
    """Surveys waiting for this contact: started ones first, then the newest invitations."""
    return list(await session.scalars(_OPEN_RESPONSES, {"contact_id": contact_id}))


_OPEN_RESPONSES = (
    select(Response)
    .where(Response.contact_id == bindparam("contact_id"), Response.status.in_(OPEN_STATUSES))
    .order_by(
        (Response.status == ResponseStatus.IN_PROGRESS).desc(),
        Response.updated_at.desc(),
        Response.id.desc(),
    )
)


async def recently_active(
    session: AsyncSession, since: datetime, *, thanked: str
) -> list[Response]:
    """Responses in progress and updated since ``since``, and those completed since then
    whose ``asked_key`` is not ``thanked`` (the caller's mark for a thank-you sent)."""
    result = await session.scalars(
        select(Response)
        .where(
            Response.updated_at >= since,
            (Response.status == ResponseStatus.IN_PROGRESS)
            | (
                (Response.status == ResponseStatus.COMPLETED)
                & ((Response.asked_key.is_(None)) | (Response.asked_key != thanked))
            ),
        )
        .order_by(Response.id)
    )
    return list(result)


async def answers_of(session: AsyncSession, response_id: int) -> list[StoredAnswer]:
    rows = await session.execute(_ANSWERS_OF, {"response_id": response_id})
    return [StoredAnswer(*row) for row in rows]


# Plain rows from the table (read on every answer): no ORM objects are built only to be copied.
_ANSWERS = AnswerRow.__table__
_ANSWERS_OF = (
    select(
        _ANSWERS.c.question_key,
        _ANSWERS.c.status,
        _ANSWERS.c.value_num,
        _ANSWERS.c.value_text,
        _ANSWERS.c.choice_codes,
        _ANSWERS.c.raw_text,
        _ANSWERS.c.voice_file_id,
        _ANSWERS.c.voice_duration,
    )
    .where(_ANSWERS.c.response_id == bindparam("response_id"))
    .order_by(_ANSWERS.c.seq, _ANSWERS.c.id)
)


async def save_answer(
    session: AsyncSession,
    *,
    response_id: int,
    key: str,
    status: str,
    value_num: float | None,
    value_text: str | None,
    choice_codes: list[str] | None,
    raw_text: str | None,
    voice_file_id: str | None,
    voice_duration: int | None,
    language: str,
    now: datetime,
) -> None:
    """Insert or replace the answer to one question (Back then re-answer replaces it).

    One statement, built once: this runs for every answer of every partner, so it must stay
    cheap.
    """
    await session.execute(
        _save_answer(session),
        {
            "response_id": response_id,
            "question_key": key,
            "status": status,
            "value_num": value_num,
            "value_text": value_text,
            "choice_codes": choice_codes,
            "raw_text": raw_text,
            "voice_file_id": voice_file_id,
            "voice_duration": voice_duration,
            "language": language,
            "answered_at": now,
            "response_id_of_seq": response_id,
        },
    )


def _build_save_answer(dialect: str) -> Any:
    columns = (
        "response_id",
        "question_key",
        "status",
        "value_num",
        "value_text",
        "choice_codes",
        "raw_text",
        "voice_file_id",
        "voice_duration",
        "language",
        "answered_at",
    )
    # The table, not the mapped class: a plain INSERT skips the ORM's bulk-insert machinery,
    # which cost more than the statement itself on every answer.
    table = AnswerRow.__table__
    next_seq = (
        select(func.coalesce(func.max(table.c.seq), 0) + 1)
        .where(table.c.response_id == bindparam("response_id_of_seq"))
        .scalar_subquery()
    )
    values: dict[str, Any] = {name: bindparam(name) for name in columns}
    values["seq"] = next_seq
    statement = insert_module(dialect).insert(table).values(**values)
    return statement.on_conflict_do_update(
        index_elements=[table.c.response_id, table.c.question_key],
        set_={
            name: statement.excluded[name]
            for name in values
            if name not in ("response_id", "question_key")
        },
    )


_save_answer = per_dialect(_build_save_answer)


async def update_response(session: AsyncSession, response_id: int, **values: Any) -> None:
    """Change a response's columns in one UPDATE (no load first).

    It runs for every answer, so it is a plain table UPDATE built once per set of columns:
    an ORM ``update(Response)`` rebuilt each call spent more on its cache key and on finding
    the loaded objects to change than the database did on the row. A response this session
    has loaded gets the new values here, as the ORM's own update would have done.
    """
    names = tuple(sorted(values))
    params = {f"new_{name}": value for name, value in values.items()}
    await session.execute(_update_response(names), {"of_response": response_id, **params})
    loaded = session.identity_map.get(session.identity_key(Response, (response_id,)))
    if loaded is not None:
        for name, value in values.items():
            set_committed_value(loaded, name, value)


@cache
def _update_response(names: tuple[str, ...]) -> Any:
    table = Response.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("of_response"))
        .values({name: bindparam(f"new_{name}") for name in names})
    )


async def delete_answers(session: AsyncSession, response_id: int, keys: list[str]) -> None:
    if keys:
        await session.execute(
            delete(AnswerRow).where(
                AnswerRow.response_id == response_id, AnswerRow.question_key.in_(keys)
            )
        )


async def close_overdue(session: AsyncSession, campaign_ids: list[int], now: datetime) -> int:
    """Unfinished responses of campaigns past their due date become ``partial`` (or
    ``expired`` when nothing was answered)."""
    if not campaign_ids:
        return 0
    started = await session.execute(
        update(Response)
        .where(
            Response.campaign_id.in_(campaign_ids),
            Response.status.in_((ResponseStatus.IN_PROGRESS, ResponseStatus.PAUSED)),
        )
        .values(status=ResponseStatus.PARTIAL, updated_at=now)
    )
    untouched = await session.execute(
        update(Response)
        .where(Response.campaign_id.in_(campaign_ids), Response.status == ResponseStatus.INVITED)
        .values(status=ResponseStatus.EXPIRED, updated_at=now)
    )
    return int(started.rowcount or 0) + int(untouched.rowcount or 0)


async def responses_of(session: AsyncSession, contact_id: int) -> list[Response]:
    """Every response a contact has, oldest first (for /mydata)."""
    result = await session.scalars(
        select(Response).where(Response.contact_id == contact_id).order_by(Response.id)
    )
    return list(result)


async def end_trials(session: AsyncSession, contact_id: int) -> int:
    """Close this person's unfinished trials: a trial is never waiting in /surveys."""
    result = await session.execute(
        update(Response)
        .where(
            Response.contact_id == contact_id,
            Response.trial.is_(True),
            Response.status.in_(OPEN_STATUSES),
        )
        .values(status=ResponseStatus.EXPIRED)
    )
    return int(result.rowcount or 0)
