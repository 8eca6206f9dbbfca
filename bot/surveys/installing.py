"""Uploaded XLSForms: read, staged as a version, tried, installed. The database side of
``bot.surveys.authoring``; each use case is one transaction.

A form is *staged* as soon as it passes the checks: its definition is stored as a survey
version (not current), so the buttons of the preview can name it by id, a trial runs under it
like any response, and installing it needs no second copy. Installing makes it the version
/send offers, in the same transaction as its audit entry.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.access import Person
from bot.services import Services
from conversations import Survey
from conversations.xlsform import ImportResult, export_xlsform, import_xlsform
from storage import audit, survey_installs
from storage import surveys as store
from storage.models import Response

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

#: Larger than any form staff write by hand (KoBo's own templates are under 100 kB); a bigger
#: upload is refused before it is downloaded.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
#: Surveys with rules of their own outside the definition: edited as files, not uploaded.
BUILT_IN = frozenset({"jpat"})
INSTALL_LOCK = "surveys.install_lock"  # Services.extras: one install at a time here


class Blocker(StrEnum):
    """Why a form that passed the checks cannot be installed (the preview says so)."""

    BUILT_IN = "built_in"
    SAME_VERSION = "same_version"  # this exact definition is the current one
    OLD_VERSION = "old_version"  # the version number is not above the current one


@dataclass(frozen=True)
class Staged:
    survey: Survey
    version_id: int
    blocker: Blocker | None
    current_version: int | None


async def read_upload(data: bytes, filename: str) -> ImportResult:
    """pyxform's checks take a fraction of a second for a real form: off the event loop, so
    partners' answers keep flowing while a form is read."""
    return await asyncio.to_thread(import_xlsform, data, filename)


def blocker(svc: Services, survey: Survey, version_id: int) -> tuple[Blocker | None, int | None]:
    """Whether ``survey`` (staged as ``version_id``) may become current, and the current
    version number of its id if it has one."""
    if survey.id in BUILT_IN:
        return Blocker.BUILT_IN, None
    current = svc.surveys.get(survey.id)
    if current is None:
        return None, None
    current_survey, current_id = current
    if current_id == version_id:
        return Blocker.SAME_VERSION, current_survey.version
    if survey.version <= current_survey.version:
        return Blocker.OLD_VERSION, current_survey.version
    return None, current_survey.version


async def stage(svc: Services, survey: Survey) -> Staged:
    version_id = await svc.surveys.stage(svc.db, survey)
    why, current_version = blocker(svc, survey, version_id)
    return Staged(survey, version_id, why, current_version)


async def install(svc: Services, person: Person, survey: Survey, version_id: int) -> bool:
    """Make the staged version current, audited in the same transaction; False when a version
    as high is installed already (by another staff member, or another bot process, since the
    preview): the database decides, not this process's memory."""
    now = svc.clock.now()
    lock: asyncio.Lock = svc.extras.setdefault(INSTALL_LOCK, asyncio.Lock())
    async with lock, svc.db.transaction() as session:
        latest = await survey_installs.latest_version(session, survey.id)
        if latest is not None and latest >= survey.version:
            return False
        await survey_installs.install(
            session,
            survey_id=survey.id,
            version_id=version_id,
            installed_by=person.contact_id,
            now=now,
        )
        await _audit(session, person, "survey.install", survey, now, version_id=version_id)
    svc.surveys.make_current(survey, version_id)
    return True


async def start_trial(svc: Services, person: Person, survey: Survey, version_id: int) -> Response:
    """A response of the uploader's own, marked as a trial: it never counts in results."""
    assert person.contact is not None
    language = person.lang if person.lang in survey.languages else survey.default_language
    async with svc.db.transaction() as session:
        await store.end_trials(session, person.contact.id)  # one trial at a time
        return await store.create_response(
            session,
            survey_id=survey.id,
            survey_version_id=version_id,
            contact_id=person.contact.id,
            organisation_id=None,
            language=language,
            now=svc.clock.now(),
            trial=True,
        )


async def export(svc: Services, person: Person, survey: Survey) -> bytes:
    """The survey as an XLSForm, audited: staff edit it in Excel and import it again."""
    data = await asyncio.to_thread(export_xlsform, survey)
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        await _audit(session, person, "survey.export", survey, now)
    return data


async def _audit(
    session: AsyncSession,
    person: Person,
    action: str,
    survey: Survey,
    now: datetime,
    **details: object,
) -> None:
    await audit.record(
        session,
        at=now,
        actor_telegram_id=person.user_id,
        actor_contact_id=person.contact_id,
        action=action,
        subject=f"survey:{survey.id}",
        details={"version": survey.version, **details},
    )


async def end_trial(svc: Services, contact_id: int) -> None:
    async with svc.db.transaction() as session:
        await store.end_trials(session, contact_id)
