"""The database use cases of a partner's side of the people feature: joining with an
invitation, their own settings and their own data. Each opens exactly one session or
transaction; the handlers parse, call one of these, and render.

The step a person is on lives in ``chat_flows`` under these flow names, so a restart does not
lose it.
"""

from __future__ import annotations

from typing import Any, Literal

from bot import timezones
from bot.i18n import normalise_language
from bot.services import Services
from storage import arrivals, contacts, flows, invites, jpat_rounds, organisations
from storage import surveys as surveys_store
from storage.invites import InviteProblem
from storage.models import ChatFlow, Contact, Organisation

JOINING = "onboarding"
SETTINGS = "settings"

#: (flow, step, data): where a person's chat goes next
Step = tuple[str, str, dict[str, Any]]
#: for ``save_settings``: leave the step the person is on as it is
KEEP: Literal["keep"] = "keep"


# ---------------------------------------------------------------- joining


async def open_invitation(
    svc: Services, token: str, user_id: int, full_name: str, language: str
) -> tuple[InviteProblem | None, bool]:
    """/start with a link: what is wrong with it, or whether it made this person staff (a
    partner's link starts the joining steps instead)."""
    now = svc.clock.now()
    joined_staff = False
    async with svc.db.transaction() as session:
        invite = await invites.find(session, token)
        problem = invites.problem_with(invite, now)
        if problem is None and invite is not None and invite.role == "staff":
            if await invites.use(session, invite.id, now):
                await contacts.make_staff(
                    session,
                    telegram_user_id=user_id,
                    display_name=full_name,
                    language=language,
                    timezone=svc.settings.default_timezone,
                    now=now,
                )
                await arrivals.mark_started(session, user_id, now)
                joined_staff = True
            else:
                problem = InviteProblem.USED_UP
        elif problem is None and invite is not None:
            await flows.put(session, user_id, JOINING, "language", {"invite_id": invite.id}, now)
    return problem, joined_staff


async def reopen_invitation(svc: Services, flow: ChatFlow) -> InviteProblem | None:
    """/start without a link from someone who opened one: what is wrong with the link now (and
    their step is gone), or None (after "Not now" they are back at the consent step)."""
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        invite = await session.get(invites.Invite, int(flow.data["invite_id"]))
        problem = invites.problem_with(invite, now)
        if problem is not None:
            await flows.clear(session, flow.telegram_user_id)
        elif flow.step == "declined":
            await flows.put(session, flow.telegram_user_id, JOINING, "consent", flow.data, now)
    return problem


async def has_been_here(svc: Services, user_id: int) -> bool:
    async with svc.db.sessions() as session:
        return await arrivals.has_been_here(session, user_id)


async def mark_started(svc: Services, user_id: int) -> None:
    async with svc.db.transaction() as session:
        await arrivals.mark_started(session, user_id, svc.clock.now())


async def make_admin_contact(svc: Services, user_id: int, full_name: str, language: str) -> None:
    async with svc.db.transaction() as session:
        contact = await contacts.make_staff(
            session,
            telegram_user_id=user_id,
            display_name=full_name,
            language=language,
            timezone=svc.settings.default_timezone,
            now=svc.clock.now(),
        )
        contact.role = "admin"


async def complete_first_contact(
    svc: Services, user_id: int, full_name: str | None, language_code: str | None
) -> None:
    """A contact made before the person wrote (no name yet) takes their name and their app's
    language from this first /start."""
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, user_id)
        if contact is not None and not contact.display_name:
            contact.display_name = (full_name or "")[:200] or None
            if language_code:
                contact.language = normalise_language(language_code)
            contact.updated_at = svc.clock.now()


async def join_as_partner(
    svc: Services, flow: ChatFlow, full_name: str, language: str
) -> tuple[InviteProblem | None, str | None]:
    """The person agreed: use their invitation and make them a partner of its organisation,
    then on to the time zone step. Returns what went wrong with the link (their step is gone),
    or None and the organisation's country."""
    user_id = flow.telegram_user_id
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        invite_id = int(flow.data["invite_id"])
        if not await invites.use(session, invite_id, now):
            await flows.clear(session, user_id)
            # Say why: withdrawn or expired since they opened it, or its last use was taken.
            problem = (
                invites.problem_with(await session.get(invites.Invite, invite_id), now)
                or InviteProblem.USED_UP
            )
            return problem, None
        invite = await session.get(invites.Invite, invite_id)
        org = (
            await organisations.get(session, invite.organisation_id)
            if invite and invite.organisation_id
            else None
        )
        zones = timezones.zones_for_country(org.country if org else None)
        contact = await contacts.create_partner(
            session,
            telegram_user_id=user_id,
            display_name=full_name,
            organisation_id=org.id if org else None,
            language=language,
            timezone=zones[0] if len(zones) == 1 else svc.settings.default_timezone,
            now=now,
        )
        # Their organisation's partnerships count them in from now, open rounds included.
        await jpat_rounds.welcome_partner(session, contact, now)
        country = org.country if org else None
        await flows.put(
            session, user_id, JOINING, "timezone", {**flow.data, "country": country}, now
        )
    return None, country


# ---------------------------------------------------------------- one's own settings


async def save_settings(
    svc: Services,
    user_id: int,
    *,
    then: Step | Literal["keep"] | None,
    timezone: str | None = None,
    quiet: tuple[str, str] | None = None,
    attribution: str | None = None,
) -> None:
    """Change some of a person's own settings and, in the same transaction, move their chat on
    to the step ``then`` (None: out of any step; ``KEEP``: leave it as it is)."""
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, user_id)
        if contact is not None:
            if timezone is not None:
                contact.timezone = timezone
            if quiet is not None:
                contact.quiet_start, contact.quiet_end = quiet
            if attribution is not None:
                contact.attribution = attribution
        if then is None:
            await flows.clear(session, user_id)
        elif then != KEEP:
            await flows.put(session, user_id, *then, svc.clock.now())


async def start_zone_setting(svc: Services, user_id: int, contact: Contact | None) -> str | None:
    """/timezone: on to its step; the country of the person's organisation, if known."""
    country = None
    async with svc.db.transaction() as session:
        if contact and contact.organisation_id:
            org = await organisations.get(session, contact.organisation_id)
            country = org.country if org else None
        await flows.put(session, user_id, SETTINGS, "timezone", {}, svc.clock.now())
    return country


async def change_language(svc: Services, user_id: int, language: str) -> int | None:
    """The person's language, and that of the survey they are answering (whose id is
    returned), so that what follows comes in the new one."""
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, user_id)
        contact.language = language
        waiting = await surveys_store.open_responses(session, contact.id)
        current = next((r for r in waiting if r.status == "in_progress"), None)
        if current is None:
            return None
        current.language = language
        return current.id


async def set_stopped(svc: Services, user_id: int, stopped: bool) -> None:
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, user_id)
        if contact is not None:
            await contacts.set_status(session, contact, stopped=stopped, now=svc.clock.now())


# ---------------------------------------------------------------- one's own data


async def my_data(
    svc: Services, contact: Contact, language: str
) -> tuple[Organisation | None, list[str]]:
    """The person's organisation, and each feature's part of /mydata."""
    async with svc.db.sessions() as session:
        org = (
            await organisations.get(session, contact.organisation_id)
            if contact.organisation_id
            else None
        )
        sections = [
            await section(svc, session, contact, language)
            for section in svc.registry.mydata_sections
        ]
    return org, sections


async def what_forgetting_keeps(svc: Services, contact_id: int) -> contacts.Kept:
    async with svc.db.sessions() as session:
        return await contacts.what_forgetting_keeps(session, contact_id)


async def forget(svc: Services, user_id: int) -> contacts.Kept:
    kept = contacts.Kept(answers=0, words=0)
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, user_id)
        if contact is not None:
            kept = await contacts.forget(session, contact, svc.clock.now())
        await flows.clear(session, user_id)
    return kept
