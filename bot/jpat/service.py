"""The J-PAT's use cases that touch the database: each opens exactly one session or
transaction, so a handler reads as parse → call → render. The consolidation wizard and the
partner side's sign-off have theirs in ``bot.jpat.service_agreed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from bot.services import Services
from conversations import Survey
from storage import audit, partnerships
from storage import jpat_agreed as agreed
from storage import jpat_figures as figures
from storage import jpat_rounds as rounds
from storage import surveys as survey_store
from storage.jpat_figures import Average, OpenAction, OpenAnswer, TrendPoint
from storage.jpat_rounds import Opened, SideCount
from storage.jpat_rules import ItemFigures, by_gap, overdue_round, round_in_key
from storage.models import Contact, Delivery, JpatRound, Partnership, Response

#: The survey every J-PAT round is answered with.
SURVEY_ID = "jpat"


# ------------------------------------------------------------------------------ rounds


async def current_round(svc: Services, partnership_id: int) -> JpatRound | None:
    """The partnership's newest round; an open one past its deadline is closed on the spot,
    so nobody waits for the next tick to see a comparison that is due."""
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        round_ = await rounds.latest_round(session, partnership_id)
        if round_ is not None and overdue_round(round_.status, round_.deadline, now):
            await rounds.close_round(session, round_, now)
    return round_


async def get_round(svc: Services, round_id: int) -> JpatRound | None:
    async with svc.db.sessions() as session:
        return await rounds.get_round(session, round_id)


async def survey_of(svc: Services, round_: JpatRound) -> Survey | None:
    """The J-PAT exactly as this round was answered (texts of its stored version)."""
    return await svc.surveys.for_version(svc.db, round_.survey_version_id)


async def own_response(svc: Services, round_id: int, contact_id: int) -> Response | None:
    async with svc.db.sessions() as session:
        return await rounds.own_response(session, round_id, contact_id)


async def side_sizes(svc: Services, partnership_id: int) -> dict[str, int]:
    async with svc.db.transaction() as session:  # refreshes the partner side, as opening does
        return await partnerships.side_sizes(session, partnership_id)


async def open_round(
    svc: Services, partnership_id: int, version_id: int, days: int, by: int | None
) -> Opened | None:
    """A new round due in ``days``; None when one is still under way (or another staff
    member opened it in the same instant)."""
    now = svc.clock.now()
    try:
        async with svc.db.transaction() as session:
            latest = await rounds.latest_round(session, partnership_id)
            partnership = await partnerships.get(session, partnership_id)
            if (latest is not None and latest.status != "final") or partnership is None:
                return None
            return await rounds.open_round(
                session,
                partnership=partnership,
                survey_id=SURVEY_ID,
                survey_version_id=version_id,
                deadline=now + timedelta(days=days),
                opened_by=by,
                now=now,
            )
    except IntegrityError:  # another staff member opened it in the same instant
        return None


async def side_counts(svc: Services, round_id: int) -> dict[str, SideCount]:
    async with svc.db.sessions() as session:
        return await rounds.side_counts(session, round_id)


async def close_early(svc: Services, round_: JpatRound, by: int | None) -> bool:
    """Close an open round once both sides have submitted; False otherwise."""
    async with svc.db.transaction() as session:
        ready = await rounds.both_sides_submitted(session, round_.id)
        return ready and await rounds.close_round(session, round_, svc.clock.now(), told_already=by)


# ------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class Comparison:
    figures: list[ItemFigures]  # largest gap first
    averages: dict[tuple[str, str], Average]
    answers: list[OpenAnswer]
    counts: dict[str, SideCount]


async def comparison(
    svc: Services, round_id: int, keys: list[str], elements: dict[str, str], open_keys: list[str]
) -> Comparison:
    async with svc.db.sessions() as session:
        return Comparison(
            figures=by_gap(await figures.comparison(session, round_id, keys)),
            averages=await figures.element_averages(session, round_id, elements),
            answers=await figures.open_answers(session, round_id, open_keys),
            counts=await rounds.side_counts(session, round_id),
        )


async def history(
    svc: Services, partnership_id: int, elements: dict[str, str]
) -> tuple[list[TrendPoint], list[OpenAction]]:
    async with svc.db.sessions() as session:
        trend = await figures.agreed_trend(session, partnership_id, elements)
        actions = await figures.open_actions(session, partnership_id)
    return trend, actions


async def mark_action_done(svc: Services, round_id: int, key: str) -> JpatRound | None:
    """The round whose action was marked done; None if there was nothing to mark."""
    async with svc.db.transaction() as session:
        round_ = await rounds.get_round(session, round_id)
        done = round_ is not None and await agreed.mark_action_done(
            session, round_id, key, svc.clock.now()
        )
    return round_ if done else None


# ------------------------------------------------------------------------------ pushes and ticks


async def round_of_push(
    svc: Services, delivery: Delivery
) -> tuple[JpatRound | None, Partnership | None, Response | None]:
    """What a J-PAT notice is about: its round, partnership and (for invitations) response."""
    async with svc.db.sessions() as session:
        response = (
            await survey_store.get_response(session, delivery.response_id)
            if delivery.response_id
            else None
        )
        round_id = response.jpat_round_id if response else round_in_key(delivery.dedupe_key)
        round_ = await rounds.get_round(session, round_id) if round_id else None
        partnership = await partnerships.get(session, round_.partnership_id) if round_ else None
    return round_, partnership, response


async def close_due(svc: Services, now: datetime) -> None:
    async with svc.db.transaction() as session:
        await rounds.close_due(session, now)


async def schedule_nudges(svc: Services, now: datetime) -> None:
    async with svc.db.transaction() as session:
        await rounds.schedule_nudges(session, now)


async def due_for_round(svc: Services, now: datetime) -> list[tuple[int, datetime]]:
    async with svc.db.sessions() as session:
        return await partnerships.due_for_round(session, now)


async def open_on_schedule(
    svc: Services,
    partnership_id: int,
    planned: datetime,
    version_id: int,
    now: datetime,
    deadline: timedelta,
) -> None:
    """The round the cadence asks for, once (``claim_due`` lets one process open it)."""
    async with svc.db.transaction() as session:
        if not await partnerships.claim_due(session, partnership_id, planned):
            return
        partnership = await partnerships.get(session, partnership_id)
        opened = await rounds.open_round(
            session,
            partnership=partnership,
            survey_id=SURVEY_ID,
            survey_version_id=version_id,
            deadline=now + deadline,
            opened_by=None,
            now=now,
        )
        await audit.record(
            session,
            at=now,
            actor_telegram_id=None,
            action="jpat.open_by_cadence",
            subject=f"partnership:{partnership_id}",
            details={"round": opened.round.id, "number": opened.round.number},
        )


async def submitted(svc: Services, response: Response) -> tuple[JpatRound | None, Contact | None]:
    """A member submitted: once both sides have, the NGO side hears they may close early."""
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        round_ = await rounds.get_round(session, response.jpat_round_id)
        contact = await session.get(Contact, response.contact_id) if response.contact_id else None
        both = (
            round_ is not None
            and round_.status == "open"
            and await rounds.both_sides_submitted(session, round_.id)
        )
        if both:
            await rounds.notify_members(session, round_, "jpat_both", now, side="ngo")
    return round_, contact
