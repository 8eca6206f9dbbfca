"""The database use cases of the staff side of the people feature: invitations, staff members,
safeguarding focal points and the audit log. Each opens exactly one session or transaction."""

from __future__ import annotations

from datetime import timedelta

from bot.access import Person
from bot.services import Services
from storage import audit, contacts, flows, invites, organisations
from storage import safeguarding as safeguarding_store
from storage.models import AuditEntry, Contact, Invite, Organisation
from storage.safeguarding import FocalPoint

INVITE = "invite"
STAFF_ADD = "staff_add"


def invite_roles(person: Person) -> tuple[str, ...] | None:
    """Which invitations this person may see and withdraw: admins all; other staff only the
    partner invitations (staff links are an admin's, made with /staff add)."""
    return None if person.is_admin else ("partner",)


# ---------------------------------------------------------------- invitations


async def start_invite(svc: Services, user_id: int) -> list[tuple[Organisation, int]]:
    """/invite: on to its first step; the organisations to choose from."""
    async with svc.db.transaction() as session:
        orgs = await organisations.listing(session, limit=8)
        await flows.put(session, user_id, INVITE, "organisation", {}, svc.clock.now())
    return orgs


async def choose_organisation(svc: Services, user_id: int, org_id: int) -> Organisation | None:
    """The organisation chosen, and on to the number of uses; None when there is no such one."""
    async with svc.db.transaction() as session:
        org = await organisations.get(session, org_id)
        if org is not None:
            await flows.put(
                session, user_id, INVITE, "uses", {"organisation_id": org.id}, svc.clock.now()
            )
    return org


async def create_organisation(
    svc: Services, user_id: int, name: str, country: str | None, tags: list[str]
) -> Organisation:
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        org = await organisations.create(session, name=name, country=country, tags=tags, now=now)
        await flows.put(session, user_id, INVITE, "uses", {"organisation_id": org.id}, now)
    return org


async def create_partner_invite(
    svc: Services, person: Person, organisation_id: int, uses: int, days: int
) -> tuple[Organisation | None, invites.CreatedInvite]:
    async with svc.db.transaction() as session:
        org = await organisations.get(session, organisation_id)
        created = await invites.create(
            session,
            role="partner",
            organisation_id=org.id if org else None,
            max_uses=uses,
            valid_for=timedelta(days=days),
            created_by=person.contact_id,
            now=svc.clock.now(),
        )
        await flows.clear(session, person.user_id)
    return org, created


async def open_invites(svc: Services, person: Person) -> list[tuple[Invite, str | None]]:
    async with svc.db.sessions() as session:
        return await invites.open_invites(session, svc.clock.now(), roles=invite_roles(person))


async def revoke_invite(svc: Services, person: Person, invite_id: int) -> bool:
    async with svc.db.transaction() as session:
        return await invites.revoke(session, invite_id, svc.clock.now(), roles=invite_roles(person))


# ---------------------------------------------------------------- staff members


async def create_staff_invite(svc: Services, person: Person) -> invites.CreatedInvite:
    """A one-person staff link, valid for a week; the admin's next forward names the person."""
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        created = await invites.create(
            session,
            role="staff",
            organisation_id=None,
            max_uses=1,
            valid_for=timedelta(days=7),
            created_by=person.contact_id,
            now=now,
        )
        await flows.put(session, person.user_id, STAFF_ADD, "forward", {}, now)
    return created


async def add_staff(svc: Services, admin_id: int, user_id: int, name: str | None) -> str:
    """Make ``user_id`` staff; the language of their menu."""
    async with svc.db.transaction() as session:
        contact = await contacts.make_staff(
            session,
            telegram_user_id=user_id,
            display_name=name,
            # Their own language is unknown until they write; not the admin's language.
            language=svc.settings.default_language,
            timezone=svc.settings.default_timezone,
            now=svc.clock.now(),
        )
        await flows.clear(session, admin_id)
        return contact.language


async def remove_staff(svc: Services, user_id: int) -> bool:
    async with svc.db.transaction() as session:
        return await contacts.remove_staff(session, user_id, svc.clock.now())


async def staff_members(svc: Services) -> list[Contact]:
    async with svc.db.sessions() as session:
        return await contacts.staff(session)


# ---------------------------------------------------------------- safeguarding focal points


async def name_focal_point(
    svc: Services, person: Person, user_id: int, name: str | None
) -> tuple[bool, str, str]:
    """Only staff or an admin can be one: the person must already be known to the bot.
    Returns whether they may be one, the name partners are told ("" when unknown: nobody was
    named) and the language of their menu."""
    now = svc.clock.now()
    lang = svc.settings.default_language
    async with svc.db.transaction() as session:
        contact = await safeguarding_store.contact_to_name(
            session,
            user_id,
            is_admin=user_id in svc.settings.admins,
            language=svc.settings.default_language,
            timezone=svc.settings.default_timezone,
            now=now,
        )
        allowed = contact is not None and (
            contact.role == "staff" or user_id in svc.settings.admins
        )
        shown = (name or (contact.display_name if contact is not None else None) or "").strip()
        if allowed and shown and contact is not None:
            await safeguarding_store.add_focal_point(
                session,
                contact_id=contact.id,
                shown_name=shown,
                added_by=person.contact_id,
                now=now,
            )
            lang = contact.language
    return allowed, shown, lang


async def unname_focal_point(svc: Services, user_id: int, lang: str) -> tuple[bool, str, str]:
    """Whether they were one, and their role and language (``lang`` when unknown)."""
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, user_id)
        removed = contact is not None and await safeguarding_store.remove_focal_point(
            session, contact.id
        )
        role = contact.role if contact is not None else "stranger"
        if contact is not None:
            lang = contact.language
    return removed, role, lang


async def focal_points(svc: Services) -> list[FocalPoint]:
    async with svc.db.sessions() as session:
        return await safeguarding_store.focal_points(session)


# ---------------------------------------------------------------- audit


async def recent_audit(svc: Services, limit: int = 30) -> list[tuple[AuditEntry, str | None]]:
    async with svc.db.sessions() as session:
        return await audit.recent(session, limit=limit)
