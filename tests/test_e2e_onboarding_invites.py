"""Issue 3 end to end: invitation links: bad links are refused politely with nothing stored,
an invitation for three people refuses the fourth, and staff revoke an invitation from the
list.
"""

from __future__ import annotations

import asyncio

from bot.clock import ManualClock
from storage import invites
from tests.e2e import command_and_wait as command
from tests.e2e import make_invite
from tests.e2e import onboard_and_wait as onboard
from tests.e2e import press_and_wait as press
from tests.onboarding_steps import (
    PARTNER_MENU,
    START,
    admin_phone,
    assert_nothing_stored,
    audit_of,
    contact_of,
    contacts_besides_admin,
    flat,
    invite_for,
    invite_row,
    menu,
    only_message,
    plain,
    quick_world,
    t,
)


async def test_bad_invitation_links_are_refused_politely_and_nothing_is_stored(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock=clock) as world:
        expired, _ = await make_invite(world.db, org_name="Old", days=14, now=START)
        used_up, _ = await make_invite(world.db, org_name="Full", uses=1, days=30, now=START)
        revoked, _ = await make_invite(world.db, org_name="Withdrawn", days=30, now=START)
        await onboard(world, 2000, used_up)  # takes the only use
        async with world.db.transaction() as session:
            invite = await invites.find(session, revoked)
            assert invite is not None
            assert await invites.revoke(session, invite.id, START)
        clock.advance(days=15)  # past the first invitation's 14 days, within the others' 30

        cases = [
            (2001, "fr", "n0t-a-real-token", "I don't recognise this invitation link."),
            (2002, "es", expired, "This invitation link has expired."),
            (
                2003,
                "sw",
                used_up,
                "This invitation link has already been used as many times as allowed.",
            ),
            (2004, "ar", revoked, "This invitation link has been withdrawn."),
        ]

        async def try_link(user_id: int, lang: str, token: str, reason: str) -> None:
            phone = world.sandbox.user(user_id, first_name=f"P{user_id}", language_code=lang)
            reply = only_message(await command(phone, "start", token))
            assert t(lang, reason) != reason, lang  # in the person's language, not English
            assert t(lang, reason) in plain(reply.text), (lang, reply.text)
            ask = "Please ask the person who invited you to send you a new link."
            assert t(lang, ask) in plain(reply.text), (lang, reply.text)
            assert reply.buttons == []
            await assert_nothing_stored(world.db, user_id)

        await asyncio.gather(*(try_link(*case) for case in cases))
        # a stranger with no link at all is told how to get one, and nothing is stored either
        phone = world.sandbox.user(2005, first_name="Nobody", language_code="en")
        reply = only_message(await command(phone, "start"))
        assert "you need an invitation link from the NGO team" in reply.text
        await assert_nothing_stored(world.db, 2005)
        assert await contacts_besides_admin(world.db) == 1  # only the partner who used the link


async def test_an_invitation_for_three_people_refuses_the_fourth(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        token, org_id = await make_invite(world.db, uses=3)
        phones = await asyncio.gather(  # three people on the same link at the same time
            *(onboard(world, user_id, token, name=f"L{user_id}") for user_id in (3001, 3002, 3003))
        )
        for user_id, phone in zip((3001, 3002, 3003), phones, strict=True):
            assert "You're all set, L" in (phone.last_message.text or "")
            assert menu(phone) == PARTNER_MENU
            contact = await contact_of(world.db, user_id)
            assert contact is not None and contact.organisation_id == org_id
            assert contact.consent_at is not None
        assert (await invite_for(world.db, token)).uses == 3
        fourth = world.sandbox.user(3004, first_name="Late", language_code="en")
        reply = only_message(await command(fourth, "start", token))
        assert "already been used as many times as allowed" in reply.text
        assert "ask the person who invited you" in reply.text
        await assert_nothing_stored(world.db, 3004)
        assert (await invite_for(world.db, token)).uses == 3


async def test_staff_revoke_an_invitation_from_the_list(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        admin = await admin_phone(world)
        staff = world.sandbox.user(4000, first_name="Sam", language_code="en")
        await command(staff, "start")
        await command(admin, "staff", "add 4000")
        token, _ = await make_invite(world.db, org_name="Hope RLO", uses=3)
        invite_id = (await invite_for(world.db, token)).id

        listing = only_message(await command(staff, "invites"))
        assert "Invitations that can still be used:" in listing.text
        assert f"#{invite_id} Hope RLO: 0 of 3 uses, valid until" in listing.text
        assert flat(listing.buttons) == [f"Revoke #{invite_id}"]

        events = await press(staff, f"Revoke #{invite_id}")
        assert f"Invitation #{invite_id} is revoked: the link no longer works." in (
            only_message(events).text
        )
        assert (await invite_row(world.db, invite_id)).revoked_at is not None
        assert [(a.action, a.subject) for a in await audit_of(world.db, 4000)] == [
            ("invite.list", None),
            ("invite.revoke", f"invite:{invite_id}"),
        ]
        # the old button again: nothing changes, and staff are told so
        again = only_message(await press(staff, f"Revoke #{invite_id}"))
        assert "was already revoked or is no longer open" in again.text
        empty = only_message(await command(staff, "invites"))
        assert "There are no open invitations. Create one with /invite." in empty.text

        partner = world.sandbox.user(4001, first_name="Late", language_code="en")
        assert "has been withdrawn" in only_message(await command(partner, "start", token)).text
        await assert_nothing_stored(world.db, 4001)
