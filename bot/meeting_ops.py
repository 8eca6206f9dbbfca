"""What scheduling, moving, re-timing and cancelling a meeting does to its pushes.

Every push becomes a delivery row up front, with its due time already decided: invitations
now, each reminder at its offset before the meeting, shifted by the person's quiet hours
(``bot.reminder_times``). The dispatcher then only has to send what is due. Handlers call
these functions; tests and the benchmark call them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reminder_times import plan
from storage import meetings as store
from storage.meetings import CANCELLED, INVITE, MOVED, REMINDER, Invitee, Push
from storage.models import Meeting


def reminder_pushes(meeting: Meeting, people: Sequence[Invitee], now: datetime) -> list[Push]:
    pushes: list[Push] = []
    offsets = list(meeting.reminder_offsets or [])
    for person in people:
        for planned in plan(
            meeting.starts_at, offsets, person.timezone, person.quiet_start, person.quiet_end, now
        ):
            pushes.append(
                Push(
                    REMINDER,
                    person.contact_id,
                    planned.due_at,
                    f"mtg:{meeting.id}:v{meeting.version}:r{planned.offset_minutes}:{person.contact_id}",
                )
            )
    return pushes


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
    await store.add_pushes(
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
    told = [c for c in await store.reached(session, meeting_id) if c != actor]
    notices = [Push(MOVED, c, now, f"mtg:{meeting.id}:v{meeting.version}:mv:{c}") for c in told]
    people = await store.invitees(session, meeting_id)
    await store.add_pushes(session, meeting.id, [*notices, *reminder_pushes(meeting, people, now)])
    return meeting, len(notices)


async def change_offsets(
    session: AsyncSession, meeting_id: int, offsets: list[int], now: datetime
) -> Meeting | None:
    """New reminder offsets: pending reminders are dropped and planned again (nobody is told)."""
    meeting = await store.change_offsets(session, meeting_id, offsets, now)
    if meeting is None:
        return None
    people = await store.invitees(session, meeting_id)
    await store.add_pushes(session, meeting.id, reminder_pushes(meeting, people, now))
    return meeting


async def cancel(
    session: AsyncSession, meeting_id: int, *, actor: int | None, now: datetime
) -> tuple[Meeting | None, int]:
    """Cancel: drop every pending push, tell everyone who had heard of the meeting."""
    told_before = await store.reached(session, meeting_id)
    meeting = await store.cancel(session, meeting_id, now)
    if meeting is None:
        return None, 0
    told = [c for c in told_before if c != actor]
    notices = [Push(CANCELLED, c, now, f"mtg:{meeting.id}:x:{c}") for c in told]
    await store.add_pushes(session, meeting.id, notices)
    return meeting, len(notices)
