"""Partnerships: the NGO and one partner organisation, the people on each side, and the J-PAT
interval they agreed.

The partner side is the organisation's onboarded partner contacts (refreshed whenever a round
opens, so a colleague who joins later is invited too); the NGO side is the staff who created
the partnership plus the colleagues they add.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.contacts import forgotten_ids
from storage.models import Contact, JpatRound, Organisation, Partnership, PartnershipMember
from storage.statuses import JpatRoundStatus

STAGES: tuple[str, ...] = ("inception", "ongoing", "closing")
CADENCE_MONTHS: dict[str, int | None] = {
    "monthly": 1,
    "quarterly": 3,
    "biannual": 6,
    "annual": 12,
    "none": None,
}
CADENCES: tuple[str, ...] = tuple(CADENCE_MONTHS)
SIDES: tuple[str, ...] = ("ngo", "partner")
#: Contacts who can be on the NGO side (an admin's own contact has the role "admin").
STAFF_ROLES: tuple[str, ...] = ("staff", "admin")
#: Rounds that are still on their way to a final, signed J-PAT: no new round opens meanwhile.
ACTIVE_ROUND_STATUSES: tuple[JpatRoundStatus, ...] = (
    JpatRoundStatus.OPEN,
    JpatRoundStatus.CLOSED,
    JpatRoundStatus.CONSOLIDATED,
    JpatRoundStatus.DISPUTED,
)


# ------------------------------------------------------------------------------ cadence


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the 31st becomes the month's last day)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def next_round_after(moment: datetime, cadence: str) -> datetime | None:
    """When the next check-in is due, one agreed interval after ``moment`` (None: no cadence)."""
    months = CADENCE_MONTHS.get(cadence)
    return add_months(moment, months) if months else None


def first_round_at(start_date: date | None, cadence: str, now: datetime) -> datetime | None:
    """One interval after the partnership starts (or after now, if it started already).

    The start date is a day in the staff member's calendar, so it is anchored at the start of
    that day, not at the current time of day in UTC (which, east of UTC after midnight, is
    still the day before and would push the check-in a day late).
    """
    anchor = now
    if start_date is not None:
        started = datetime.combine(start_date, time.min, tzinfo=UTC)
        anchor = max(started, now)
    return next_round_after(anchor, cadence)


# ------------------------------------------------------------------------------ partnerships


async def create(
    session: AsyncSession,
    *,
    organisation_id: int,
    start_date: date | None,
    stage: str,
    cadence: str,
    created_by: int | None,
    now: datetime,
) -> Partnership:
    organisation = await session.get(Organisation, organisation_id)
    partnership = Partnership(
        organisation_id=organisation_id,
        name=organisation.name if organisation is not None else None,
        start_date=start_date,
        stage=stage,
        cadence=cadence,
        next_round_at=first_round_at(start_date, cadence, now),
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    session.add(partnership)
    await session.flush()
    if created_by is not None:
        await add_member(session, partnership.id, created_by, "ngo")
    await sync_partner_side(session, partnership.id)
    return partnership


async def get(session: AsyncSession, partnership_id: int) -> Partnership | None:
    return await session.get(Partnership, partnership_id)


@dataclass(frozen=True)
class PartnershipRow:
    partnership: Partnership
    organisation: str
    ngo_members: int
    partner_members: int


async def listing(session: AsyncSession, limit: int = 30) -> list[PartnershipRow]:
    """Partnerships with their organisation's name and the size of each side, newest first."""
    sizes = (
        select(
            PartnershipMember.partnership_id.label("pid"),
            func.count().filter(PartnershipMember.side == "ngo").label("ngo"),
            func.count().filter(PartnershipMember.side == "partner").label("partner"),
        )
        .where(PartnershipMember.contact_id.not_in(forgotten_ids()))
        .group_by(PartnershipMember.partnership_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Partnership,
            Organisation.name,
            func.coalesce(sizes.c.ngo, 0),
            func.coalesce(sizes.c.partner, 0),
        )
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .outerjoin(sizes, sizes.c.pid == Partnership.id)
        .order_by(Partnership.created_at.desc(), Partnership.id.desc())
        .limit(limit)
    )
    return [PartnershipRow(p, name, int(ngo), int(partner)) for p, name, ngo, partner in rows.all()]


async def of_contact(session: AsyncSession, contact_id: int) -> list[tuple[Partnership, str]]:
    """The partnerships a person belongs to, with their side."""
    rows = await session.execute(
        select(Partnership, PartnershipMember.side)
        .join(PartnershipMember, PartnershipMember.partnership_id == Partnership.id)
        .where(PartnershipMember.contact_id == contact_id)
        .order_by(Partnership.id)
    )
    return [(p, side) for p, side in rows.all()]


async def members(
    session: AsyncSession, partnership_id: int, side: str | None = None
) -> list[tuple[Contact, str]]:
    query = (
        select(Contact, PartnershipMember.side)
        .join(PartnershipMember, PartnershipMember.contact_id == Contact.id)
        .where(
            PartnershipMember.partnership_id == partnership_id,
            Contact.forgotten_at.is_(None),  # /forget takes them off; older rows are skipped
        )
        .order_by(PartnershipMember.side, Contact.id)
    )
    if side is not None:
        query = query.where(PartnershipMember.side == side)
    rows = await session.execute(query)
    return [(c, s) for c, s in rows.all()]


async def side_of(session: AsyncSession, partnership_id: int, contact_id: int | None) -> str | None:
    if contact_id is None:
        return None
    return await session.scalar(
        select(PartnershipMember.side).where(
            PartnershipMember.partnership_id == partnership_id,
            PartnershipMember.contact_id == contact_id,
        )
    )


async def add_member(
    session: AsyncSession, partnership_id: int, contact_id: int, side: str
) -> bool:
    """Add someone to a side; False if they already belong to the partnership."""
    if await side_of(session, partnership_id, contact_id) is not None:
        return False
    session.add(PartnershipMember(partnership_id=partnership_id, contact_id=contact_id, side=side))
    await session.flush()
    return True


async def remove_member(session: AsyncSession, partnership_id: int, contact_id: int) -> bool:
    result = await session.execute(
        delete(PartnershipMember).where(
            PartnershipMember.partnership_id == partnership_id,
            PartnershipMember.contact_id == contact_id,
        )
    )
    return bool(result.rowcount)


async def sync_partner_side(session: AsyncSession, partnership_id: int) -> int:
    """Add the organisation's onboarded partner contacts who are not members yet."""
    partnership = await session.get(Partnership, partnership_id)
    if partnership is None:
        return 0
    already = select(PartnershipMember.contact_id).where(
        PartnershipMember.partnership_id == partnership_id
    )
    ids = list(
        await session.scalars(
            select(Contact.id).where(
                Contact.organisation_id == partnership.organisation_id,
                Contact.role == "partner",
                Contact.consent_at.is_not(None),
                Contact.telegram_user_id.is_not(None),
                Contact.forgotten_at.is_(None),
                Contact.id.not_in(already),
            )
        )
    )
    for contact_id in ids:
        session.add(
            PartnershipMember(partnership_id=partnership_id, contact_id=contact_id, side="partner")
        )
    await session.flush()
    return len(ids)


async def side_sizes(session: AsyncSession, partnership_id: int) -> dict[str, int]:
    """Per side, how many people a round opened now would invite: the partner side refreshed
    first (as opening does), people without a Telegram chat or who were forgotten left out."""
    await sync_partner_side(session, partnership_id)
    sizes = dict.fromkeys(SIDES, 0)
    for contact, side in await members(session, partnership_id):
        if contact.telegram_user_id is not None:
            sizes[side] = sizes.get(side, 0) + 1
    return sizes


async def staff_not_on_ngo_side(session: AsyncSession, partnership_id: int) -> list[Contact]:
    """Staff who could be added to the NGO side."""
    already = select(PartnershipMember.contact_id).where(
        PartnershipMember.partnership_id == partnership_id
    )
    result = await session.scalars(
        select(Contact)
        .where(
            Contact.role.in_(STAFF_ROLES),
            Contact.id.not_in(already),
            Contact.forgotten_at.is_(None),
        )
        .order_by(Contact.display_name, Contact.id)
    )
    return list(result)


async def has_active_round(session: AsyncSession, partnership_id: int) -> bool:
    found = await session.scalar(
        select(JpatRound.id)
        .where(
            JpatRound.partnership_id == partnership_id,
            JpatRound.status.in_(ACTIVE_ROUND_STATUSES),
        )
        .limit(1)
    )
    return found is not None


async def last_finalised_at(session: AsyncSession, partnership_id: int) -> datetime | None:
    return await session.scalar(
        select(func.max(JpatRound.finalised_at)).where(
            JpatRound.partnership_id == partnership_id, JpatRound.status == JpatRoundStatus.FINAL
        )
    )


async def set_stage(
    session: AsyncSession, partnership: Partnership, stage: str, now: datetime
) -> None:
    partnership.stage = stage
    partnership.updated_at = now


async def set_start_date(
    session: AsyncSession, partnership: Partnership, start_date: date, now: datetime
) -> date | None:
    """Change the start date; returns the one it replaces. Until a first round is final the
    first check-in is planned from the start date, so it is planned again (while a round is
    under way nothing is planned: finalising it plans the next)."""
    before = partnership.start_date
    partnership.start_date = start_date
    partnership.updated_at = now
    if await has_active_round(session, partnership.id):
        return before
    if await last_finalised_at(session, partnership.id) is None:
        partnership.next_round_at = first_round_at(start_date, partnership.cadence, now)
    return before


async def set_cadence(
    session: AsyncSession, partnership: Partnership, cadence: str, now: datetime
) -> None:
    """Change the interval and re-plan the next check-in from the last final round (or from
    the start). While a round is under way nothing is planned: finalising it plans the next."""
    partnership.cadence = cadence
    partnership.updated_at = now
    if await has_active_round(session, partnership.id):
        partnership.next_round_at = None
        return
    last = await last_finalised_at(session, partnership.id)
    if last is not None:
        partnership.next_round_at = next_round_after(last, cadence)
    else:
        partnership.next_round_at = first_round_at(partnership.start_date, cadence, now)


async def due_for_round(session: AsyncSession, now: datetime) -> list[tuple[int, datetime]]:
    """Partnerships whose next check-in is due and which have no round under way."""
    active = select(JpatRound.partnership_id).where(JpatRound.status.in_(ACTIVE_ROUND_STATUSES))
    rows = await session.execute(
        select(Partnership.id, Partnership.next_round_at)
        .where(
            Partnership.cadence != "none",
            Partnership.next_round_at.is_not(None),
            Partnership.next_round_at <= now,
            Partnership.id.not_in(active),
        )
        .order_by(Partnership.next_round_at, Partnership.id)
    )
    return [(int(pid), due) for pid, due in rows.all()]


async def claim_due(session: AsyncSession, partnership_id: int, due: datetime) -> bool:
    """Take the due check-in for opening: exactly one process wins (the plan is cleared)."""
    result = await session.execute(
        update(Partnership)
        .where(Partnership.id == partnership_id, Partnership.next_round_at == due)
        .values(next_round_at=None)
    )
    return bool(result.rowcount)
