"""Seeding answers straight into storage, for tests of summaries, exports and report-backs.

Each respondent is a partner contact with an organisation and an attribution choice; their
answers are written with ``storage.surveys.save_answer`` exactly as the survey handler does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage import surveys
from storage.models import Contact, Organisation, OrganisationTag, Response


@dataclass
class Person:
    """One respondent: ``answers`` maps a question key to a value, or to ("dont_know",) /
    ("skipped",). Lists are multiple-choice codes; ("voice", seconds) is a voice answer."""

    org: str
    answers: dict[str, Any] = field(default_factory=dict)
    attributed: bool = True
    status: str = "completed"
    language: str = "en"
    telegram_id: int | None = None
    name: str | None = None


async def organisation(
    session: AsyncSession, name: str, now: datetime, tags: list[str] | None = None
) -> int:
    org = Organisation(name=name, country="KE", created_at=now)
    session.add(org)
    await session.flush()
    for tag in tags or []:
        session.add(OrganisationTag(organisation_id=org.id, tag=tag))
    return org.id


async def version_id(session: AsyncSession, survey_id: str, now: datetime) -> int:
    return await surveys.register_version(
        session,
        survey_id=survey_id,
        version=1,
        fingerprint=f"test-{survey_id}",
        definition={"id": survey_id},
        now=now,
    )


async def seed(
    session: AsyncSession,
    survey_id: str,
    people: list[Person],
    *,
    invited_at: datetime,
    orgs: dict[str, int] | None = None,
    campaign_id: int | None = None,
    survey_version_id: int | None = None,
) -> list[int]:
    """Contacts, responses and answers for ``people``; returns the response ids."""
    orgs = orgs if orgs is not None else {}
    version = survey_version_id or await version_id(session, survey_id, invited_at)
    ids = []
    for person in people:
        if person.org not in orgs:
            orgs[person.org] = await organisation(session, person.org, invited_at)
        contact = Contact(
            telegram_user_id=person.telegram_id,
            display_name=person.name,
            organisation_id=orgs[person.org],
            role="partner",
            language=person.language,
            status="active",
            consent_at=invited_at,
            attribution="attributed" if person.attributed else "aggregate",
            created_at=invited_at,
            updated_at=invited_at,
        )
        session.add(contact)
        await session.flush()
        response = await surveys.create_response(
            session,
            survey_id=survey_id,
            survey_version_id=version,
            contact_id=contact.id,
            organisation_id=contact.organisation_id,
            language=person.language,
            now=invited_at,
            campaign_id=campaign_id,
            status=person.status,
        )
        if person.status != "invited":
            response.started_at = invited_at
        if person.status == "completed":
            response.completed_at = invited_at
        for n, (key, value) in enumerate(person.answers.items()):
            await surveys.save_answer(
                session,
                response_id=response.id,
                key=key,
                now=invited_at.replace(minute=n % 60),
                language=person.language,
                raw_text=None,
                **_columns(value),
            )
        ids.append(response.id)
    return ids


def _columns(value: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "status": "answered",
        "value_num": None,
        "value_text": None,
        "choice_codes": None,
        "voice_file_id": None,
        "voice_duration": None,
    }
    if isinstance(value, tuple) and value and value[0] in ("dont_know", "skipped"):
        row["status"] = value[0]
    elif isinstance(value, tuple) and value and value[0] == "voice":
        row["voice_file_id"], row["voice_duration"] = "voice-file", int(value[1])
    elif isinstance(value, list):
        row["choice_codes"] = list(value)
    elif isinstance(value, bool):
        row["value_text"] = "yes" if value else "no"
    elif isinstance(value, (int, float)):
        row["value_num"] = float(value)
    elif isinstance(value, str) and value.startswith("code:"):
        row["value_text"] = value.removeprefix("code:")
        row["choice_codes"] = [row["value_text"]]
    else:
        row["value_text"] = value
    return row


async def responses_count(session: AsyncSession) -> int:
    from sqlalchemy import func, select

    return int(await session.scalar(select(func.count(Response.id))) or 0)
