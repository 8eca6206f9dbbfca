"""J-PAT rounds in the database: opening one (a response and an invitation per member),
welcoming a partner who joins later, who has submitted, closing, reminders, notices.

Every member's submission is an ordinary survey ``Response`` (``jpat_round_id`` and ``side``
set), so the survey chat runs it unchanged. Notifications are deliveries whose ``dedupe_key``
starts with ``<kind>:<round id>:`` so the composer knows the round and a retry never sends twice.
The rules these follow are in ``storage.jpat_rules``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deliveries, partnerships, surveys
from storage.jpat_rules import (
    JOINER_INVITE_DELAY,
    JPAT_SURVEY,
    MAX_NUDGES,
    NUDGE_EVERY,
    nudge_due,
)
from storage.models import Contact, Delivery, JpatRound, Partnership, Response
from storage.statuses import JpatRoundStatus, ResponseStatus


async def get_round(session: AsyncSession, round_id: int) -> JpatRound | None:
    return await session.get(JpatRound, round_id)


async def latest_round(session: AsyncSession, partnership_id: int) -> JpatRound | None:
    return await session.scalar(
        select(JpatRound)
        .where(JpatRound.partnership_id == partnership_id)
        .order_by(JpatRound.number.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Opened:
    round: JpatRound
    invited: dict[str, int]


async def open_round(
    session: AsyncSession,
    *,
    partnership: Partnership,
    survey_id: str,
    survey_version_id: int,
    deadline: datetime,
    opened_by: int | None,
    now: datetime,
) -> Opened:
    """A new round: one response per member of both sides, and an invitation for each.

    Two processes opening at once collide on the (partnership, number) unique index, so only
    one round is created.
    """
    await partnerships.sync_partner_side(session, partnership.id)
    last = await session.scalar(
        select(func.max(JpatRound.number)).where(JpatRound.partnership_id == partnership.id)
    )
    round_ = JpatRound(
        partnership_id=partnership.id,
        number=int(last or 0) + 1,
        status=JpatRoundStatus.OPEN,
        survey_version_id=survey_version_id,
        opened_at=now,
        deadline=deadline,
        opened_by=opened_by,
    )
    session.add(round_)
    await session.flush()
    invited = {side: 0 for side in partnerships.SIDES}
    for contact, side in await partnerships.members(session, partnership.id):
        if contact.telegram_user_id is None or contact.forgotten_at is not None:
            continue
        await _invite(session, round_, contact, side, survey_id, now=now, due_at=now)
        invited[side] += 1
    partnership.next_round_at = None  # planned again when this round is final
    partnership.updated_at = now
    await session.flush()
    return Opened(round_, invited)


async def _invite(
    session: AsyncSession,
    round_: JpatRound,
    contact: Contact,
    side: str,
    survey_id: str,
    *,
    now: datetime,
    due_at: datetime,
) -> None:
    """The member's own response to the round, and the push that invites them to it."""
    response = await surveys.create_response(
        session,
        survey_id=survey_id,
        survey_version_id=round_.survey_version_id,
        contact_id=contact.id,
        organisation_id=contact.organisation_id,
        language=contact.language,
        now=now,
    )
    response.jpat_round_id = round_.id
    response.side = side
    await deliveries.add(
        session,
        kind="jpat_invite",
        contact_id=contact.id,
        due_at=due_at,
        dedupe_key=f"jpat_invite:{response.id}",
        response_id=response.id,
    )


async def welcome_partner(session: AsyncSession, contact: Contact, now: datetime) -> None:
    """A partner who joined their organisation: they join the partner side of its
    partnerships, and any round open now invites them too."""
    if contact.organisation_id is None:
        return
    ids = await session.scalars(
        select(Partnership.id).where(Partnership.organisation_id == contact.organisation_id)
    )
    for partnership_id in list(ids):
        await partnerships.sync_partner_side(session, partnership_id)
        if await partnerships.side_of(session, partnership_id, contact.id) != "partner":
            continue
        open_rounds = await session.scalars(
            select(JpatRound).where(
                JpatRound.partnership_id == partnership_id,
                JpatRound.status == JpatRoundStatus.OPEN,
                JpatRound.id.not_in(
                    select(Response.jpat_round_id).where(
                        Response.contact_id == contact.id, Response.jpat_round_id.is_not(None)
                    )
                ),
            )
        )
        for round_ in list(open_rounds):
            await _invite(
                session,
                round_,
                contact,
                "partner",
                JPAT_SURVEY,
                now=now,
                due_at=now + JOINER_INVITE_DELAY,
            )
    await session.flush()


async def own_response(session: AsyncSession, round_id: int, contact_id: int) -> Response | None:
    """A member's own submission to the round (None if the round did not invite them)."""
    return await session.scalar(
        select(Response)
        .where(Response.jpat_round_id == round_id, Response.contact_id == contact_id)
        .order_by(Response.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class SideCount:
    submitted: int
    members: int


async def side_counts(session: AsyncSession, round_id: int) -> dict[str, SideCount]:
    """Per side: how many of the invited members have submitted (nothing about answers)."""
    rows = await session.execute(
        select(
            Response.side,
            func.count(Response.id),
            func.count(Response.id).filter(Response.status == ResponseStatus.COMPLETED),
        )
        .where(Response.jpat_round_id == round_id)
        .group_by(Response.side)
    )
    counts = {side: SideCount(0, 0) for side in partnerships.SIDES}
    for side, members, submitted in rows.all():
        counts[side] = SideCount(int(submitted), int(members))
    return counts


async def both_sides_submitted(session: AsyncSession, round_id: int) -> bool:
    counts = await side_counts(session, round_id)
    return all(counts[side].submitted > 0 for side in partnerships.SIDES)


async def notify_members(
    session: AsyncSession,
    round_: JpatRound,
    kind: str,
    now: datetime,
    *,
    side: str | None = None,
    tag: object = None,
    skip: int | None = None,
) -> int:
    """One delivery of ``kind`` about this round to each reachable member (of one side),
    except ``skip``."""
    added = 0
    for contact, _side in await partnerships.members(session, round_.partnership_id, side):
        if contact.telegram_user_id is None or contact.id == skip:
            continue
        key = f"{kind}:{round_.id}:{contact.id}" + (f":{tag}" if tag is not None else "")
        if await deliveries.add(
            session, kind=kind, contact_id=contact.id, due_at=now, dedupe_key=key
        ):
            added += 1
    return added


async def close_round(
    session: AsyncSession, round_: JpatRound, now: datetime, *, told_already: int | None = None
) -> bool:
    """Open → closed, once (a second process or a double press changes nothing). Unfinished
    submissions are closed like an overdue campaign's, and every member hears the news (but
    ``told_already``, the staff member who closed it and sees the reply)."""
    result = await session.execute(
        update(JpatRound)
        .where(JpatRound.id == round_.id, JpatRound.status == JpatRoundStatus.OPEN)
        .values(status=JpatRoundStatus.CLOSED, closed_at=now)
    )
    if not result.rowcount:
        return False
    await session.execute(
        update(Response)
        .where(
            Response.jpat_round_id == round_.id,
            Response.status.in_((ResponseStatus.IN_PROGRESS, ResponseStatus.PAUSED)),
        )
        .values(status=ResponseStatus.PARTIAL, updated_at=now)
    )
    await session.execute(
        update(Response)
        .where(Response.jpat_round_id == round_.id, Response.status == ResponseStatus.INVITED)
        .values(status=ResponseStatus.EXPIRED, updated_at=now)
    )
    await cancel_pending(session, round_.id, "jpat_both", "no longer open")
    row = await session.get(JpatRound, round_.id, populate_existing=True)
    await notify_members(session, row, "jpat_closed", now, skip=told_already)
    return True


async def close_due(session: AsyncSession, now: datetime) -> list[int]:
    ids = list(
        await session.scalars(
            select(JpatRound.id).where(
                JpatRound.status == JpatRoundStatus.OPEN, JpatRound.deadline <= now
            )
        )
    )
    closed = []
    for round_id in ids:
        round_ = await session.get(JpatRound, round_id)
        if round_ is not None and await close_round(session, round_, now):
            closed.append(round_id)
    return closed


async def schedule_nudges(
    session: AsyncSession,
    now: datetime,
    *,
    max_nudges: int = MAX_NUDGES,
    every: timedelta = NUDGE_EVERY,
) -> int:
    """One reminder for each member who has not submitted, at most ``max_nudges`` per round,
    ``every`` apart. Counted when scheduled, so the bound holds even if a send is postponed."""
    last_push = func.coalesce(Response.last_nudge_at, Response.invited_at)
    rows = await session.execute(
        select(Response.id, Response.contact_id, Response.nudges_sent, last_push)
        .join(JpatRound, JpatRound.id == Response.jpat_round_id)
        .where(
            JpatRound.status == JpatRoundStatus.OPEN,
            JpatRound.deadline > now,
            Response.status.in_(surveys.OPEN_STATUSES),
            Response.nudges_sent < max_nudges,
            Response.contact_id.is_not(None),
        )
    )
    added = 0
    for response_id, contact_id, sent, last in rows.all():
        if not nudge_due(last, now, every):
            continue
        if await deliveries.add(
            session,
            kind="jpat_nudge",
            contact_id=contact_id,
            due_at=now,
            dedupe_key=f"jpat_nudge:{response_id}:{sent + 1}",
            response_id=response_id,
        ):
            await session.execute(
                update(Response)
                .where(Response.id == response_id, Response.nudges_sent == sent)
                .values(nudges_sent=sent + 1, last_nudge_at=now)
            )
            added += 1
    return added


async def cancel_pending(session: AsyncSession, round_id: int, kind: str, reason: str) -> None:
    """Withdraw notices of ``kind`` about this round that have not gone out yet (a request to
    sign a superseded version, "you may close early" once the round is closed)."""
    await session.execute(
        update(Delivery)
        .where(
            Delivery.kind == kind,
            Delivery.dedupe_key.like(f"{kind}:{round_id}:%"),
            Delivery.state == "pending",
        )
        .values(state="cancelled", detail=reason)
    )
