"""Report-backs: what staff told the partners who were asked, and what partners replied.

Each recipient gets a ``deliveries`` row of kind ``reportback``, so the push goes through the
one send path with its claim-once, quiet hours, pacing and 403 handling like every other push.
The delivery names the report-back in its dedupe key (``reportback:<id>:<contact>``), which
also proves later that a partner pressing a reaction button was one of the people asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deliveries
from storage.jpat_rules import JPAT_SURVEY, VIEWABLE_STATUSES
from storage.models import (
    Campaign,
    Contact,
    Delivery,
    JpatRound,
    Organisation,
    Partnership,
    ReportBack,
    ReportBackReply,
    Response,
)
from storage.statuses import CampaignStatus, ContactStatus

KIND = "reportback"
REACTIONS = ("up", "down")


def dedupe_key(report_back_id: int, contact_id: int) -> str:
    return f"{KIND}:{report_back_id}:{contact_id}"


def report_back_id_of(delivery_key: str) -> int | None:
    parts = delivery_key.split(":")
    if len(parts) == 3 and parts[0] == KIND and parts[1].isdigit():
        return int(parts[1])
    return None


async def closed_campaigns(session: AsyncSession, limit: int = 8) -> list[Campaign]:
    result = await session.scalars(
        select(Campaign)
        .where(Campaign.status == CampaignStatus.CLOSED)
        .order_by(Campaign.closed_at.desc(), Campaign.id.desc())
        .limit(limit)
    )
    return list(result)


async def closed_rounds(session: AsyncSession, limit: int = 8) -> list[tuple[JpatRound, str]]:
    """J-PAT rounds whose answers may be seen (closed, consolidated, disputed or final), each
    with the partner organisation's name."""
    result = await session.execute(
        select(JpatRound, Organisation.name)
        .join(Partnership, Partnership.id == JpatRound.partnership_id)
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .where(JpatRound.status.in_(VIEWABLE_STATUSES))
        .order_by(JpatRound.closed_at.desc(), JpatRound.id.desc())
        .limit(limit)
    )
    return [(round_, name) for round_, name in result.all()]


def _asked(source: Campaign | JpatRound) -> Any:
    """Contacts who were sent the campaign (or invited to the round, both sides) and can
    still be reached."""
    asked = (
        Response.jpat_round_id == source.id
        if isinstance(source, JpatRound)
        else Response.campaign_id == source.id
    )
    return (
        select(Contact.id)
        .join(Response, Response.contact_id == Contact.id)
        .where(asked, Contact.status == ContactStatus.ACTIVE, Contact.telegram_user_id.is_not(None))
        .distinct()
    )


async def count_asked(session: AsyncSession, source: Campaign | JpatRound) -> int:
    sub = _asked(source).subquery()
    return int(await session.scalar(select(func.count()).select_from(sub)) or 0)


async def create(
    session: AsyncSession,
    *,
    source: Campaign | JpatRound,
    figures: dict[str, Any],
    note: str | None,
    note_language: str | None,
    created_by: int | None,
    now: datetime,
) -> ReportBack:
    """Store the report-back and queue one push for every person who was asked."""
    is_round = isinstance(source, JpatRound)
    report = ReportBack(
        campaign_id=None if is_round else source.id,
        jpat_round_id=source.id if is_round else None,
        survey_id=JPAT_SURVEY if is_round else source.survey_id,
        survey_version_id=source.survey_version_id,
        note=note,
        note_language=note_language if note else None,
        figures=figures,
        recipients=0,
        created_by=created_by,
        created_at=now,
    )
    session.add(report)
    await session.flush()
    contact_ids = list(await session.scalars(_asked(source)))
    for contact_id in contact_ids:
        await deliveries.add(
            session,
            kind=KIND,
            contact_id=contact_id,
            due_at=now,
            dedupe_key=dedupe_key(report.id, contact_id),
        )
    report.recipients = len(contact_ids)
    return report


async def get(session: AsyncSession, report_back_id: int) -> ReportBack | None:
    return await session.get(ReportBack, report_back_id)


async def was_sent_to(session: AsyncSession, report_back_id: int, contact_id: int) -> bool:
    found = await session.scalar(
        select(Delivery.id).where(Delivery.dedupe_key == dedupe_key(report_back_id, contact_id))
    )
    return found is not None


async def react(
    session: AsyncSession, report_back_id: int, contact_id: int, value: str, now: datetime
) -> None:
    """One reaction per person and report-back: pressing again replaces it."""
    row = await session.scalar(
        select(ReportBackReply).where(
            ReportBackReply.report_back_id == report_back_id,
            ReportBackReply.contact_id == contact_id,
            ReportBackReply.kind == "reaction",
        )
    )
    if row is None:
        row = ReportBackReply(report_back_id=report_back_id, contact_id=contact_id, kind="reaction")
        session.add(row)
    row.value, row.at = value, now


async def comment(
    session: AsyncSession, report_back_id: int, contact_id: int, text: str, now: datetime
) -> None:
    session.add(
        ReportBackReply(
            report_back_id=report_back_id,
            contact_id=contact_id,
            kind="comment",
            text=text,  # the handler refuses what is over the one free-text limit
            at=now,
        )
    )


@dataclass(frozen=True)
class Comment:
    text: str
    at: datetime
    organisation: str | None  # only for partners who agreed to be named


@dataclass(frozen=True)
class Replies:
    report: ReportBack
    reactions: dict[str, int]
    comments: list[Comment]


async def replies(session: AsyncSession, limit: int = 5, comments: int = 5) -> list[Replies]:
    """The newest report-backs with their reaction counts and latest comments."""
    reports = list(
        await session.scalars(
            select(ReportBack)
            .order_by(ReportBack.created_at.desc(), ReportBack.id.desc())
            .limit(limit)
        )
    )
    found = []
    for report in reports:
        counts = await session.execute(
            select(ReportBackReply.value, func.count())
            .where(ReportBackReply.report_back_id == report.id, ReportBackReply.kind == "reaction")
            .group_by(ReportBackReply.value)
        )
        named = Organisation.name.label("org")
        rows = await session.execute(
            select(ReportBackReply.text, ReportBackReply.at, Contact.attribution, named)
            .outerjoin(Contact, Contact.id == ReportBackReply.contact_id)
            .outerjoin(Organisation, Organisation.id == Contact.organisation_id)
            .where(ReportBackReply.report_back_id == report.id, ReportBackReply.kind == "comment")
            .order_by(ReportBackReply.at.desc(), ReportBackReply.id.desc())
            .limit(comments)
        )
        found.append(
            Replies(
                report=report,
                reactions={str(v): int(n) for v, n in counts.all()},
                comments=[
                    Comment(text or "", at, org if attribution == "attributed" else None)
                    for text, at, attribution, org in rows.all()
                ],
            )
        )
    return found
