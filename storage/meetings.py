"""Meetings of a partnership: who is invited, their answers, and the pushes tied to a meeting.

Pushes about a meeting are rows of ``deliveries`` with ``meeting_id`` set, so the same claim →
send → mark-sent path that carries campaign invitations carries them too: nothing is sent
twice, nothing is lost, and two bot processes share the work. Their ``dedupe_key`` names the
meeting's ``version``, so a reschedule plans fresh reminders without colliding with the old
(cancelled or already sent) ones.

Counts and lists are computed in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.contacts import forgotten_ids
from storage.models import (
    Contact,
    Delivery,
    JpatRound,
    Meeting,
    MeetingRsvp,
    Organisation,
    Partnership,
    PartnershipMember,
    Response,
)

KINDS = ("kickoff", "quarterly", "biannual", "annual", "other")
REVIEW_KINDS = frozenset({"quarterly", "biannual", "annual"})
ANSWERS = ("attending", "not_attending", "need_info")
# Delivery kinds of meeting pushes (Delivery.kind is at most 16 characters).
INVITE, REMINDER, MOVED, CANCELLED = "mtg_invite", "reminder", "mtg_moved", "mtg_cancel"
MEETING_KINDS = (INVITE, REMINDER, MOVED, CANCELLED)
INSERT_CHUNK = 500


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
    reachable = (Contact.status == "active") & Contact.telegram_user_id.is_not(None)
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
        status="scheduled",
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
    if meeting is None or meeting.status != "scheduled":
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
    if meeting is None or meeting.status != "scheduled":
        return None
    meeting.reminder_offsets = list(offsets)
    meeting.version += 1
    meeting.updated_at = now
    await drop_pending(session, meeting_id, kinds=(REMINDER,), detail="reminders changed")
    return meeting


async def cancel(session: AsyncSession, meeting_id: int, now: datetime) -> Meeting | None:
    meeting = await session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None or meeting.status != "scheduled":
        return None
    meeting.status = "cancelled"
    meeting.cancelled_at = now
    meeting.updated_at = now
    await drop_pending(session, meeting_id, kinds=(INVITE, REMINDER, MOVED), detail="cancelled")
    return meeting


async def drop_pending(
    session: AsyncSession, meeting_id: int, *, kinds: Iterable[str], detail: str
) -> int:
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.meeting_id == meeting_id,
            Delivery.kind.in_(tuple(kinds)),
            Delivery.state == "pending",
        )
        .values(state="cancelled", detail=detail)
    )
    return int(result.rowcount or 0)


async def reached(session: AsyncSession, meeting_id: int) -> list[int]:
    """Contacts who already received something about the meeting (or are receiving it now):
    they are the ones a change must be told to. Someone whose invitation is still waiting
    (quiet hours) will read the new details in it."""
    result = await session.scalars(
        select(Delivery.contact_id)
        .where(
            Delivery.meeting_id == meeting_id,
            Delivery.kind.in_((INVITE, REMINDER, MOVED)),
            Delivery.state.in_(("sent", "claimed")),
        )
        .distinct()
    )
    return sorted(int(c) for c in result)


# ------------------------------------------------------------------------------ pushes


@dataclass(frozen=True)
class Push:
    kind: str
    contact_id: int
    due_at: datetime
    dedupe_key: str


async def add_pushes(session: AsyncSession, meeting_id: int, pushes: Sequence[Push]) -> int:
    """Insert pushes in chunks, ignoring any whose key exists (a second process, a retry)."""
    if not pushes:
        return 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    added = 0
    for start in range(0, len(pushes), INSERT_CHUNK):
        rows = [
            {
                "kind": p.kind,
                "contact_id": p.contact_id,
                "due_at": p.due_at,
                "dedupe_key": p.dedupe_key,
                "meeting_id": meeting_id,
                "state": "pending",
                "attempts": 0,
            }
            for p in pushes[start : start + INSERT_CHUNK]
        ]
        statement = module.insert(Delivery.__table__).values(rows).on_conflict_do_nothing()
        result = await session.execute(statement)
        added += int(result.rowcount or 0)
    return added


async def later_due_reminder(session: AsyncSession, delivery: Delivery, now: datetime) -> bool:
    """Whether a later reminder of the same meeting to the same person is also due now.

    After downtime several reminders can fall due at once; only the latest is worth sending
    (another process may already have sent it: that counts too).
    """
    found = await session.scalar(
        select(Delivery.id)
        .where(
            Delivery.meeting_id == delivery.meeting_id,
            Delivery.contact_id == delivery.contact_id,
            Delivery.kind == REMINDER,
            Delivery.id != delivery.id,
            Delivery.state.in_(("pending", "claimed", "sent")),
            Delivery.due_at > delivery.due_at,
            Delivery.due_at <= now,
        )
        .limit(1)
    )
    return found is not None


async def pending_reminders(session: AsyncSession, meeting_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.meeting_id == meeting_id,
                Delivery.kind == REMINDER,
                Delivery.state == "pending",
            )
        )
        or 0
    )


# ------------------------------------------------------------------------------ answers


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
    from datetime import timedelta

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
        .where(Meeting.status == "scheduled", Meeting.starts_at > now - timedelta(hours=3))
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
        Meeting.status == "scheduled",
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
            Response.status == "completed",
        )
        .exists()
    )
    found = await session.scalar(
        select(JpatRound.id)
        .where(and_(JpatRound.partnership_id == partnership_id, JpatRound.status == "open"))
        .where(~submitted)
        .limit(1)
    )
    return found is not None
