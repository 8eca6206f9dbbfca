"""Issue 3 end to end: roles: strangers and partners are refused staff commands, the admin adds
and removes staff and menus follow, the staff invitation wizard, and command menus per role
and language.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Phone
from storage.models import Invite, Organisation, OrganisationTag
from tests.e2e import ADMIN_ID, make_invite
from tests.e2e import command_and_wait as command
from tests.e2e import onboard_and_wait as onboard
from tests.e2e import press_and_wait as press
from tests.e2e import say_and_wait as say
from tests.onboarding_steps import (
    ADMIN_MENU,
    LINK,
    PARTNER_MENU,
    STAFF_AND_ADMIN_COMMANDS,
    STAFF_MENU,
    START,
    STRANGER_MENU,
    UNKNOWN,
    admin_phone,
    assert_nothing_stored,
    audit_of,
    contact_of,
    count,
    edits,
    flat,
    flow_of,
    invite_for,
    menu,
    menu_text,
    messages,
    only_message,
    plain,
    quick_world,
    t,
)

# ------------------------------------------------------------------------------ roles


async def _assert_refused_like_unknown(world: LocalWorld, phone: Phone, lang: str) -> None:
    expected = only_message(await command(phone, "frobnicate")).text
    assert plain(expected) == t(lang, UNKNOWN) != UNKNOWN  # in their language
    invites_before = await count(world.db, Invite)
    for name, args in STAFF_AND_ADMIN_COMMANDS:
        events = await command(phone, name, args)
        assert [e.kind for e in events] == ["message"], (name, args)
        assert events[0].text == expected, (name, args)
        assert events[0].buttons == []
    refused = [a for a in await audit_of(world.db, phone.user_id) if a.outcome == "refused"]
    assert [(a.action, a.subject) for a in refused] == [
        ("command.refused", f"/{name}") for name, _ in STAFF_AND_ADMIN_COMMANDS
    ]
    # nothing happened: no wizard started, no staff link, nobody named staff
    assert (await flow_of(world.db, phone.user_id)) is None
    assert await count(world.db, Invite) == invites_before
    assert await contact_of(world.db, 1) is None


async def test_strangers_and_partners_are_refused_staff_commands(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        stranger = world.sandbox.user(7001, first_name="Curious", language_code="fr")
        token, _ = await make_invite(world.db)
        partner = await onboard(world, 7002, token, language="ar")
        await asyncio.gather(  # two people at once, each in their own chat
            _assert_refused_like_unknown(world, stranger, "fr"),
            _assert_refused_like_unknown(world, partner, "ar"),
        )
        assert await contact_of(world.db, 7001) is None
        refused = [a for a in await audit_of(world.db, 7002) if a.outcome == "refused"]
        assert all(a.details == {"role": "partner"} for a in refused)


async def test_admin_adds_and_removes_staff_and_menus_follow(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        admin = await admin_phone(world)
        assert menu(admin) == ADMIN_MENU

        # by user id
        member = world.sandbox.user(7101, first_name="Sam", language_code="en")
        await command(member, "start")
        assert menu(member) == STRANGER_MENU
        reply = only_message(await command(admin, "staff", "add 7101"))
        assert reply.text == "Added 7101 as staff."
        assert menu(member) == STAFF_MENU
        contact = await contact_of(world.db, 7101)
        assert contact is not None and contact.role == "staff"
        assert (
            "There are no open invitations" in only_message(await command(member, "invites")).text
        )
        # staff are not admins
        for name, args in (("staff", "list"), ("audit", "")):
            assert only_message(await command(member, name, args)).text == UNKNOWN

        # by a staff invitation link, in Arabic
        offer = only_message(await command(admin, "staff", "add"))
        assert "To add a staff member, send them this link" in offer.text
        match = LINK.search(offer.text)
        assert match is not None
        newcomer = world.sandbox.user(7102, first_name="ليلى", language_code="ar")
        welcome = only_message(await command(newcomer, "start", match.group(1)))
        assert t("ar", "Welcome to the team! You are now registered as staff.") in plain(
            welcome.text
        )
        assert menu(newcomer) == STAFF_MENU
        assert menu_text(newcomer)["invite"] == t("ar", "Invite a partner organisation")
        contact = await contact_of(world.db, 7102)
        assert contact is not None and (contact.role, contact.language) == ("staff", "ar")
        # the staff link was for one person
        third = world.sandbox.user(7103, first_name="Third", language_code="en")
        assert (
            "already been used" in only_message(await command(third, "start", match.group(1))).text
        )
        await assert_nothing_stored(world.db, 7103)

        listing = only_message(await command(admin, "staff", "list"))
        assert "• - (7101)" in listing.text and "• ليلى (7102)" in listing.text
        assert flat(listing.buttons) == ["Remove 7101", "Remove ليلى"]
        events = await press(admin, "Remove 7101")
        assert only_message(events).text == "Removed 7101 from staff."
        assert menu(member) == STRANGER_MENU
        assert only_message(await command(member, "invite")).text == UNKNOWN

        reply = only_message(await command(admin, "staff", "remove 7102"))
        assert reply.text == "Removed 7102 from staff."
        assert menu(newcomer) == STRANGER_MENU
        assert menu_text(newcomer)["start"] == t("ar", "Begin, or open an invitation")
        assert only_message(await command(admin, "staff", "remove 7102")).text == (
            "7102 is not a staff member."
        )
        assert [(a.action, a.subject) for a in await audit_of(world.db, ADMIN_ID)][:1] == [
            ("staff.add", "7101")
        ]
        actions = [(a.action, a.subject) for a in await audit_of(world.db, ADMIN_ID)]
        assert ("staff.remove", "7101") in actions and ("staff.remove", "7102") in actions
        assert ("staff.joined_by_link", "7102") in [
            (a.action, a.subject) for a in await audit_of(world.db, 7102)
        ]


async def test_staff_invite_wizard_end_to_end(database_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(database_url, clock=clock) as world:
        admin = await admin_phone(world)
        staff = world.sandbox.user(7201, first_name="Sam", language_code="en")
        await command(staff, "start")
        await command(admin, "staff", "add 7201")
        await make_invite(world.db, org_name="Existing Org", now=START)

        first = only_message(await command(staff, "invite"))
        assert first.text == "Which organisation is this invitation for?"
        assert flat(first.buttons) == ["Existing Org", "+ New organisation", "Cancel"]
        events = await press(staff, "+ New organisation")
        assert only_message(events).text == "What is the organisation's name?"
        assert (
            "Which country does it work in?"
            in only_message(await say(staff, "Amani Women Network")).text
        )
        wrong = only_message(await say(staff, "Narnia"))
        assert "I don't know that country. Please try again." in wrong.text
        tags = only_message(await say(staff, "Kenya"))
        assert "Country: Kenya" in tags.text and flat(tags.buttons) == ["Skip"]
        events = await say(staff, "Refugee-led, Women ,health", count=2)
        texts = [e.text for e in messages(events)]
        assert texts[0] == "Created the organisation Amani Women Network."
        assert flat(messages(events)[1].buttons) == ["1", "3", "5", "10", "Cancel"]
        events = await press(staff, "3")
        assert edits(events) == ["3 uses"]
        days = only_message(events)
        assert flat(days.buttons) == ["7 days", "14 days", "30 days", "Cancel"]
        events = await press(staff, "30 days")
        assert edits(events) == ["Valid for 30 days"]
        done = only_message(events)
        assert "Here is the invitation for Amani Women Network:" in done.text
        assert "It can be used 3 times, until February 4, 2026." in done.text
        match = LINK.search(done.text)
        assert match is not None and len(match.group(1)) >= 22  # ≥ 128 random bits
        assert await flow_of(world.db, 7201) is None

        async with world.db.sessions() as session:
            org = await session.scalar(
                select(Organisation).where(Organisation.name == "Amani Women Network")
            )
            assert org is not None and org.country == "KE"
            tags_stored = await session.scalars(
                select(OrganisationTag.tag).where(OrganisationTag.organisation_id == org.id)
            )
            assert sorted(tags_stored) == ["health", "refugee-led", "women"]
        invite = await invite_for(world.db, match.group(1))
        assert (invite.organisation_id, invite.max_uses, invite.uses) == (org.id, 3, 0)
        assert invite.expires_at == START + timedelta(days=30)
        assert match.group(1) not in invite.token_hash  # only a hash is stored
        actions = [a.action for a in await audit_of(world.db, 7201)]
        assert actions == ["organisation.create", "invite.create"]

        partner = await onboard(world, 7202, match.group(1), name="Wanjiru")
        contact = await contact_of(world.db, 7202)
        assert contact is not None and contact.organisation_id == org.id
        assert menu(partner) == PARTNER_MENU
        assert (await invite_for(world.db, match.group(1))).uses == 1

        # the organisation now shows up for the next invitation; Cancel leaves nothing behind
        again = only_message(await command(staff, "invite"))
        assert flat(again.buttons)[0] == "Amani Women Network"
        assert edits(await press(staff, "Cancel", expect="edit")) == ["Cancelled."]
        assert await flow_of(world.db, 7201) is None


async def test_command_menus_per_role_and_language(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        english_stranger = world.sandbox.user(7301, first_name="S", language_code="en")
        arabic_stranger = world.sandbox.user(7302, first_name="س", language_code="ar")
        assert menu(english_stranger) == menu(arabic_stranger) == STRANGER_MENU
        assert menu_text(english_stranger)["start"] == "Begin, or open an invitation"
        assert menu_text(arabic_stranger)["start"] == t("ar", "Begin, or open an invitation")
        assert menu_text(arabic_stranger)["start"] != "Begin, or open an invitation"

        token, _ = await make_invite(world.db, uses=2)
        english_partner, arabic_partner = await asyncio.gather(
            onboard(world, 7303, token, language="en"), onboard(world, 7304, token, language="ar")
        )
        assert menu(english_partner) == menu(arabic_partner) == PARTNER_MENU
        assert menu_text(english_partner)["forget"] == "Delete your data"
        assert menu_text(arabic_partner)["forget"] == t("ar", "Delete your data")

        admin = await admin_phone(world, "ar")
        assert menu(admin) == ADMIN_MENU
        assert menu_text(admin)["audit"] == t("ar", "Recent staff actions")
        await command(english_stranger, "start")
        await command(admin, "staff", "add 7301")
        assert menu(english_stranger) == STAFF_MENU
        assert menu_text(english_stranger)["invites"] == "Invitations still open"
        # strangers who never joined still see only the stranger menu
        assert menu(arabic_stranger) == STRANGER_MENU


async def test_staff_added_before_writing_get_their_menu_on_start(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        admin = await admin_phone(world)
        reply = only_message(await command(admin, "staff", "add 7401"))
        assert reply.text == "Added 7401 as staff."
        member = world.sandbox.user(7401, first_name="Later", language_code="en")
        assert menu(member) == STRANGER_MENU  # Telegram refuses a menu for an unknown chat
        first = only_message(await command(member, "start")).text
        assert "Welcome to the team! You are now registered as staff." in first
        assert "Welcome back!" not in first  # they had never written to the bot
        assert menu(member) == STAFF_MENU
