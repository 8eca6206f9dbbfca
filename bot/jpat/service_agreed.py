"""The database use cases of recording the agreed J-PAT (the wizard, flow ``jpat_cons``) and
of the partner side's sign-off (confirm, or dispute with a comment: flow ``jpat_dispute``).
Each opens exactly one session or transaction.
"""

from __future__ import annotations

from datetime import date

from bot.services import Services
from storage import flows, partnerships
from storage import jpat_agreed as agreed
from storage import jpat_figures as figures
from storage import jpat_rounds as rounds
from storage.jpat_rules import ItemFigures, by_gap, unrecorded
from storage.models import ChatFlow, JpatItem, JpatRound, Partnership

FLOW = "jpat_cons"
DISPUTE_FLOW = "jpat_dispute"


# ------------------------------------------------------------------------------ the wizard


async def start_wizard(svc: Services, user_id: int, round_id: int, keys: list[str]) -> dict:
    """The wizard's state, kept in the database: the statements largest gaps first, which of
    them are flagged, and where it stands."""
    async with svc.db.transaction() as session:
        found = by_gap(await figures.comparison(session, round_id, keys))
        data = {
            "round": round_id,
            "keys": [f.key for f in found],
            "flagged": [f.key for f in found if f.flagged],
            "i": 0,
        }
        await flows.put(session, user_id, FLOW, "score", data, svc.clock.now())
    return data


async def statement(svc: Services, round_id: int, key: str) -> tuple[ItemFigures, JpatItem | None]:
    """Both sides' figures for one statement, and what was recorded for it so far."""
    async with svc.db.sessions() as session:
        [figure] = await figures.comparison(session, round_id, [key])
        current = (await figures.items(session, round_id)).get(key)
    return figure, current


async def recorded(svc: Services, round_id: int, key: str) -> JpatItem | None:
    async with svc.db.sessions() as session:
        return (await figures.items(session, round_id)).get(key)


async def record_score(
    svc: Services, round_id: int, key: str, score: int, by: int | None
) -> JpatItem | None:
    async with svc.db.transaction() as session:
        await agreed.set_agreed_score(
            session, round_id=round_id, key=key, score=score, by=by, now=svc.clock.now()
        )
        return (await figures.items(session, round_id)).get(key)


async def record_action(
    svc: Services, round_id: int, key: str, text: str, owner: str, due: date, by: int | None
) -> None:
    async with svc.db.transaction() as session:
        await agreed.set_action(
            session,
            round_id=round_id,
            key=key,
            text=text,
            owner=owner,
            due=due,
            by=by,
            now=svc.clock.now(),
        )


async def agreed_items(
    svc: Services, round_: JpatRound
) -> tuple[dict[str, JpatItem], Partnership | None]:
    """The agreed J-PAT as recorded so far, and its partnership."""
    async with svc.db.sessions() as session:
        items = await figures.items(session, round_.id)
        partnership = await partnerships.get(session, round_.partnership_id)
    return items, partnership


async def send_for_signoff(
    svc: Services, user_id: int, round_id: int, data: dict, by: int | None
) -> tuple[list[str], tuple[int, int] | None]:
    """The statements still unrecorded, or else (version stamp, people asked) once sent —
    None when the partner side confirmed it a moment ago. The wizard ends when it is sent."""
    async with svc.db.transaction() as session:
        items = await figures.items(session, round_id)
        missing = unrecorded(data["keys"], data["flagged"], items)
        sent = None
        if not missing:
            row = await rounds.get_round(session, round_id)
            sent = await agreed.send_for_signoff(session, row, by=by, now=svc.clock.now())
            await flows.clear(session, user_id)
    return missing, sent


# ------------------------------------------------------------------------------ sign-off


async def current_stamp(svc: Services, round_id: int) -> int | None:
    async with svc.db.sessions() as session:
        return await agreed.current_stamp(session, round_id)


async def signer(
    svc: Services, round_: JpatRound, contact_id: int | None
) -> tuple[str | None, int | None]:
    """The person's side at the round's partnership, and the version awaiting sign-off."""
    async with svc.db.sessions() as session:
        side = await partnerships.side_of(session, round_.partnership_id, contact_id)
        stamp = await agreed.current_stamp(session, round_.id)
    return side, stamp


async def begin_dispute(svc: Services, user_id: int, data: dict) -> None:
    async with svc.db.transaction() as session:
        await flows.put(session, user_id, DISPUTE_FLOW, "comment", data, svc.clock.now())


async def confirm(
    svc: Services, round_: JpatRound, stamp: int, contact_id: int | None
) -> tuple[bool, Partnership | None]:
    """The partner side confirms the version ``stamp``: whether it counted, and the
    partnership (with its next check-in planned)."""
    async with svc.db.transaction() as session:
        row = await rounds.get_round(session, round_.id)
        confirmed = await agreed.confirm(
            session, row, stamp=stamp, contact_id=contact_id, now=svc.clock.now()
        )
        partnership = await partnerships.get(session, round_.partnership_id)
    return confirmed, partnership


async def dispute(
    svc: Services, user_id: int, flow: ChatFlow, contact_id: int | None, comment: str
) -> bool:
    """The partner's comment disputes the version the dispute flow was started for; the
    flow ends either way."""
    async with svc.db.transaction() as session:
        round_ = await rounds.get_round(session, int(flow.data.get("round", 0)))
        side = (
            await partnerships.side_of(session, round_.partnership_id, contact_id)
            if round_ is not None
            else None
        )
        disputed = (
            round_ is not None
            and side == "partner"
            and contact_id is not None
            and await agreed.dispute(
                session,
                round_,
                stamp=int(flow.data.get("version", 0)),
                contact_id=contact_id,
                comment=comment,
                now=svc.clock.now(),
            )
        )
        await flows.clear(session, user_id)
    return disputed
