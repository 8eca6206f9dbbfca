"""J-PAT rounds: opening, closing, the side-by-side figures, consolidation and sign-off.

A round moves open → closed → consolidated → final; a dispute by the partner side sends it to
``disputed`` until staff send a revised version. Every member's submission is an ordinary survey
``Response`` (``jpat_round_id`` and ``side`` set), so the survey chat runs it unchanged.

The comparison is computed in SQL: per item and side the distribution of scores
(``GROUP BY value``), from which the median is read off without loading a single answer row;
"don't know" is stored but never counted. Only completed submissions count.

Notifications are deliveries whose ``dedupe_key`` starts with ``<kind>:<round id>:`` so the
composer knows the round and a retry never sends twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deliveries, partnerships, surveys
from storage.models import (
    AnswerRow,
    Contact,
    Delivery,
    JpatItem,
    JpatRound,
    JpatSignoff,
    Partnership,
    Response,
)

#: The survey definition every J-PAT round is answered with.
JPAT_SURVEY = "jpat"
#: Which rounds' answers may be seen: never while the round is open (the blind phase).
VIEWABLE_STATUSES: tuple[str, ...] = ("closed", "consolidated", "disputed", "final")
#: Staff may (re)record the agreed J-PAT in these states.
CONSOLIDATABLE_STATUSES: tuple[str, ...] = ("closed", "consolidated", "disputed")
FLAG_GAP = 1.5
FLAG_LOW = 2
MAX_NUDGES = 2
NUDGE_EVERY = timedelta(days=3)
OWNERS: tuple[str, ...] = ("ngo", "partner", "both")


# ------------------------------------------------------------------------------ rounds


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
        status="open",
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


#: A partner who has just joined finishes onboarding before an open round invites them.
JOINER_INVITE_DELAY = timedelta(minutes=10)


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
                JpatRound.status == "open",
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
            func.count(Response.id).filter(Response.status == "completed"),
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


def round_of_delivery(delivery: Delivery) -> int | None:
    """The round a J-PAT notification is about (its dedupe key names it)."""
    parts = delivery.dedupe_key.split(":")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


async def close_round(
    session: AsyncSession, round_: JpatRound, now: datetime, *, told_already: int | None = None
) -> bool:
    """Open → closed, once (a second process or a double press changes nothing). Unfinished
    submissions are closed like an overdue campaign's, and every member hears the news (but
    ``told_already``, the staff member who closed it and sees the reply)."""
    result = await session.execute(
        update(JpatRound)
        .where(JpatRound.id == round_.id, JpatRound.status == "open")
        .values(status="closed", closed_at=now)
    )
    if not result.rowcount:
        return False
    await session.execute(
        update(Response)
        .where(Response.jpat_round_id == round_.id, Response.status.in_(("in_progress", "paused")))
        .values(status="partial", updated_at=now)
    )
    await session.execute(
        update(Response)
        .where(Response.jpat_round_id == round_.id, Response.status == "invited")
        .values(status="expired", updated_at=now)
    )
    await cancel_pending(session, round_.id, "jpat_both", "no longer open")
    row = await session.get(JpatRound, round_.id, populate_existing=True)
    await notify_members(session, row, "jpat_closed", now, skip=told_already)
    return True


async def close_due(session: AsyncSession, now: datetime) -> list[int]:
    ids = list(
        await session.scalars(
            select(JpatRound.id).where(JpatRound.status == "open", JpatRound.deadline <= now)
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
            JpatRound.status == "open",
            JpatRound.deadline > now,
            Response.status.in_(surveys.OPEN_STATUSES),
            Response.nudges_sent < max_nudges,
            Response.contact_id.is_not(None),
        )
    )
    added = 0
    for response_id, contact_id, sent, last in rows.all():
        if last is None or last + every > now:
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


# ------------------------------------------------------------------------------ figures


def median_from_counts(counts: Sequence[tuple[float, int]]) -> float | None:
    """The median of a distribution given as (value, count) pairs sorted by value."""
    n = sum(count for _value, count in counts)
    if n == 0:
        return None

    def nth(k: int) -> float:  # the k-th smallest value, 1-based
        seen = 0
        for value, count in counts:
            seen += count
            if seen >= k:
                return value
        raise AssertionError("unreachable")

    if n % 2:
        return nth((n + 1) // 2)
    return (nth(n // 2) + nth(n // 2 + 1)) / 2


@dataclass(frozen=True)
class SideFigures:
    counts: tuple[tuple[float, int], ...] = ()

    @property
    def n(self) -> int:
        return sum(count for _value, count in self.counts)

    @property
    def median(self) -> float | None:
        return median_from_counts(self.counts)

    @property
    def lowest(self) -> float | None:
        return self.counts[0][0] if self.counts else None


@dataclass(frozen=True)
class ItemFigures:
    key: str
    ngo: SideFigures = field(default_factory=SideFigures)
    partner: SideFigures = field(default_factory=SideFigures)

    def side(self, side: str) -> SideFigures:
        return self.ngo if side == "ngo" else self.partner

    @property
    def gap(self) -> float | None:
        """How far apart the two sides' medians are (None when a side has no score)."""
        if self.ngo.median is None or self.partner.median is None:
            return None
        return abs(self.ngo.median - self.partner.median)

    @property
    def low(self) -> bool:
        return any(s.lowest is not None and s.lowest <= FLAG_LOW for s in (self.ngo, self.partner))

    @property
    def flagged(self) -> bool:
        """To discuss at the joint meeting: the sides differ by 1.5 or more, or anyone
        rated 2 or lower."""
        return (self.gap is not None and self.gap >= FLAG_GAP) or self.low


def _scored(round_id: int, keys: Sequence[str]):
    """Answers that count: numeric, answered (not "don't know"), from completed submissions."""
    return (
        Response.jpat_round_id == round_id,
        Response.status == "completed",
        AnswerRow.status == "answered",
        AnswerRow.value_num.is_not(None),
        AnswerRow.question_key.in_(list(keys)),
    )


async def comparison(
    session: AsyncSession, round_id: int, item_keys: Sequence[str]
) -> list[ItemFigures]:
    """Per item (in ``item_keys`` order) each side's score distribution, counted in SQL."""
    rows = await session.execute(
        select(Response.side, AnswerRow.question_key, AnswerRow.value_num, func.count())
        .join(Response, Response.id == AnswerRow.response_id)
        .where(*_scored(round_id, item_keys))
        .group_by(Response.side, AnswerRow.question_key, AnswerRow.value_num)
        .order_by(Response.side, AnswerRow.question_key, AnswerRow.value_num)
    )
    counts: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for side, key, value, count in rows.all():
        counts.setdefault((side, key), []).append((float(value), int(count)))
    return [
        ItemFigures(
            key=key,
            ngo=SideFigures(tuple(counts.get(("ngo", key), ()))),
            partner=SideFigures(tuple(counts.get(("partner", key), ()))),
        )
        for key in item_keys
    ]


def by_gap(items: Sequence[ItemFigures]) -> list[ItemFigures]:
    """Largest gap first; items a side did not rate go last; ties keep the survey order."""
    order = {item.key: i for i, item in enumerate(items)}
    return sorted(items, key=lambda item: (item.gap is None, -(item.gap or 0.0), order[item.key]))


def _element_of(elements: Mapping[str, str]):
    return case(dict(elements), value=AnswerRow.question_key)


@dataclass(frozen=True)
class Average:
    value: float
    n: int


async def element_averages(
    session: AsyncSession, round_id: int, elements: Mapping[str, str]
) -> dict[tuple[str, str], Average]:
    """(side, element) → the mean of every rating given to the element's items, in SQL."""
    # The element is computed in a subquery and grouped on outside: PostgreSQL cannot tell
    # that a CASE with bound parameters in SELECT and in GROUP BY is the same expression.
    scored = (
        select(
            Response.side.label("side"),
            _element_of(elements).label("element"),
            AnswerRow.value_num.label("value"),
        )
        .join(Response, Response.id == AnswerRow.response_id)
        .where(*_scored(round_id, list(elements)))
        .subquery()
    )
    rows = await session.execute(
        select(scored.c.side, scored.c.element, func.avg(scored.c.value), func.count()).group_by(
            scored.c.side, scored.c.element
        )
    )
    return {(side, elem): Average(float(avg), int(n)) for side, elem, avg, n in rows.all() if n}


@dataclass(frozen=True)
class OpenAnswer:
    side: str
    key: str
    text: str | None
    voice_duration: int | None


async def open_answers(
    session: AsyncSession, round_id: int, keys: Sequence[str]
) -> list[OpenAnswer]:
    """The typed (or spoken) answers of completed submissions, side by side, unattributed."""
    rows = await session.execute(
        select(
            Response.side,
            AnswerRow.question_key,
            AnswerRow.value_text,
            AnswerRow.voice_file_id,
            AnswerRow.voice_duration,
        )
        .join(Response, Response.id == AnswerRow.response_id)
        .where(
            Response.jpat_round_id == round_id,
            Response.status == "completed",
            AnswerRow.status == "answered",
            AnswerRow.question_key.in_(list(keys)),
        )
        .order_by(Response.side, AnswerRow.question_key, AnswerRow.id)
    )
    found = []
    for side, key, text, voice, duration in rows.all():
        if text or voice:
            found.append(OpenAnswer(side, key, text, duration if voice else None))
    return found


# ------------------------------------------------------------------------------ consolidation


async def items(session: AsyncSession, round_id: int) -> dict[str, JpatItem]:
    result = await session.scalars(select(JpatItem).where(JpatItem.round_id == round_id))
    return {item.item_key: item for item in result}


async def _item(session: AsyncSession, round_id: int, key: str) -> JpatItem:
    """The item to change; a version already sent for sign-off is withdrawn first.

    What the partner side was sent is what they confirm: once staff change a score or an
    action, the sent version no longer holds, so its Confirm and Dispute buttons go stale
    (the round is back to "closed") until staff send the new version.
    """
    withdrawn = await session.execute(
        update(JpatRound)
        .where(JpatRound.id == round_id, JpatRound.status == "consolidated")
        .values(status="closed")
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


async def send_for_signoff(
    session: AsyncSession, round_: JpatRound, *, by: int | None, now: datetime
) -> tuple[int, int] | None:
    """Mark the round consolidated and ask each partner-side member to confirm or dispute.
    Returns (version stamp, people asked), or None when the round can no longer be changed
    (a partner confirmed it a moment ago)."""
    result = await session.execute(
        update(JpatRound)
        .where(JpatRound.id == round_.id, JpatRound.status.in_(CONSOLIDATABLE_STATUSES))
        .values(status="consolidated", consolidated_at=now, consolidated_by=by)
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
    session: AsyncSession, round_: JpatRound, stamp: int, status: str, **values: object
) -> bool:
    if await current_stamp(session, round_.id) != stamp:
        return False
    result = await session.execute(
        update(JpatRound)
        .where(JpatRound.id == round_.id, JpatRound.status == "consolidated")
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
    if not await _decide(session, round_, stamp, "final", finalised_at=now):
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
    if not await _decide(session, round_, stamp, "disputed", dispute_comment=comment):
        return False
    session.add(
        JpatSignoff(
            round_id=round_.id, contact_id=contact_id, decision="disputed", comment=comment, at=now
        )
    )
    await notify_members(session, round_, "jpat_disputed", now, side="ngo", tag=stamp)
    return True


# ------------------------------------------------------------------------------ history


@dataclass(frozen=True)
class TrendPoint:
    number: int
    element: str
    average: float


async def agreed_trend(
    session: AsyncSession, partnership_id: int, elements: Mapping[str, str]
) -> list[TrendPoint]:
    """Per final round and element, the mean agreed score, in SQL."""
    agreed = (
        select(
            JpatRound.number.label("number"),
            case(dict(elements), value=JpatItem.item_key).label("element"),
            JpatItem.agreed_score.label("score"),
        )
        .join(JpatRound, JpatRound.id == JpatItem.round_id)
        .where(
            JpatRound.partnership_id == partnership_id,
            JpatRound.status == "final",
            JpatItem.agreed_score.is_not(None),
            JpatItem.item_key.in_(list(elements)),
        )
        .subquery()
    )
    rows = await session.execute(
        select(agreed.c.number, agreed.c.element, func.avg(agreed.c.score))
        .group_by(agreed.c.number, agreed.c.element)
        .order_by(agreed.c.number, agreed.c.element)
    )
    return [TrendPoint(int(n), elem, float(avg)) for n, elem, avg in rows.all()]


@dataclass(frozen=True)
class OpenAction:
    round_id: int
    round_number: int
    key: str
    text: str
    owner: str | None
    due: date | None


async def open_actions(session: AsyncSession, partnership_id: int) -> list[OpenAction]:
    """Agreed actions of final rounds not marked done, soonest due first."""
    rows = await session.execute(
        select(JpatItem, JpatRound.number)
        .join(JpatRound, JpatRound.id == JpatItem.round_id)
        .where(
            JpatRound.partnership_id == partnership_id,
            JpatRound.status == "final",
            JpatItem.action_text.is_not(None),
            JpatItem.action_done_at.is_(None),
        )
        .order_by(JpatItem.action_due, JpatRound.number, JpatItem.item_key)
    )
    return [
        OpenAction(
            item.round_id,
            int(number),
            item.item_key,
            item.action_text or "",
            item.action_owner,
            item.action_due,
        )
        for item, number in rows.all()
    ]


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
