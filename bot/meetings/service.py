"""What scheduling, moving, re-timing and cancelling a meeting does to its pushes, and the
database use cases of the meeting handlers.

Every push becomes a delivery row up front, with its due time already decided: invitations
now, each reminder at its offset before the meeting, shifted by the person's quiet hours
(``bot.reminder_times``). The dispatcher then only has to send what is due. ``schedule``,
``reschedule``, ``change_offsets`` and ``cancel`` work inside the caller's session (tests and
the benchmark call them too); the use cases below them each open exactly one session or
transaction for a handler.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reminder_times import plan
from bot.services import Services
from storage import contacts, flows
from storage import meeting_answers as answers
from storage import meeting_pushes as pushes
from storage import meetings as store
from storage.meeting_pushes import CANCELLED, INVITE, MOVED, REMINDER, Push
from storage.meetings import Invitee
from storage.models import ChatFlow, Contact, Meeting, MeetingRsvp


def reminder_pushes(meeting: Meeting, people: Sequence[Invitee], now: datetime) -> list[Push]:
    planned_pushes: list[Push] = []
    offsets = list(meeting.reminder_offsets or [])
    for person in people:
        for planned in plan(
            meeting.starts_at, offsets, person.timezone, person.quiet_start, person.quiet_end, now
        ):
            planned_pushes.append(
                Push(
                    REMINDER,
                    person.contact_id,
                    planned.due_at,
                    f"mtg:{meeting.id}:v{meeting.version}:r{planned.offset_minutes}:{person.contact_id}",
                )
            )
    return planned_pushes


async def schedule(
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
    now: datetime,
    invite: bool = True,
) -> tuple[Meeting, int]:
    """Create the meeting, invite every member of both sides, plan their reminders.

    Everyone on the invitation list gets reminders planned (the dispatcher skips people who
    stopped pushes or blocked the bot when one falls due, so a later /resume brings them back);
    invitations are queued only for people reachable now. The organiser is not sent an
    invitation to their own meeting (they just confirmed it); if they are a member they are on
    the list as attending and get its reminders (without RSVP buttons). Returns the meeting
    and how many invitations were queued.
    """
    members = await store.current_members(session, partnership_id)
    meeting = await store.create(
        session,
        partnership_id=partnership_id,
        kind=kind,
        starts_at=starts_at,
        organiser_timezone=organiser_timezone,
        organiser_telegram_id=organiser_telegram_id,
        created_by=created_by,
        place=place,
        agenda=agenda,
        reminder_offsets=reminder_offsets,
        members=members,
        now=now,
        organiser=created_by,
    )
    invitations = []
    if invite:
        invitations = [
            Push(INVITE, m.contact_id, now, f"mtg:{meeting.id}:inv:{m.contact_id}")
            for m in members
            if m.status == "active" and m.contact_id != created_by
        ]
    await pushes.add_pushes(
        session, meeting.id, [*invitations, *reminder_pushes(meeting, members, now)]
    )
    return meeting, len(invitations)


async def reschedule(
    session: AsyncSession, meeting_id: int, starts_at: datetime, *, actor: int | None, now: datetime
) -> tuple[Meeting | None, int]:
    """Move the meeting: tell everyone already told about it, re-plan every reminder."""
    meeting = await store.reschedule(session, meeting_id, starts_at, now)
    if meeting is None:
        return None, 0
    told = [c for c in await pushes.reached(session, meeting_id) if c != actor]
    notices = [Push(MOVED, c, now, f"mtg:{meeting.id}:v{meeting.version}:mv:{c}") for c in told]
    people = await store.invitees(session, meeting_id)
    await pushes.add_pushes(session, meeting.id, [*notices, *reminder_pushes(meeting, people, now)])
    return meeting, len(notices)


async def change_offsets(
    session: AsyncSession, meeting_id: int, offsets: list[int], now: datetime
) -> Meeting | None:
    """New reminder offsets: pending reminders are dropped and planned again (nobody is told)."""
    meeting = await store.change_offsets(session, meeting_id, offsets, now)
    if meeting is None:
        return None
    people = await store.invitees(session, meeting_id)
    await pushes.add_pushes(session, meeting.id, reminder_pushes(meeting, people, now))
    return meeting


async def cancel(
    session: AsyncSession, meeting_id: int, *, actor: int | None, now: datetime
) -> tuple[Meeting | None, int]:
    """Cancel: drop every pending push, tell everyone who had heard of the meeting."""
    told_before = await pushes.reached(session, meeting_id)
    meeting = await store.cancel(session, meeting_id, now)
    if meeting is None:
        return None, 0
    told = [c for c in told_before if c != actor]
    notices = [Push(CANCELLED, c, now, f"mtg:{meeting.id}:x:{c}") for c in told]
    await pushes.add_pushes(session, meeting.id, notices)
    return meeting, len(notices)


# ------------------------------------------------------------------------------ use cases


async def partnership_choices(svc: Services, limit: int = 20) -> list[store.PartnershipChoice]:
    async with svc.db.sessions() as session:
        return await store.partnership_choices(session, limit=limit)


async def partnership_label(svc: Services, partnership_id: int) -> str | None:
    async with svc.db.sessions() as session:
        return await store.partnership_label(session, partnership_id)


async def member_counts(
    svc: Services, partnership_id: int, organiser: int | None
) -> store.MemberCounts:
    async with svc.db.sessions() as session:
        return await store.member_counts(session, partnership_id, organiser=organiser)


async def schedule_draft(
    svc: Services,
    data: dict[str, Any],
    *,
    zone: str,
    user_id: int,
    contact_id: int | None,
) -> tuple[Meeting, int]:
    """The wizard's draft scheduled (invitations and reminders planned), the wizard left."""
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        meeting, invited = await schedule(
            session,
            partnership_id=int(data["partnership_id"]),
            kind=data["kind"],
            starts_at=datetime.fromisoformat(data["starts_at"]),
            organiser_timezone=zone,
            organiser_telegram_id=user_id,
            created_by=contact_id,
            place=data.get("place"),
            agenda=data.get("agenda"),
            reminder_offsets=list(data.get("offsets") or []),
            now=now,
        )
        await flows.clear(session, user_id)
    return meeting, invited


async def meeting_with_label(svc: Services, meeting_id: int) -> tuple[Meeting | None, str | None]:
    async with svc.db.sessions() as session:
        meeting = await store.get(session, meeting_id)
        label = (
            await store.partnership_label(session, meeting.partnership_id)
            if meeting is not None
            else None
        )
    return meeting, label


async def get_meeting(svc: Services, meeting_id: int) -> Meeting | None:
    async with svc.db.sessions() as session:
        return await store.get(session, meeting_id)


async def card_facts(svc: Services, meeting_id: int) -> tuple[list[answers.Answer], int]:
    """Who answered what, and how many reminders are still to send."""
    async with svc.db.sessions() as session:
        people = await answers.answers(session, meeting_id)
        pending = await pushes.pending_reminders(session, meeting_id)
    return people, pending


async def cancel_meeting(
    svc: Services, meeting_id: int, actor: int | None
) -> tuple[Meeting | None, int]:
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        return await cancel(session, meeting_id, actor=actor, now=now)


async def reschedule_if_current(
    svc: Services, user_id: int, data: dict[str, Any], actor: int | None
) -> tuple[Meeting | None, int]:
    """Move the meeting of the edit step to its typed time unless it changed meanwhile; the
    edit step is left either way."""
    now = svc.clock.now()
    starts_at = datetime.fromisoformat(data["starts_at"])
    async with svc.db.transaction() as session:
        current = await store.get(session, int(data["meeting_id"]))
        if current is None or current.version != int(data["version"]):
            moved, told = None, 0
        else:
            moved, told = await reschedule(session, current.id, starts_at, actor=actor, now=now)
        await flows.clear(session, user_id)
    return moved, told


async def change_offsets_if_current(
    svc: Services, user_id: int, data: dict[str, Any], offsets: list[int]
) -> Meeting | None:
    async with svc.db.transaction() as session:
        current = await store.get(session, int(data["meeting_id"]))
        changed = None
        if current is not None and current.version == int(data["version"]):
            changed = await change_offsets(session, current.id, offsets, svc.clock.now())
        await flows.clear(session, user_id)
    return changed


async def answer_invitation(
    svc: Services, meeting_id: int, version: int, contact_id: int, user_id: int, answer: str
) -> tuple[Meeting | None, str | None, ChatFlow | None]:
    """Save an RSVP. Returns the meeting, why the answer was refused ("expired",
    "cancelled", "changed", "begun" or None when saved), and the person's open step."""
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        meeting = await store.get(session, meeting_id)
        invited = await answers.rsvp_of(session, meeting_id, contact_id) if meeting else None
        refusal = None
        if meeting is None or invited is None:
            refusal = "expired"
        elif meeting.status != "scheduled":
            refusal = "cancelled"
        elif meeting.version != version:
            refusal = "changed"
        elif meeting.starts_at <= now:
            refusal = "begun"
        else:
            await answers.set_answer(session, meeting_id, contact_id, answer, now)
        flow = await flows.get(session, user_id)
    return meeting, refusal, flow


async def upcoming_of(
    svc: Services, contact_id: int, limit: int
) -> tuple[list[tuple[Meeting, str, str | None]], int]:
    async with svc.db.sessions() as session:
        return await answers.upcoming_of(session, contact_id, svc.clock.now(), limit=limit)


async def upcoming(svc: Services, limit: int = 10) -> list[answers.Upcoming]:
    async with svc.db.sessions() as session:
        return await answers.upcoming(session, svc.clock.now(), limit=limit)


async def _organiser_on_staff(
    session: AsyncSession, svc: Services, meeting: Meeting
) -> Contact | None:
    """The organiser, only while they are still staff (or a configured admin) and reachable:
    a partner was told their question goes to the organiser, not to someone who has left."""
    if meeting.organiser_telegram_id is None:
        return None
    organiser = await contacts.by_telegram_id(session, int(meeting.organiser_telegram_id))
    if organiser is None or organiser.status not in ("active", "stopped"):
        return None
    if organiser.role == "staff" or organiser.telegram_user_id in svc.settings.admins:
        return organiser
    return None


async def question_target(
    svc: Services, meeting_id: int
) -> tuple[Meeting | None, str, Contact | None]:
    """The meeting a partner asks about, its partnership's name, and the organiser to ask (None
    when they cannot be asked through the bot)."""
    async with svc.db.sessions() as session:
        meeting = await store.get(session, meeting_id)
        if meeting is None:
            return None, "", None
        organiser = await _organiser_on_staff(session, svc, meeting)
        label = await store.partnership_label(session, meeting.partnership_id) or ""
    return meeting, label, organiser


async def reply_target(
    svc: Services, meeting_id: int, contact_id: int
) -> tuple[Meeting | None, MeetingRsvp | None, Contact | None, str | None]:
    """The meeting an organiser answers about, the partner's invitation, the partner (None
    unless invited) and the partnership's name."""
    async with svc.db.sessions() as session:
        meeting = await store.get(session, meeting_id)
        invited = await answers.rsvp_of(session, meeting_id, contact_id) if meeting else None
        partner = await session.get(Contact, contact_id) if invited else None
        label = await store.partnership_label(session, meeting.partnership_id) if meeting else None
    return meeting, invited, partner, label
