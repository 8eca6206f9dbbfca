"""End to end through the sandbox: a staff member's first /start is a welcome (not "welcome
back"), an invitation withdrawn or expired while someone is joining says so when they agree,
and staff who are not admins neither see nor withdraw the staff links admins made."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import MESSAGE_KINDS, Event, Limits, Phone
from bot.i18n import translator
from storage import arrivals, invites
from storage.db import Database
from storage.models import ChatFlow, Contact, Invite
from tests.e2e import ADMIN_ID, make_invite, settle_after, world_for
from tests.e2e import command_and_wait as command
from tests.e2e import press_and_wait as press

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LINK = re.compile(r"https://t\.me/partner_sandbox_bot\?start=([A-Za-z0-9_-]+)")
WELCOME_ADMIN = "Welcome! You are an admin of this bot."
WELCOME_STAFF = "Welcome to the team! You are now registered as staff."
WELCOME_BACK = "Welcome back!"
WITHDRAWN = "This invitation link has been withdrawn."
EXPIRED = "This invitation link has expired."
USED_UP = "This invitation link has already been used as many times as allowed."
NOT_OPEN = "was already revoked or is no longer open"


def quick_world(database_url: str, clock: ManualClock | None = None) -> Any:
    """A world without per-chat pacing, so a long chat is not slowed to a message a second."""
    return world_for(database_url, clock=clock, limits=Limits(chat_enabled=False), chat_burst=1000)


def only_message(events: list[Event]) -> Event:
    found = [e for e in events if e.kind in MESSAGE_KINDS]
    assert len(found) == 1, [e.content for e in found]
    return found[0]


def labels(event: Event) -> list[str]:
    return [label for row in event.buttons for label in row]


async def contact_of(db: Database, user_id: int) -> Contact | None:
    async with db.sessions() as session:
        return await session.scalar(select(Contact).where(Contact.telegram_user_id == user_id))


async def invite_row(db: Database, invite_id: int) -> Invite:
    async with db.sessions() as session:
        invite = await session.get(Invite, invite_id)
        assert invite is not None
        return invite


async def invite_id_of(db: Database, token: str) -> int:
    async with db.sessions() as session:
        invite = await invites.find(session, token)
        assert invite is not None
        return invite.id


async def contacts_count(db: Database) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Contact)) or 0)


async def to_consent(world: LocalWorld, user_id: int, token: str) -> Phone:
    """Open the link and choose English: the consent screen with "I agree" is showing."""
    phone = world.sandbox.user(user_id, first_name="Joiner", language_code="en")
    await command(phone, "start", token)
    consent = only_message(await press(phone, data="ob:lang:en"))
    assert "Do you agree?" in (consent.text or "")
    assert labels(consent) == ["I agree", "Not now"]
    return phone


# ------------------------------------------------------------------------------ first /start


async def test_admin_first_start_is_a_welcome_even_with_a_contact_made_at_start_up(
    sqlite_url: str,
) -> None:
    async with quick_world(sqlite_url) as world:
        # What start-up does for admins named in the settings: a contact, before they write.
        async with world.db.transaction() as session:
            if (
                await session.scalar(select(Contact).where(Contact.telegram_user_id == ADMIN_ID))
                is None
            ):
                session.add(
                    Contact(
                        telegram_user_id=ADMIN_ID,
                        role="admin",
                        language="en",
                        timezone="UTC",
                        status="active",
                        created_at=START,
                        updated_at=START,
                    )
                )
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        first = only_message(await command(admin, "start")).text or ""
        assert first.startswith(WELCOME_ADMIN)
        assert WELCOME_BACK not in first
        assert "/staff" in first  # the admin's commands follow the welcome
        contact = await contact_of(world.db, ADMIN_ID)
        assert contact is not None and contact.display_name == "Grace"  # the first /start told
        assert await contacts_count(world.db) == 1

        again = only_message(await command(admin, "start")).text or ""
        assert again.startswith(WELCOME_BACK)
        assert WELCOME_ADMIN not in again

        # ... and after a restart: remembered in the database, not in the process
        await world.restart_bot()
        assert (only_message(await command(admin, "start")).text or "").startswith(WELCOME_BACK)


async def test_admin_first_start_on_an_empty_database(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        admin = world.sandbox.user(ADMIN_ID, first_name="Ada", language_code="en")
        first = only_message(await command(admin, "start")).text or ""
        assert first.startswith(WELCOME_ADMIN) and WELCOME_BACK not in first
        assert (only_message(await command(admin, "start")).text or "").startswith(WELCOME_BACK)


async def test_staff_added_by_id_are_welcomed_once_then_welcomed_back(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        admin = world.sandbox.user(ADMIN_ID, first_name="Ada", language_code="en")
        await command(admin, "start")
        assert only_message(await command(admin, "staff", "add 7401")).text == (
            "Added 7401 as staff."
        )
        member = world.sandbox.user(7401, first_name="Later", language_code="fr")
        async with world.db.sessions() as session:
            assert not await arrivals.has_been_here(session, 7401)  # a contact row, no visit
        first = only_message(await command(member, "start"))
        _ = translator("fr")  # their app's language, now also their contact's
        assert (first.text or "").startswith(_(WELCOME_STAFF))
        assert _(WELCOME_BACK) not in (first.text or "")
        contact = await contact_of(world.db, 7401)
        assert contact is not None
        assert (contact.role, contact.display_name, contact.language) == ("staff", "Later", "fr")
        assert (only_message(await command(member, "start")).text or "").startswith(_(WELCOME_BACK))


async def test_staff_who_joined_by_link_and_partners_are_welcomed_back(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        admin = world.sandbox.user(ADMIN_ID, first_name="Ada", language_code="en")
        await command(admin, "start")
        offer = only_message(await command(admin, "staff", "add"))
        match = LINK.search(offer.text or "")
        assert match is not None
        newcomer = world.sandbox.user(7501, first_name="Noor", language_code="en")
        joined = only_message(await command(newcomer, "start", match.group(1))).text or ""
        assert joined.startswith(WELCOME_STAFF)
        back = only_message(await command(newcomer, "start")).text or ""
        assert back.startswith(WELCOME_BACK) and WELCOME_STAFF not in back

        # a staff member who used the bot before ever sending /start: the audit log knows
        await command(admin, "staff", "add 7502")
        veteran = world.sandbox.user(7502, first_name="Old", language_code="en")
        await command(veteran, "invites")  # listed before any /start: in the audit log
        assert (only_message(await command(veteran, "start")).text or "").startswith(WELCOME_BACK)

        token, _ = await make_invite(world.db, org_name="Hope RLO")
        partner = await to_consent(world, 7503, token)
        await press(partner, data="ob:consent:yes")
        await press(partner, data="ob:tz:Africa/Nairobi")
        await press(partner, data="ob:quiet:21:00-08:00")
        await press(partner, data="ob:attr:no")
        back = only_message(await command(partner, "start")).text or ""
        assert back.startswith(WELCOME_BACK)
        assert WELCOME_STAFF not in back and WELCOME_ADMIN not in back


# ------------------------------------------------------------------------------ joining


async def test_invitation_withdrawn_between_start_and_agree(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        admin = world.sandbox.user(ADMIN_ID, first_name="Ada", language_code="en")
        await command(admin, "start")
        token, _ = await make_invite(world.db, org_name="Hope RLO", uses=3)
        invite_id = await invite_id_of(world.db, token)
        phone = await to_consent(world, 6101, token)

        # staff withdraw it from /invites while the partner reads the consent text
        listing = only_message(await command(admin, "invites"))
        assert f"Revoke #{invite_id}" in labels(listing)
        done = only_message(await press(admin, f"Revoke #{invite_id}"))
        assert f"Invitation #{invite_id} is revoked" in (done.text or "")

        reply = only_message(await press(phone, "I agree")).text or ""
        assert WITHDRAWN in reply
        assert USED_UP not in reply
        assert "Please ask the person who invited you to send you a new link." in reply
        assert await contact_of(world.db, 6101) is None  # nothing stored about them
        async with world.db.sessions() as session:
            assert await session.get(ChatFlow, 6101) is None
        assert (await invite_row(world.db, invite_id)).uses == 0


async def test_invitation_expired_between_start_and_agree(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock=clock) as world:
        token, _ = await make_invite(world.db, org_name="Hope RLO", days=7, now=START)
        invite_id = await invite_id_of(world.db, token)
        clock.advance(days=6, hours=23)
        phone = await to_consent(world, 6201, token)
        clock.advance(hours=2)  # the link's last day ends while they read

        reply = only_message(await press(phone, "I agree")).text or ""
        assert EXPIRED in reply
        assert USED_UP not in reply
        assert await contact_of(world.db, 6201) is None
        assert (await invite_row(world.db, invite_id)).uses == 0


async def test_last_use_taken_between_start_and_agree_still_says_used_up(
    sqlite_url: str,
) -> None:
    async with quick_world(sqlite_url) as world:
        token, _ = await make_invite(world.db, org_name="Hope RLO", uses=1)
        first = await to_consent(world, 6301, token)
        second = await to_consent(world, 6302, token)
        await press(first, "I agree")  # takes the one use: the time zone question follows
        assert await contact_of(world.db, 6301) is not None
        reply = only_message(await press(second, "I agree")).text or ""
        assert USED_UP in reply
        assert WITHDRAWN not in reply and EXPIRED not in reply
        assert await contact_of(world.db, 6302) is None


# ------------------------------------------------------------------------------ /invites


async def test_staff_who_are_not_admins_cannot_see_or_revoke_admins_staff_links(
    sqlite_url: str,
) -> None:
    async with quick_world(sqlite_url) as world:
        admin = world.sandbox.user(ADMIN_ID, first_name="Ada", language_code="en")
        await command(admin, "start")
        offer = only_message(await command(admin, "staff", "add"))
        staff_match = LINK.search(offer.text or "")
        assert staff_match is not None
        staff_invite = await invite_id_of(world.db, staff_match.group(1))
        token, _ = await make_invite(world.db, org_name="Hope RLO", uses=3)
        partner_invite = await invite_id_of(world.db, token)

        await command(admin, "staff", "add 4100")
        sam = world.sandbox.user(4100, first_name="Sam", language_code="en")
        await command(sam, "start")

        # Sam sees the partner invitation only
        listing = only_message(await command(sam, "invites"))
        text = listing.text or ""
        assert f"#{partner_invite} Hope RLO: 0 of 3 uses" in text
        assert f"#{staff_invite}" not in text and "staff:" not in text
        assert labels(listing) == [f"Revoke #{partner_invite}"]

        # a forged Revoke for the staff link changes nothing and says no more than for a
        # link that does not exist
        await sam.press_data(f"inv:revoke:{staff_invite}")
        forged = only_message(await settle_after(sam)).text or ""
        assert NOT_OPEN in forged
        await sam.press_data("inv:revoke:999999")
        unknown = only_message(await settle_after(sam)).text or ""
        assert forged.replace(str(staff_invite), "N") == unknown.replace("999999", "N")
        assert (await invite_row(world.db, staff_invite)).revoked_at is None
        # ... and the staff link still works
        newcomer = world.sandbox.user(4101, first_name="Noor", language_code="en")
        joined = only_message(await command(newcomer, "start", staff_match.group(1))).text or ""
        assert joined.startswith(WELCOME_STAFF)

        # Sam may revoke the partner invitation
        done = only_message(await press(sam, f"Revoke #{partner_invite}")).text or ""
        assert f"Invitation #{partner_invite} is revoked" in done

        # the admin sees and revokes staff links
        second = only_message(await command(admin, "staff", "add"))
        second_match = LINK.search(second.text or "")
        assert second_match is not None
        second_invite = await invite_id_of(world.db, second_match.group(1))
        admin_listing = only_message(await command(admin, "invites"))
        assert f"#{second_invite} staff: 0 of 1 uses" in (admin_listing.text or "")
        assert f"Revoke #{second_invite}" in labels(admin_listing)
        assert "There are no open invitations" in (
            only_message(await command(sam, "invites")).text or ""
        )
        done = only_message(await press(admin, f"Revoke #{second_invite}")).text or ""
        assert f"Invitation #{second_invite} is revoked" in done
        assert (await invite_row(world.db, second_invite)).revoked_at is not None
