"""Partner organisations with country and tags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contact, Organisation, OrganisationTag


def normalise_tags(raw: str) -> list[str]:
    tags = []
    for part in raw.replace(";", ",").replace("،", ",").replace("؛", ",").split(","):
        tag = " ".join(part.strip().lower().split())[:64]
        if tag and tag not in tags:
            tags.append(tag)
    return tags


async def create(
    session: AsyncSession, *, name: str, country: str | None, tags: list[str], now: datetime
) -> Organisation:
    org = Organisation(name=name.strip()[:200], country=country, created_at=now)
    session.add(org)
    await session.flush()
    for tag in tags:
        session.add(OrganisationTag(organisation_id=org.id, tag=tag))
    return org


async def get(session: AsyncSession, organisation_id: int) -> Organisation | None:
    return await session.get(Organisation, organisation_id)


async def tags_of(session: AsyncSession, organisation_id: int) -> list[str]:
    result = await session.scalars(
        select(OrganisationTag.tag)
        .where(OrganisationTag.organisation_id == organisation_id)
        .order_by(OrganisationTag.tag)
    )
    return list(result)


async def listing(session: AsyncSession, limit: int = 20) -> list[tuple[Organisation, int]]:
    """Organisations with their number of partner contacts, most recent first."""
    members = (
        select(Contact.organisation_id, func.count(Contact.id).label("n"))
        .where(Contact.role == "partner", Contact.forgotten_at.is_(None))
        .group_by(Contact.organisation_id)
        .subquery()
    )
    rows = await session.execute(
        select(Organisation, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.organisation_id == Organisation.id)
        .order_by(Organisation.created_at.desc(), Organisation.id.desc())
        .limit(limit)
    )
    return [(org, int(n)) for org, n in rows.all()]


async def all_tags(session: AsyncSession, limit: int = 20) -> list[str]:
    result = await session.scalars(
        select(OrganisationTag.tag).distinct().order_by(OrganisationTag.tag).limit(limit)
    )
    return list(result)
