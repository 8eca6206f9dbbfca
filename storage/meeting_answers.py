"""What the people invited to meetings answered: one person's answer, the counts and lists
of /meetings, a person's meetings for /mydata, and what a push about a meeting says.

Counts and lists are computed in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.contacts import forgotten_ids
from storage.models import (
    Contact,
    JpatRound,
    Meeting,
    MeetingRsvp,
    Organisation,
    Partnership,
    Response,
)
from storage.statuses import JpatRoundStatus, MeetingStatus, ResponseStatus


@dataclass(frozen=True)
class PushFacts:
    meeting: Meeting
    partnership: str
    answer: str | None
    side: str | None


async def push_facts(session: AsyncSession, meeting_id: int, contact_id: int) -> PushFacts | None:
    """Everything a push about a meeting says to one person, in one query."""
    row = (
        await session.execute(
            select(
                Meeting,
                func.coalesce(Partnership.name, Organisation.name),
                MeetingRsvp.answer,
                MeetingRsvp.side,
            )
            .join(Partnership, Partnership.id == Meeting.partnership_id)
            .join(Organisation, Organisation.id == Partnership.organisation_id)
            .outerjoin(
                MeetingRsvp,
                (MeetingRsvp.meeting_id == Meeting.id) & (MeetingRsvp.contact_id == contact_id),
            )
            .where(Meeting.id == meeting_id)
        )
    ).one_or_none()
    if row is None:
        return None
    meeting, label, answer, side = row
    return PushFacts(meeting, str(label), answer, side)


async def rsvp_of(session: AsyncSession, meeting_id: int, contact_id: int) -> MeetingRsvp | None:
    return await session.get(MeetingRsvp, (meeting_id, contact_id))


async def set_answer(
    session: AsyncSession, meeting_id: int, contact_id: int, answer: str, now: datetime
) -> str | None:
    """Store an answer; returns the previous one. The caller checked the person is invited."""
    row = await session.get(MeetingRsvp, (meeting_id, contact_id), with_for_update=True)
    if row is None:
        raise LookupError("not invited")
    previous = row.answer
    row.answer = answer
    row.answered_at = now
    return previous


@dataclass(frozen=True)
class Upcoming:
    meeting: Meeting
    partnership: str
    attending: int
    not_attending: int
    need_info: int
    no_answer: int


async def upcoming(session: AsyncSession, now: datetime, limit: int = 10) -> list[Upcoming]:
    """Scheduled meetings not yet over (started less than 3 hours ago), with RSVP counts."""
    counts = (
        select(
            MeetingRsvp.meeting_id.label("meeting_id"),
            func.sum(case((MeetingRsvp.answer == "attending", 1), else_=0)).label("yes"),
            func.sum(case((MeetingRsvp.answer == "not_attending", 1), else_=0)).label("no"),
            func.sum(case((MeetingRsvp.answer == "need_info", 1), else_=0)).label("info"),
            func.sum(case((MeetingRsvp.answer.is_(None), 1), else_=0)).label("none"),
        )
        .where(MeetingRsvp.contact_id.not_in(forgotten_ids()))
        .group_by(MeetingRsvp.meeting_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Meeting,
            func.coalesce(Partnership.name, Organisation.name),
            func.coalesce(counts.c.yes, 0),
            func.coalesce(counts.c.no, 0),
            func.coalesce(counts.c.info, 0),
            func.coalesce(counts.c.none, 0),
        )
        .join(Partnership, Partnership.id == Meeting.partnership_id)
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .outerjoin(counts, counts.c.meeting_id == Meeting.id)
        .where(
            Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > now - timedelta(hours=3)
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(limit)
    )
    return [
        Upcoming(m, str(label), int(y), int(n), int(i), int(none))
        for m, label, y, n, i, none in rows.all()
    ]


@dataclass(frozen=True)
class Counts:
    attending: int
    not_attending: int
    need_info: int
    no_answer: int


async def counts(session: AsyncSession, meeting_id: int) -> Counts:
    """The answers of one meeting, counted as /meetings counts them."""
    row = (
        await session.execute(
            select(
                func.count().filter(MeetingRsvp.answer == "attending"),
                func.count().filter(MeetingRsvp.answer == "not_attending"),
                func.count().filter(MeetingRsvp.answer == "need_info"),
                func.count().filter(MeetingRsvp.answer.is_(None)),
            ).where(
                MeetingRsvp.meeting_id == meeting_id,
                MeetingRsvp.contact_id.not_in(forgotten_ids()),
            )
        )
    ).one()
    return Counts(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


@dataclass(frozen=True)
class Answer:
    contact_id: int
    name: str | None
    side: str
    answer: str | None
    status: str


async def answers(session: AsyncSession, meeting_id: int) -> list[Answer]:
    rows = await session.execute(
        select(
            Contact.id,
            Contact.display_name,
            MeetingRsvp.side,
            MeetingRsvp.answer,
            Contact.status,
        )
        .join(MeetingRsvp, MeetingRsvp.contact_id == Contact.id)
        .where(
            MeetingRsvp.meeting_id == meeting_id,
            Contact.forgotten_at.is_(None),  # /forget deletes their rows; older ones skipped
        )
        .order_by(MeetingRsvp.side, Contact.display_name, Contact.id)
    )
    return [Answer(int(c), n, str(s), a, str(st)) for c, n, s, a, st in rows.all()]


async def meetings_of(
    session: AsyncSession, contact_id: int
) -> list[tuple[Meeting, str, str | None]]:
    """Every meeting a person was invited to, with their answer: for their own /mydata."""
    rows = await session.execute(
        select(Meeting, func.coalesce(Partnership.name, Organisation.name), MeetingRsvp.answer)
        .join(MeetingRsvp, MeetingRsvp.meeting_id == Meeting.id)
        .join(Partnership, Partnership.id == Meeting.partnership_id)
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .where(MeetingRsvp.contact_id == contact_id)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [(m, str(label), answer) for m, label, answer in rows.all()]


async def upcoming_of(
    session: AsyncSession, contact_id: int, now: datetime, limit: int = 5
) -> tuple[list[tuple[Meeting, str, str | None]], int]:
    """The scheduled meetings a person is invited to that have not begun, soonest first, with
    their answer (at most ``limit``), and how many there are in all: for their /meetings."""
    where = (
        MeetingRsvp.contact_id == contact_id,
        Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at > now,
    )
    rows = await session.execute(
        select(Meeting, func.coalesce(Partnership.name, Organisation.name), MeetingRsvp.answer)
        .join(MeetingRsvp, MeetingRsvp.meeting_id == Meeting.id)
        .join(Partnership, Partnership.id == Meeting.partnership_id)
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .where(*where)
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(limit)
    )
    total = await session.scalar(
        select(func.count())
        .select_from(MeetingRsvp)
        .join(Meeting, Meeting.id == MeetingRsvp.meeting_id)
        .where(*where)
    )
    return [(m, str(label), answer) for m, label, answer in rows.all()], int(total or 0)


# ------------------------------------------------------------------------------ J-PAT


async def jpat_waiting(session: AsyncSession, partnership_id: int, contact_id: int) -> bool:
    """Whether the partnership has an open J-PAT round this person has not submitted."""
    submitted = (
        select(Response.id)
        .where(
            Response.jpat_round_id == JpatRound.id,
            Response.contact_id == contact_id,
            Response.status == ResponseStatus.COMPLETED,
        )
        .exists()
    )
    found = await session.scalar(
        select(JpatRound.id)
        .where(
            and_(
                JpatRound.partnership_id == partnership_id, JpatRound.status == JpatRoundStatus.OPEN
            )
        )
        .where(~submitted)
        .limit(1)
    )
    return found is not None
