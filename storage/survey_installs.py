"""Surveys installed from the chat: which stored version of an id is the one to send.

A survey file in ``conversations/surveys/`` is current because it is there; an XLSForm a
staff member uploaded and installed is current because of a row here. Both end up as rows of
``survey_versions`` (the exact definition answers are given under), so old answers stay
readable under their version whichever way a survey came in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SurveyInstall, SurveyVersion


@dataclass(frozen=True)
class Installed:
    survey_id: str
    version_id: int
    version: int
    definition: dict[str, Any]
    installed_at: datetime


async def install(
    session: AsyncSession,
    *,
    survey_id: str,
    version_id: int,
    installed_by: int | None,
    now: datetime,
) -> None:
    session.add(
        SurveyInstall(
            survey_id=survey_id,
            survey_version_id=version_id,
            installed_by=installed_by,
            installed_at=now,
        )
    )
    await session.flush()


async def latest_id(session: AsyncSession) -> int:
    """The newest install's id (0 for none): another process installed a survey when it moves."""
    return int(await session.scalar(select(func.coalesce(func.max(SurveyInstall.id), 0))) or 0)


async def latest_version(session: AsyncSession, survey_id: str) -> int | None:
    """The highest version of ``survey_id`` ever installed from the chat."""
    found = await session.scalar(
        select(func.max(SurveyVersion.version))
        .join(SurveyInstall, SurveyInstall.survey_version_id == SurveyVersion.id)
        .where(SurveyInstall.survey_id == survey_id)
    )
    return int(found) if found is not None else None


async def current(session: AsyncSession) -> list[Installed]:
    """The latest install of every survey id."""
    latest = (
        select(func.max(SurveyInstall.id).label("id")).group_by(SurveyInstall.survey_id).subquery()
    )
    rows = await session.execute(
        select(
            SurveyInstall.survey_id,
            SurveyVersion.id,
            SurveyVersion.version,
            SurveyVersion.definition,
            SurveyInstall.installed_at,
        )
        .join(latest, latest.c.id == SurveyInstall.id)
        .join(SurveyVersion, SurveyVersion.id == SurveyInstall.survey_version_id)
        .order_by(SurveyInstall.survey_id)
    )
    return [
        Installed(str(sid), int(vid), int(version), definition, at)
        for sid, vid, version, definition, at in rows.all()
    ]


async def for_check(session: AsyncSession) -> list[tuple[str, dict[str, Any]]]:
    """The current installed definitions, each with the label ``surveys check`` shows."""
    return [
        (
            f"database: {item.survey_id} version {item.version} "
            f"(installed {item.installed_at:%Y-%m-%d})",
            item.definition,
        )
        for item in await current(session)
    ]
