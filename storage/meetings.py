"""Meetings of a partnership: who is invited, and the meeting itself (create, move, re-time,
cancel).

Pushes tied to a meeting are in ``storage.meeting_pushes``; answers, counts and lists of
meetings in ``storage.meeting_answers``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.meeting_pushes import INSERT_CHUNK, INVITE, MOVED, REMINDER, drop_pending
from storage.models import (
    Contact,
    Meeting,
    MeetingRsvp,
    Organisation,
    Partnership,
    PartnershipMember,
)
from storage.statuses import ContactStatus, MeetingStatus

KINDS = ("kickoff", "quarterly", "biannual", "annual", "other")
REVIEW_KINDS = frozenset({"quarterly", "biannual", "annual"})
ANSWERS = ("attending", "not_attending", "need_info")


# ------------------------------------------------------------------------------ partnerships


@dataclass(frozen=True)
class PartnershipChoice:
    id: int
    label: str
    members: int


async def partnership_choices(session: AsyncSession, limit: int = 20) -> list[PartnershipChoice]:
    """Partnerships staff can schedule a meeting for, most recently created first."""
    members = (
        select(PartnershipMember.partnership_id, func.count().label("n"))
        .group_by(PartnershipMember.partnership_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Partnership.id,
            func.coalesce(Partnership.name, Organisation.name),
            func.coalesce(members.c.n, 0),
        )
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .outerjoin(members, members.c.partnership_id == Partnership.id)
        .order_by(Partnership.created_at.desc(), Partnership.id.desc())
        .limit(limit)
    )
    return [PartnershipChoice(int(i), str(label), int(n)) for i, label, n in rows.all()]


async def partnership_label(session: AsyncSession, partnership_id: int) -> str | None:
    row = await session.execute(
        select(func.coalesce(Partnership.name, Organisation.name))
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .where(Partnership.id == partnership_id)
    )
    return row.scalar_one_or_none()


@dataclass(frozen=True)
class Invitee:
    contact_id: int
    side: str
    timezone: str
    quiet_start: str
    quiet_end: str
    status: str


async def current_members(session: AsyncSession, partnership_id: int) -> list[Invitee]:
    """Every member of both sides who can be reached in Telegram at all."""
    rows = await session.execute(
        select(
            Contact.id,
            PartnershipMember.side,
            Contact.timezone,
            Contact.quiet_start,
            Contact.quiet_end,
            Contact.status,
        )
        .join(PartnershipMember, PartnershipMember.contact_id == Contact.id)
        .where(
            PartnershipMember.partnership_id == partnership_id,
            Contact.telegram_user_id.is_not(None),
        )
        .order_by(Contact.id)
    )
    return [
        Invitee(int(c), str(s), str(z), str(qs), str(qe), str(st))
        for c, s, z, qs, qe, st in rows.all()
    ]


@dataclass(frozen=True)
class MemberCounts:
    partner_side: int  # reachable people on the side, the organiser included if a member
    ngo_side: int
    unreachable: int  # stopped pushes, blocked the bot, or gone (never the organiser)
    organiser_side: str | None = None  # the organiser's side, if they are a member

    @property
    def empty_sides(self) -> list[str]:
        """The sides nobody will take part from: "ngo", "partner", both or neither."""
        return [
            side for side, n in (("ngo", self.ngo_side), ("partner", self.partner_side)) if n == 0
        ]


async def member_counts(
    session: AsyncSession, partnership_id: int, *, organiser: int | None = None
) -> MemberCounts:
    """Who takes part on each side: everyone an invitation would reach, and the organiser
    (a member who is not sent an invitation to their own meeting, but attends it)."""
    reachable = (Contact.status == ContactStatus.ACTIVE) & Contact.telegram_user_id.is_not(None)
    is_organiser = PartnershipMember.contact_id == (organiser if organiser is not None else -1)
    counted = reachable | is_organiser
    row = (
        await session.execute(
            select(
                func.count().filter(counted & (PartnershipMember.side == "partner")),
                func.count().filter(counted & (PartnershipMember.side != "partner")),
                func.count().filter(~counted),
                func.max(case((is_organiser, PartnershipMember.side), else_=None)),
            )
            .select_from(PartnershipMember)
            .join(Contact, Contact.id == PartnershipMember.contact_id)
            .where(
                PartnershipMember.partnership_id == partnership_id,
                Contact.forgotten_at.is_(None),
            )
        )
    ).one()
    return MemberCounts(int(row[0]), int(row[1]), int(row[2]), row[3])


async def invitees(session: AsyncSession, meeting_id: int) -> list[Invitee]:
    """The meeting's invitation list, with what is needed to plan each person's reminders."""
    rows = await session.execute(
        select(
            Contact.id,
            MeetingRsvp.side,
            Contact.timezone,
            Contact.quiet_start,
            Contact.quiet_end,
            Contact.status,
        )
        .join(MeetingRsvp, MeetingRsvp.contact_id == Contact.id)
        .where(MeetingRsvp.meeting_id == meeting_id, Contact.telegram_user_id.is_not(None))
        .order_by(Contact.id)
    )
    return [
        Invitee(int(c), str(s), str(z), str(qs), str(qe), str(st))
        for c, s, z, qs, qe, st in rows.all()
    ]


# ------------------------------------------------------------------------------ meetings


async def create(
    session: AsyncSession,
    *,
    partnership_id: int,
    kind: str,
    starts_at: datetime,
    organiser_timezone: str,
    organiser_telegram_id: int | None,
    created_by: int | None,
    place: str | None,
    agenda: str | None,
    reminder_offsets: list[int],
    members: Sequence[Invitee],
    now: datetime,
    organiser: int | None = None,
) -> Meeting:
    """The meeting and its invitation list; ``organiser`` (their contact id), if a member, is
    on the list as attending from the start."""
    meeting = Meeting(
        partnership_id=partnership_id,
        kind=kind,
        starts_at=starts_at,
        organiser_timezone=organiser_timezone,
        organiser_telegram_id=organiser_telegram_id,
        created_by=created_by,
        place=place,
        agenda=agenda,
        status=MeetingStatus.SCHEDULED,
        reminder_offsets=list(reminder_offsets),
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    await session.flush()
    rows = [
        {
            "meeting_id": meeting.id,
            "contact_id": m.contact_id,
            "side": m.side,
            "answer": "attending" if m.contact_id == organiser else None,
            "answered_at": now if m.contact_id == organiser else None,
            "invited_at": now,
        }
        for m in members
    ]
    for start in range(0, len(rows), INSERT_CHUNK):
        await session.execute(MeetingRsvp.__table__.insert(), rows[start : start + INSERT_CHUNK])  # type: ignore[attr-defined]
    return meeting


async def latest(session: AsyncSession) -> Meeting | None:
    """The meeting scheduled last (the walkthrough waits for it)."""
    return await session.scalar(select(Meeting).order_by(Meeting.id.desc()).limit(1))


async def get(session: AsyncSession, meeting_id: int) -> Meeting | None:
    return await session.get(Meeting, meeting_id)


async def reschedule(
    session: AsyncSession, meeting_id: int, starts_at: datetime, now: datetime
) -> Meeting | None:
    """Move a scheduled meeting: new version, answers cleared (the organiser's aside: they
    still attend), pending reminders dropped."""
    meeting = await session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return None
    meeting.previous_starts_at = meeting.starts_at
    meeting.starts_at = starts_at
    meeting.version += 1
    meeting.updated_at = now
    organiser = meeting.created_by if meeting.created_by is not None else -1
    await session.execute(
        update(MeetingRsvp)
        .where(MeetingRsvp.meeting_id == meeting_id, MeetingRsvp.contact_id != organiser)
        .values(answer=None, answered_at=None)
    )
    await drop_pending(session, meeting_id, kinds=(REMINDER, MOVED), detail="rescheduled")
    return meeting


async def change_offsets(
    session: AsyncSession, meeting_id: int, offsets: list[int], now: datetime
) -> Meeting | None:
    meeting = await session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return None
    meeting.reminder_offsets = list(offsets)
    meeting.version += 1
    meeting.updated_at = now
    await drop_pending(session, meeting_id, kinds=(REMINDER,), detail="reminders changed")
    return meeting


async def cancel(session: AsyncSession, meeting_id: int, now: datetime) -> Meeting | None:
    meeting = await session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return None
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = now
    meeting.updated_at = now
    await drop_pending(session, meeting_id, kinds=(INVITE, REMINDER, MOVED), detail="cancelled")
    return meeting
