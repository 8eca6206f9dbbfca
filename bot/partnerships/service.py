"""The database use cases of /partnership: each opens exactly one session or transaction.

The creation wizard keeps its step in the database (flow ``partnership``), so a press on an
old wizard keyboard is recognised; the card's start date is typed in the same flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.services import Services
from storage import flows, organisations, partnerships
from storage.models import Contact, Organisation, Partnership
from storage.partnerships import PartnershipRow

FLOW = "partnership"


@dataclass(frozen=True)
class Card:
    partnership: Partnership
    members: list[tuple[Contact, str]]
    active: bool  # a J-PAT round is open


@dataclass(frozen=True)
class MemberChange:
    ok: bool
    contact: Contact | None
    side: str | None  # the person's side before the change


async def listing(svc: Services) -> list[PartnershipRow]:
    async with svc.db.sessions() as session:
        return await partnerships.listing(session)


async def card(svc: Services, pid: int) -> Card | None:
    async with svc.db.sessions() as session:
        partnership = await partnerships.get(session, pid)
        if partnership is None:
            return None
        members = await partnerships.members(session, pid)
        active = await partnerships.has_active_round(session, pid)
    return Card(partnership, members, active)


async def get(svc: Services, pid: int) -> Partnership | None:
    async with svc.db.sessions() as session:
        return await partnerships.get(session, pid)


# ------------------------------------------------------------------------------ the wizard


async def open_wizard(svc: Services, user_id: int) -> list[Organisation]:
    """The organisations to choose from; the wizard waits for one only if there is any."""
    async with svc.db.transaction() as session:
        orgs = await organisations.listing(session, limit=20)
        if orgs:
            await flows.put(session, user_id, FLOW, "org", {}, svc.clock.now())
    return [org for org, _n in orgs]


async def choose_organisation(svc: Services, user_id: int, org_id: int) -> Organisation | None:
    async with svc.db.transaction() as session:
        org = await organisations.get(session, org_id)
        if org is not None:
            await flows.put(session, user_id, FLOW, "start", {"org": org.id}, svc.clock.now())
    return org


async def create(
    svc: Services, user_id: int, created_by: int | None, data: dict[str, Any], cadence: str
) -> tuple[Partnership, bool]:
    """The partnership the wizard gathered, and whether anyone is on its partner side yet."""
    async with svc.db.transaction() as session:
        partnership = await partnerships.create(
            session,
            organisation_id=int(data["org"]),
            start_date=date.fromisoformat(data["start"]),
            stage=data["stage"],
            cadence=cadence,
            created_by=created_by,
            now=svc.clock.now(),
        )
        partner_side = await partnerships.members(session, partnership.id, "partner")
        await flows.clear(session, user_id)
    return partnership, bool(partner_side)


# ------------------------------------------------------------------------------ the card's edits


async def save_start_date(
    svc: Services, user_id: int, pid: int, when: date
) -> tuple[bool, date | None]:
    """The card's new start date, and the flow that asked for it ended: (found, the old date)."""
    async with svc.db.transaction() as session:
        row = await partnerships.get(session, pid)
        before = (
            await partnerships.set_start_date(session, row, when, svc.clock.now())
            if row is not None
            else None
        )
        await flows.clear(session, user_id)
    return row is not None, before


async def set_stage(svc: Services, pid: int, stage: str) -> None:
    async with svc.db.transaction() as session:
        row = await partnerships.get(session, pid)
        await partnerships.set_stage(session, row, stage, svc.clock.now())


async def set_cadence(svc: Services, pid: int, cadence: str) -> None:
    async with svc.db.transaction() as session:
        row = await partnerships.get(session, pid)
        await partnerships.set_cadence(session, row, cadence, svc.clock.now())


async def staff_not_on_ngo_side(svc: Services, pid: int) -> list[Contact]:
    async with svc.db.sessions() as session:
        return await partnerships.staff_not_on_ngo_side(session, pid)


async def ngo_side(svc: Services, pid: int) -> list[Contact]:
    async with svc.db.sessions() as session:
        return [c for c, _s in await partnerships.members(session, pid, "ngo")]


async def change_member(svc: Services, pid: int, contact_id: int, *, add: bool) -> MemberChange:
    """A staff member joins the NGO side (not if on a side already), or leaves it (not its
    last member)."""
    async with svc.db.transaction() as session:
        contact = await session.get(Contact, contact_id)
        side = await partnerships.side_of(session, pid, contact_id)
        ngo = await partnerships.members(session, pid, "ngo")
        if add:
            ok = contact is not None and contact.role in partnerships.STAFF_ROLES and side is None
            if ok:
                await partnerships.add_member(session, pid, contact_id, "ngo")
        else:
            ok = side == "ngo" and len(ngo) > 1
            if ok:
                await partnerships.remove_member(session, pid, contact_id)
    return MemberChange(ok, contact, side)
