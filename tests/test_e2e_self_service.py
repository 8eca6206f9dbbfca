"""Issue 3 end to end: partner self-service: /mydata lists everything stored, /forget then
/mydata shows nothing personal, /stop and resume, and a language switch changes replies and
menu.
"""

from __future__ import annotations

import re

from bot.clock import ManualClock
from storage.models import Contact
from tests.e2e import command_and_wait as command
from tests.e2e import make_invite
from tests.e2e import onboard_and_wait as onboard
from tests.e2e import press_and_wait as press
from tests.onboarding_steps import (
    PARTNER_MENU,
    PICKER,
    START,
    STRANGER_MENU,
    UNKNOWN,
    contact_of,
    edits,
    flat,
    menu,
    menu_text,
    mydata_text,
    only_message,
    quick_world,
    t,
)

# ------------------------------------------------------------------------------ self-service


async def test_mydata_lists_everything_stored(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock=clock) as world:
        token, _ = await make_invite(world.db, org_name="Hope RLO", now=START)
        phone = world.sandbox.user(6001, first_name="Grace", last_name="Achieng")
        await command(phone, "start", token)
        await press(phone, "English")
        await press(phone, "I agree")
        await press(phone, "Nairobi (UTC+3)")
        await press(phone, "22:00–07:00")
        await press(phone, "Yes, you may name us")

        events = await command(phone, "mydata")
        [document] = [e for e in events if e.kind == "document"]
        assert document.caption == "Here is a copy of everything I store about you."
        body = mydata_text(events)
        for line in (
            "Everything stored about you",
            "Name: Grace Achieng",
            "Telegram user id: 6001",
            "Organisation: Hope RLO",
            "Role: partner",
            "Language: English",
            "Time zone: Nairobi (UTC+3)",
            "Quiet hours: 22:00–07:00",
            "Reminders: receiving reminders and surveys",
            "Reports to funders: may name your organisation",
            "To delete your personal data, send /forget.",
        ):
            assert line in body.split("\n"), (line, body)
        # 09:00 UTC is noon in Nairobi (Babel puts a narrow space before "PM")
        assert re.search(r"^Agreed to data use on: Jan 5, 2026, 12:00:00\WPM$", body, re.M)
        assert re.search(r"^Registered on: Jan 5, 2026, 12:00:00\WPM$", body, re.M)


async def test_forget_then_mydata_shows_nothing_personal(database_url: str) -> None:
    async with quick_world(database_url) as world:
        token, org_id = await make_invite(world.db, org_name="Hope RLO")
        phone = await onboard(world, 6101, token, name="Grace")
        before = await contact_of(world.db, 6101)
        assert before is not None

        confirm = only_message(await command(phone, "forget"))
        assert "This deletes your name, the connection to your Telegram account" in confirm.text
        assert flat(confirm.buttons) == ["Yes, delete my data", "No, keep it"]
        assert "Nothing was deleted." in only_message(await press(phone, "No, keep it")).text
        assert await contact_of(world.db, 6101) is not None

        async with world.db.transaction() as session:  # had agreed to be named in reports
            (await session.get(Contact, before.id)).attribution = "attributed"
        await command(phone, "forget")
        events = await press(phone, "Yes, delete my data")
        assert "Your personal data has been deleted." in only_message(events).text
        assert await contact_of(world.db, 6101) is None
        async with world.db.sessions() as session:
            row = await session.get(Contact, before.id)
        assert row is not None  # kept, anonymous, so totals stay true
        assert row.telegram_user_id is None and row.display_name is None
        assert row.consent_at is None and row.forgotten_at is not None
        assert row.organisation_id == org_id
        assert row.attribution == "aggregate"  # never named again, in reports or exports

        events = await command(phone, "mydata")
        assert [e.kind for e in events] == ["message"]  # no document any more
        assert (events[0].text or "").startswith("I have no personal data about you.")
        assert "Grace" not in events[0].text
        assert menu(phone) == STRANGER_MENU


async def test_stop_and_resume(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        token, _ = await make_invite(world.db)
        phone = await onboard(world, 6201, token)
        reply = only_message(await command(phone, "stop"))
        assert "I will not send you reminders or surveys" in reply.text
        contact = await contact_of(world.db, 6201)
        assert contact is not None and contact.status == "stopped"
        assert contact.stopped_at is not None

        help_reply = only_message(await command(phone, "help"))
        assert "Resume reminders" in flat(help_reply.buttons)
        events = await press(phone, "Resume reminders")  # /resume from /help's button
        assert "reminders and surveys will reach you again" in only_message(events).text
        contact = await contact_of(world.db, 6201)
        assert contact is not None and contact.status == "active"
        assert contact.stopped_at is None

        await command(phone, "stop")
        reply = only_message(await command(phone, "resume"))
        assert "Welcome back: reminders and surveys will reach you again." in reply.text
        contact = await contact_of(world.db, 6201)
        assert contact is not None and contact.status == "active"


async def test_language_switch_changes_replies_and_menu(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        token, _ = await make_invite(world.db)
        phone = await onboard(world, 6301, token)
        assert menu_text(phone)["language"] == "Change the language"
        picker = only_message(await command(phone, "language"))
        assert flat(picker.buttons) == PICKER
        events = await press(phone, "Français")
        assert edits(events) == [t("fr", "Language: {name}", name="Français")]
        assert only_message(events).text == t(
            "fr", "From now on I will write to you in this language."
        )
        contact = await contact_of(world.db, 6301)
        assert contact is not None and contact.language == "fr"
        assert menu(phone) == PARTNER_MENU
        assert (
            menu_text(phone)["language"]
            == t("fr", "Change the language")
            != ("Change the language")
        )
        help_reply = only_message(await command(phone, "help"))
        assert t("fr", "You can use these commands:") in help_reply.text
        assert "You can use these commands:" not in help_reply.text
        assert only_message(await command(phone, "nonsense")).text == t("fr", UNKNOWN)
