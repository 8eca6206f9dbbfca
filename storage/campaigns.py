"""Campaigns: a survey sent to an audience; recipients, nudges and response figures in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deliveries, surveys
from storage.models import Campaign, Contact, Delivery, OrganisationTag, Response
from storage.scopes import STARTED
from storage.statuses import CampaignStatus, ContactStatus, ResponseStatus


def audience_query(kind: str, value: str | None):
    """Partner contacts who agreed to take part, in the chosen audience."""
    query = select(Contact).where(
        Contact.role == "partner",
        Contact.consent_at.is_not(None),
        Contact.telegram_user_id.is_not(None),
    )
    if kind == "organisation" and value is not None:
        query = query.where(Contact.organisation_id == int(value))
    elif kind == "tag" and value is not None:
        tagged = select(OrganisationTag.organisation_id).where(OrganisationTag.tag == value)
        query = query.where(Contact.organisation_id.in_(tagged))
    return query


@dataclass(frozen=True)
class AudienceCount:
    reachable: int
    stopped: int
    blocked: int


async def count_audience(session: AsyncSession, kind: str, value: str | None) -> AudienceCount:
    sub = audience_query(kind, value).subquery()
    row = (
        await session.execute(
            select(
                func.count().filter(sub.c.status == ContactStatus.ACTIVE),
                func.count().filter(sub.c.status == ContactStatus.STOPPED),
                func.count().filter(sub.c.status == ContactStatus.BLOCKED),
            )
        )
    ).one()
    return AudienceCount(reachable=int(row[0]), stopped=int(row[1]), blocked=int(row[2]))


@dataclass(frozen=True)
class Launched:
    campaign: Campaign
    invited: int
    skipped_stopped: int
    skipped_blocked: int


async def launch(
    session: AsyncSession,
    *,
    survey_id: str,
    survey_version_id: int,
    audience_kind: str,
    audience_value: str | None,
    due_at: datetime,
    created_by: int | None,
    now: datetime,
    max_nudges: int = 2,
    nudge_every_days: int = 3,
) -> Launched:
    campaign = Campaign(
        survey_id=survey_id,
        survey_version_id=survey_version_id,
        audience_kind=audience_kind,
        audience_value=audience_value,
        due_at=due_at,
        max_nudges=max_nudges,
        nudge_every_days=nudge_every_days,
        status=CampaignStatus.OPEN,
        created_by=created_by,
        created_at=now,
    )
    session.add(campaign)
    await session.flush()
    invited = stopped = blocked = 0
    for contact in await session.scalars(audience_query(audience_kind, audience_value)):
        if contact.status == ContactStatus.STOPPED:
            stopped += 1
            continue
        if contact.status == ContactStatus.BLOCKED:
            blocked += 1
            continue
        response = await surveys.create_response(
            session,
            survey_id=survey_id,
            survey_version_id=survey_version_id,
            contact_id=contact.id,
            organisation_id=contact.organisation_id,
            language=contact.language,
            now=now,
            campaign_id=campaign.id,
        )
        await deliveries.add(
            session,
            kind="invite",
            contact_id=contact.id,
            due_at=now,
            dedupe_key=f"invite:{response.id}",
            campaign_id=campaign.id,
            response_id=response.id,
        )
        invited += 1
    return Launched(campaign, invited, stopped, blocked)


async def schedule_nudges(session: AsyncSession, now: datetime) -> int:
    """One nudge for each unfinished response whose last push is old enough, within the limit."""
    last_push = func.coalesce(Response.last_nudge_at, Response.invited_at)
    rows = await session.execute(
        select(
            Response.id,
            Response.contact_id,
            Response.nudges_sent,
            Campaign.id,
            Campaign.nudge_every_days,
            last_push,
        )
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(Contact, Contact.id == Response.contact_id)
        .where(
            Contact.status == ContactStatus.ACTIVE,
            Campaign.status == CampaignStatus.OPEN,
            Campaign.due_at > now,
            Response.status.in_(surveys.OPEN_STATUSES),
            Response.nudges_sent < Campaign.max_nudges,
            Response.contact_id.is_not(None),
        )
    )
    added = 0
    for response_id, contact_id, sent, campaign_id, every_days, last in rows.all():
        if last is None or last.tzinfo is None:
            continue
        if last + timedelta(days=every_days) > now:
            continue
        if await deliveries.add(
            session,
            kind="nudge",
            contact_id=contact_id,
            due_at=now,
            dedupe_key=f"nudge:{response_id}:{sent + 1}",
            campaign_id=campaign_id,
            response_id=response_id,
        ):
            added += 1
    return added


async def close_due(session: AsyncSession, now: datetime) -> list[int]:
    ids = list(
        await session.scalars(
            select(Campaign.id).where(
                Campaign.status == CampaignStatus.OPEN, Campaign.due_at <= now
            )
        )
    )
    for campaign_id in ids:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is not None:
            campaign.status = CampaignStatus.CLOSED
            campaign.closed_at = now
        await deliveries.cancel_pending(session, campaign_id=campaign_id, now=now)
    await surveys.close_overdue(session, ids, now)
    return ids


@dataclass(frozen=True)
class CampaignFigures:
    campaign: Campaign
    recipients: int
    sent: int
    started: int
    completed: int

    @property
    def response_rate(self) -> float:
        return self.completed / self.recipients if self.recipients else 0.0


async def figures(session: AsyncSession, limit: int = 10) -> list[CampaignFigures]:
    """Per campaign, counted in SQL: recipients, invitations sent, started, completed."""
    per_response = (
        select(
            Response.campaign_id.label("campaign_id"),
            func.count(Response.id).label("recipients"),
            func.sum(case((Response.status.in_(STARTED), 1), else_=0)).label("started"),
            func.sum(case((Response.status == ResponseStatus.COMPLETED, 1), else_=0)).label(
                "completed"
            ),
        )
        .group_by(Response.campaign_id)
        .subquery()
    )
    from storage.models import Delivery

    sent = (
        select(Delivery.campaign_id.label("campaign_id"), func.count(Delivery.id).label("sent"))
        .where(Delivery.kind == "invite", Delivery.state == "sent")
        .group_by(Delivery.campaign_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Campaign,
            func.coalesce(per_response.c.recipients, 0),
            func.coalesce(sent.c.sent, 0),
            func.coalesce(per_response.c.started, 0),
            func.coalesce(per_response.c.completed, 0),
        )
        .outerjoin(per_response, per_response.c.campaign_id == Campaign.id)
        .outerjoin(sent, sent.c.campaign_id == Campaign.id)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
        .limit(limit)
    )
    return [
        CampaignFigures(c, int(r), int(s), int(st), int(done)) for c, r, s, st, done in rows.all()
    ]


async def of_delivery(
    session: AsyncSession, delivery: Delivery
) -> tuple[Campaign | None, Response | None]:
    """The campaign and the response a push belongs to, where it has them."""
    campaign = await session.get(Campaign, delivery.campaign_id) if delivery.campaign_id else None
    response = (
        await surveys.get_response(session, delivery.response_id) if delivery.response_id else None
    )
    return campaign, response
