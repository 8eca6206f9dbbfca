"""Who has not finished a campaign or a J-PAT round yet, and nudging them now.

A nudge is a ``deliveries`` row like the scheduled ones (same kind and dedupe key), so a staff
member's "nudge now" and the automatic nudge can never both go out, the dispatcher still holds
it back during the partner's quiet hours, and the per-response nudge limit still applies.
Campaign nudges are counted when sent (``bot.dispatch``); J-PAT nudges when scheduled
(``storage.jpat_rounds.schedule_nudges``) — each kind keeps its own convention here.

A person who used /forget is left out of /pending altogether: not listed, and not in the
"completed" or "total" counts either. Listing the others while still counting them would make
their row deducible (a completed row nobody listed is theirs). Left out entirely, the figures
after they leave are the same whether they had finished or not, so the list reveals nothing
about what they did. Their answers still count in summaries, where the threshold protects them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deliveries
from storage.contacts import forgotten_ids
from storage.jpat_rules import MAX_NUDGES as JPAT_MAX_NUDGES
from storage.models import Campaign, Contact, JpatRound, Organisation, Partnership, Response
from storage.statuses import CampaignStatus, ContactStatus, JpatRoundStatus, ResponseStatus
from storage.surveys import OPEN_STATUSES


@dataclass(frozen=True)
class Target:
    """A campaign (``kind == "campaign"``) or a J-PAT round (``"round"``)."""

    kind: str
    id: int

    def condition(self) -> ColumnElement[bool]:
        """This target's responses, without those of people who asked to be forgotten."""
        of_target = (
            Response.campaign_id == self.id
            if self.kind == "campaign"
            else Response.jpat_round_id == self.id
        )
        not_forgotten = or_(
            Response.contact_id.is_(None), Response.contact_id.not_in(forgotten_ids())
        )
        return and_(of_target, not_forgotten)


@dataclass(frozen=True)
class Waiting:
    response_id: int
    name: str | None
    organisation: str | None
    status: str  # invited | in_progress | paused
    nudges_sent: int
    reachable: bool  # the contact still takes messages (not stopped, blocked or forgotten)


@dataclass(frozen=True)
class Progress:
    total: int
    completed: int
    waiting: list[Waiting]


async def progress(session: AsyncSession, target: Target) -> Progress:
    """Totals counted in SQL; the list of people still waiting, by organisation."""
    done = case((Response.status == ResponseStatus.COMPLETED, 1), else_=0)
    total, completed = (
        await session.execute(
            select(func.count(Response.id), func.coalesce(func.sum(done), 0)).where(
                target.condition()
            )
        )
    ).one()
    rows = await session.execute(
        select(
            Response.id,
            Contact.display_name,
            Organisation.name,
            Response.status,
            Response.nudges_sent,
            Contact.status,
            Contact.telegram_user_id,
        )
        .outerjoin(Contact, Contact.id == Response.contact_id)
        .outerjoin(Organisation, Organisation.id == Response.organisation_id)
        .where(target.condition(), Response.status.in_(OPEN_STATUSES))
        .order_by(Organisation.name, Contact.display_name, Response.id)
    )
    waiting = [
        Waiting(
            response_id=rid,
            name=name,
            organisation=org,
            status=status,
            nudges_sent=int(sent or 0),
            reachable=contact_status == ContactStatus.ACTIVE and telegram_id is not None,
        )
        for rid, name, org, status, sent, contact_status, telegram_id in rows.all()
    ]
    return Progress(int(total), int(completed), waiting)


@dataclass(frozen=True)
class Nudged:
    queued: int
    at_limit: int
    unreachable: int
    limit: int


async def nudge_limit(session: AsyncSession, target: Target) -> int:
    if target.kind == "campaign":
        campaign = await session.get(Campaign, target.id)
        return campaign.max_nudges if campaign is not None else 0
    return JPAT_MAX_NUDGES


async def is_open(session: AsyncSession, target: Target, now: datetime) -> bool:
    """Nudging makes sense only while answers are still taken."""
    if target.kind == "campaign":
        campaign = await session.get(Campaign, target.id)
        return (
            campaign is not None
            and campaign.status == CampaignStatus.OPEN
            and campaign.due_at > now
        )
    jpat_round = await session.get(JpatRound, target.id)
    return (
        jpat_round is not None
        and jpat_round.status == JpatRoundStatus.OPEN
        and jpat_round.deadline > now
    )


async def nudge_now(session: AsyncSession, target: Target, now: datetime) -> Nudged:
    """Queue one nudge for everyone still waiting who may get one."""
    limit = await nudge_limit(session, target)
    campaign_id = target.id if target.kind == "campaign" else None
    queued = at_limit = unreachable = 0
    for person in (await progress(session, target)).waiting:
        if not person.reachable:
            unreachable += 1
            continue
        if person.nudges_sent >= limit:
            at_limit += 1
            continue
        contact_id = await session.scalar(
            select(Response.contact_id).where(Response.id == person.response_id)
        )
        if contact_id is None:
            unreachable += 1
            continue
        kind = "nudge" if target.kind == "campaign" else "jpat_nudge"
        added = await deliveries.add(
            session,
            kind=kind,
            contact_id=contact_id,
            due_at=now,
            dedupe_key=f"{kind}:{person.response_id}:{person.nudges_sent + 1}",
            campaign_id=campaign_id,
            response_id=person.response_id,
        )
        if added and target.kind == "round":
            await session.execute(
                update(Response)
                .where(Response.id == person.response_id)
                .values(nudges_sent=person.nudges_sent + 1, last_nudge_at=now)
            )
        queued += 1
    return Nudged(queued=queued, at_limit=at_limit, unreachable=unreachable, limit=limit)


@dataclass(frozen=True)
class Choice:
    """Something with people still answering, for the staff member's list."""

    target: Target
    survey_id: str
    label: str | None  # the partnership's organisation for a J-PAT round
    number: int | None
    due_at: datetime


async def open_targets(session: AsyncSession, limit: int = 10) -> list[Choice]:
    """Open campaigns and open J-PAT rounds, newest first."""
    campaigns = await session.execute(
        select(Campaign.id, Campaign.survey_id, Campaign.due_at)
        .where(Campaign.status == CampaignStatus.OPEN)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
        .limit(limit)
    )
    found = [
        Choice(Target("campaign", cid), survey, None, None, due)
        for cid, survey, due in campaigns.all()
    ]
    rounds = await session.execute(
        select(JpatRound.id, JpatRound.number, JpatRound.deadline, Organisation.name)
        .join(Partnership, Partnership.id == JpatRound.partnership_id)
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .where(JpatRound.status == JpatRoundStatus.OPEN)
        .order_by(JpatRound.opened_at.desc(), JpatRound.id.desc())
        .limit(limit)
    )
    found += [
        Choice(Target("round", rid), "jpat", org, number, deadline)
        for rid, number, deadline, org in rounds.all()
    ]
    return found
