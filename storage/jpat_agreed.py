"""The agreed J-PAT in the database: staff record a score (and for flagged statements an
action) per statement, send it to the partner side, who confirm or dispute it; actions are
marked done later. A round moves closed → consolidated → final, or back via ``disputed``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import partnerships
from storage.jpat_rounds import cancel_pending, notify_members
from storage.jpat_rules import CONSOLIDATABLE_STATUSES
from storage.models import JpatItem, JpatRound, JpatSignoff, Partnership
from storage.statuses import JpatRoundStatus


async def _item(session: AsyncSession, round_id: int, key: str) -> JpatItem:
    """The item to change; a version already sent for sign-off is withdrawn first.

    What the partner side was sent is what they confirm: once staff change a score or an
    action, the sent version no longer holds, so its Confirm and Dispute buttons go stale
    (the round is back to "closed") until staff send the new version.
    """
    withdrawn = await session.execute(
        update(JpatRound)
        .where(JpatRound.id == round_id, JpatRound.status == JpatRoundStatus.CONSOLIDATED)
        .values(status=JpatRoundStatus.CLOSED)
    )
    if withdrawn.rowcount:
        await session.get(JpatRound, round_id, populate_existing=True)
        await cancel_pending(session, round_id, "jpat_sign", "withdrawn")
    item = await session.get(JpatItem, (round_id, key))
    if item is None:
        item = JpatItem(round_id=round_id, item_key=key)
        session.add(item)
    return item


async def set_agreed_score(
    session: AsyncSession, *, round_id: int, key: str, score: int, by: int | None, now: datetime
) -> None:
    item = await _item(session, round_id, key)
    item.agreed_score = score
    item.recorded_by, item.recorded_at = by, now


async def set_action(
    session: AsyncSession,
    *,
    round_id: int,
    key: str,
    text: str,
    owner: str,
    due: date,
    by: int | None,
    now: datetime,
) -> None:
    item = await _item(session, round_id, key)
    item.action_text, item.action_owner, item.action_due = text, owner, due
    item.action_done_at = None
    item.recorded_by, item.recorded_at = by, now


async def current_stamp(session: AsyncSession, round_id: int) -> int | None:
    """The version of the consolidated J-PAT last sent to the partner side (the id of its
    "sent" sign-off row); buttons carry it so a revised version makes old ones stale."""
    return await session.scalar(
        select(func.max(JpatSignoff.id)).where(
            JpatSignoff.round_id == round_id, JpatSignoff.decision == "sent"
        )
    )


async def send_for_signoff(
    session: AsyncSession, round_: JpatRound, *, by: int | None, now: datetime
) -> tuple[int, int] | None:
    """Mark the round consolidated and ask each partner-side member to confirm or dispute.
    Returns (version stamp, people asked), or None when the round can no longer be changed
    (a partner confirmed it a moment ago)."""
    result = await session.execute(
        update(JpatRound)
        .where(JpatRound.id == round_.id, JpatRound.status.in_(CONSOLIDATABLE_STATUSES))
        .values(status=JpatRoundStatus.CONSOLIDATED, consolidated_at=now, consolidated_by=by)
    )
    if not result.rowcount:
        return None
    await session.get(JpatRound, round_.id, populate_existing=True)
    sent = JpatSignoff(round_id=round_.id, contact_id=by, decision="sent", at=now)
    session.add(sent)
    await session.flush()
    await cancel_pending(session, round_.id, "jpat_sign", "superseded")
    asked = await notify_members(session, round_, "jpat_sign", now, side="partner", tag=sent.id)
    return sent.id, asked


async def _decide(
    session: AsyncSession, round_: JpatRound, stamp: int, status: JpatRoundStatus, **values: object
) -> bool:
    if await current_stamp(session, round_.id) != stamp:
        return False
    result = await session.execute(
        update(JpatRound)
        .where(JpatRound.id == round_.id, JpatRound.status == JpatRoundStatus.CONSOLIDATED)
        .values(status=status, **values)
    )
    if not result.rowcount:
        return False
    await session.get(JpatRound, round_.id, populate_existing=True)
    await cancel_pending(session, round_.id, "jpat_sign", "superseded")
    return True


async def confirm(
    session: AsyncSession, round_: JpatRound, *, stamp: int, contact_id: int, now: datetime
) -> bool:
    """The partner side confirms: the round is final and the next check-in is planned."""
    if not await _decide(session, round_, stamp, JpatRoundStatus.FINAL, finalised_at=now):
        return False
    session.add(
        JpatSignoff(round_id=round_.id, contact_id=contact_id, decision="confirmed", at=now)
    )
    partnership = await session.get(Partnership, round_.partnership_id)
    if partnership is not None:
        partnership.next_round_at = partnerships.next_round_after(now, partnership.cadence)
        partnership.updated_at = now
    await notify_members(session, round_, "jpat_final", now, side="ngo")
    return True


async def dispute(
    session: AsyncSession,
    round_: JpatRound,
    *,
    stamp: int,
    contact_id: int,
    comment: str,
    now: datetime,
) -> bool:
    """The partner side disputes: back to staff, with the comment."""
    if not await _decide(session, round_, stamp, JpatRoundStatus.DISPUTED, dispute_comment=comment):
        return False
    session.add(
        JpatSignoff(
            round_id=round_.id, contact_id=contact_id, decision="disputed", comment=comment, at=now
        )
    )
    await notify_members(session, round_, "jpat_disputed", now, side="ngo", tag=stamp)
    return True


async def mark_action_done(session: AsyncSession, round_id: int, key: str, now: datetime) -> bool:
    result = await session.execute(
        update(JpatItem)
        .where(
            JpatItem.round_id == round_id,
            JpatItem.item_key == key,
            JpatItem.action_text.is_not(None),
            JpatItem.action_done_at.is_(None),
        )
        .values(action_done_at=now)
    )
    return bool(result.rowcount)
