"""Issue 3 end to end: invitations, onboarding, roles and partner self-service, through the
sandbox over real HTTP."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import MESSAGE_KINDS, Event, Limits, Phone
from bot.i18n import FSI, PDI, RLM, translator
from storage import invites
from storage.db import Database
from storage.models import AuditEntry, ChatFlow, Contact, Invite, Organisation, OrganisationTag
from tests.e2e import ADMIN_ID, make_invite, settle_after, world_for
from tests.e2e import command_and_wait as command
from tests.e2e import onboard_and_wait as onboard
from tests.e2e import press_and_wait as press
from tests.e2e import say_and_wait as say

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LINK = re.compile(r"https://t\.me/partner_sandbox_bot\?start=([A-Za-z0-9_-]+)")
PICKER = ["English", "Français", "Español", "العربية", "Kiswahili"]
UNKNOWN = "Sorry, I don't know that command. Send /help to see what I can do."
EXPIRED_BUTTON = "This button is no longer active. Send /help to see what you can do."
STAFF_AND_ADMIN_COMMANDS = [
    ("invite", ""),
    ("invites", ""),
    ("staff", ""),
    ("staff", "add 1"),
    ("staff", "list"),
    ("audit", ""),
]
STRANGER_MENU = ["start", "help"]
PARTNER_MENU = [
    "surveys",
    "jpat",
    "meetings",
    "help",
    "cancel",
    "language",
    "timezone",
    "quiet",
    "privacy",
    "mydata",
    "forget",
    "stop",
    "resume",
]
STAFF_MENU = [
    *PARTNER_MENU,
    "send",
    "campaigns",
    "partnership",
    "meeting",
    "summary",
    "pending",
    "export",
    "share",
    "invite",
    "invites",
]
ADMIN_MENU = [*STAFF_MENU, "staff", "audit"]


# ------------------------------------------------------------------------------ helpers


def quick_world(database_url: str, clock: ManualClock | None = None) -> Any:
    """A world without the per-chat pacing: these tests hold long chats, and ``settle`` must
    not return while a paced message is still on its way."""
    return world_for(database_url, clock=clock, limits=Limits(chat_enabled=False), chat_burst=1000)


def plain(text: str | None) -> str:
    """Text without the right-to-left mark and isolates the bot adds for Arabic."""
    return (text or "").replace(RLM, "").replace(FSI, "").replace(PDI, "")


def messages(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind in MESSAGE_KINDS]


def edits(events: list[Event]) -> list[str]:
    return [plain(e.text) for e in events if e.kind == "edit"]


def answers(events: list[Event]) -> list[str]:
    """Texts of callback answers that showed a notice (empty acknowledgements left out)."""
    return [plain(e.text) for e in events if e.kind == "callback_answer" and e.text]


def only_message(events: list[Event]) -> Event:
    found = messages(events)
    assert len(found) == 1, [e.content for e in found]
    return found[0]


def flat(buttons: list[list[str]]) -> list[str]:
    return [plain(label) for row in buttons for label in row]


def t(lang: str, message: str, **values: object) -> str:
    """The catalog's text, without bidi marks (compare with ``plain``)."""
    return plain(translator(lang)(message, **values))


async def contact_of(db: Database, user_id: int) -> Contact | None:
    async with db.sessions() as session:
        return await session.scalar(select(Contact).where(Contact.telegram_user_id == user_id))


async def flow_of(db: Database, user_id: int) -> ChatFlow | None:
    async with db.sessions() as session:
        return await session.get(ChatFlow, user_id)


async def invite_row(db: Database, invite_id: int) -> Invite:
    async with db.sessions() as session:
        invite = await session.get(Invite, invite_id)
        assert invite is not None
        return invite


async def invite_for(db: Database, token: str) -> Invite:
    async with db.sessions() as session:
        invite = await invites.find(session, token)
        assert invite is not None
        return invite


async def audit_of(db: Database, actor: int) -> list[AuditEntry]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.actor_telegram_id == actor).order_by(AuditEntry.id)
        )
        return list(rows)


async def count(db: Database, model: type) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def contacts_besides_admin(db: Database) -> int:
    """Contacts other than the configured admins (who are staff from start-up)."""
    async with db.sessions() as session:
        query = (
            select(func.count())
            .select_from(Contact)
            .where(Contact.telegram_user_id.is_distinct_from(ADMIN_ID))
        )
        return int(await session.scalar(query) or 0)


async def assert_nothing_stored(db: Database, user_id: int) -> None:
    assert await contact_of(db, user_id) is None, f"a contacts row for {user_id}"
    assert await flow_of(db, user_id) is None, f"a chat_flows row for {user_id}"


def menu(phone: Phone) -> list[str]:
    return [c["command"] for c in phone.commands]


def menu_text(phone: Phone) -> dict[str, str]:
    return {c["command"]: plain(c["description"]) for c in phone.commands}


async def admin_phone(world: LocalWorld, lang: str = "en") -> Phone:
    admin = world.sandbox.user(ADMIN_ID, first_name="Ada", language_code=lang)
    await command(admin, "start")
    return admin


def mydata_text(events: list[Event]) -> str:
    [document] = [e for e in events if e.kind == "document"]
    assert document.file is not None and document.file.data is not None
    assert document.file.filename == "my-data.txt"
    return document.file.data.decode("utf-8")


# ------------------------------------------------------------------------------ onboarding


async def test_onboarding_in_english_end_to_end(database_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(database_url, clock=clock) as world:
        token, org_id = await make_invite(world.db, org_name="Hope RLO", country="KE", now=START)
        phone = world.sandbox.user(1001, first_name="Grace", last_name="Achieng")
        picker = only_message(await command(phone, "start", token))
        assert "Which language would you like me to use?" in picker.text
        assert flat(picker.buttons) == PICKER  # each in its own script, Telegram's first
        flow = await flow_of(world.db, 1001)
        assert flow is not None and flow.step == "language"
        assert await contact_of(world.db, 1001) is None  # nothing personal before consent

        events = await press(phone, "English")
        assert edits(events) == ["Language: English"]
        consent = only_message(events)
        for part in (
            "What we store: your answers, your name as shown in Telegram, your language and "
            "your time zone.",
            "Who sees it: the NGO staff who work with your organisation.",
            "/mydata",
            "/forget",
            "Do you agree?",
        ):
            assert part in consent.text
        assert flat(consent.buttons) == ["I agree", "Not now"]
        assert await contact_of(world.db, 1001) is None

        events = await press(phone, "I agree")
        assert edits(events) == ["I agree"]
        zone_question = only_message(events)
        assert "Which time zone are you in?" in zone_question.text
        assert "Time zones for Kenya:" in zone_question.text
        assert flat(zone_question.buttons) == ["Nairobi (UTC+3)", "Other"]

        events = await press(phone, "Nairobi (UTC+3)")
        assert edits(events) == ["Time zone: Nairobi (UTC+3)"]
        quiet = only_message(events)
        assert "between 21:00 and 08:00 your time" in quiet.text
        assert flat(quiet.buttons)[0] == "Yes, keep 21:00–08:00"
        assert "Choose other hours" in flat(quiet.buttons)

        events = await press(phone, "Yes, keep 21:00–08:00")
        assert edits(events) == ["Quiet hours: 21:00–08:00"]
        attribution = only_message(events)
        assert "may it name your organisation next to your answers?" in attribution.text
        assert flat(attribution.buttons) == ["Yes, you may name us", "No, only in totals"]

        events = await press(phone, "No, only in totals")
        welcome = only_message(events)
        assert "You're all set, Grace! Thank you." in welcome.text
        assert "J-PAT check-ins" in welcome.text
        assert "reminders before review meetings" in welcome.text
        assert "/mydata - get a copy of everything stored about you" in welcome.text
        assert "/invite" not in welcome.text  # a partner is not told about staff commands
        assert "My data" in flat(welcome.buttons)

        contact = await contact_of(world.db, 1001)
        assert contact is not None
        assert contact.display_name == "Grace Achieng"
        assert contact.organisation_id == org_id
        assert (contact.role, contact.status) == ("partner", "active")
        assert contact.language == "en"
        assert contact.timezone == "Africa/Nairobi"
        assert (contact.quiet_start, contact.quiet_end) == ("21:00", "08:00")
        assert contact.consent_at == START
        assert contact.attribution == "aggregate"
        assert await flow_of(world.db, 1001) is None
        assert (await invite_for(world.db, token)).uses == 1
        assert menu(phone) == PARTNER_MENU


async def test_onboarding_in_arabic_end_to_end(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock=clock) as world:
        token, org_id = await make_invite(world.db, org_name="أمل", country="JO", now=START)
        phone = world.sandbox.user(1002, first_name="أمينة", language_code="ar")
        picker = only_message(await command(phone, "start", token))
        assert picker.text.startswith(RLM)
        assert plain(picker.text) == t("ar", "Welcome! Which language would you like me to use?")
        assert flat(picker.buttons) == ["العربية", "English", "Français", "Español", "Kiswahili"]

        events = await press(phone, "العربية")
        consent = only_message(events)
        assert "What we store" not in consent.text
        for msgid in (
            "What we store: your answers, your name as shown in Telegram, your language and "
            "your time zone.",
            "Do you agree?",
        ):
            assert t("ar", msgid) != msgid  # really translated ...
            assert t("ar", msgid) in plain(consent.text)  # ... and shown in Arabic
        assert all(line.startswith(RLM) for line in consent.text.split("\n") if line)
        agree, not_now = t("ar", "I agree"), t("ar", "Not now")
        assert flat(consent.buttons) == [agree, not_now]

        zone_question = only_message(await press(phone, agree))
        assert t("ar", "Time zones for {country}:", country="الأردن") in plain(zone_question.text)
        amman = "عمّان (UTC+3)"
        assert flat(zone_question.buttons) == [
            amman,
            plain(translator("ar").pgettext("time zone", "Other")),
        ]

        quiet = only_message(await press(phone, amman))
        assert t("ar", "Choose other hours") in flat(quiet.buttons)
        typed = only_message(await press(phone, t("ar", "Choose other hours")))
        assert plain(typed.text) == t(
            "ar", "Please type when your quiet hours start and end, for example 22:00-07:00."
        )
        unclear = only_message(await say(phone, "قريبا"))
        assert plain(unclear.text) == t(
            "ar",
            "I couldn't read that. Please type a start time and an end time, "
            "for example 22:00-07:00.",
        )
        attribution = only_message(await say(phone, "22-7"))
        yes = t("ar", "Yes, you may name us")
        assert flat(attribution.buttons) == [yes, t("ar", "No, only in totals")]

        welcome = only_message(await press(phone, yes))
        assert t("ar", "You're all set, {name}! Thank you.", name="أمينة") in plain(welcome.text)
        assert t("ar", "/mydata - get a copy of everything stored about you") in plain(welcome.text)
        assert "You're all set" not in welcome.text

        contact = await contact_of(world.db, 1002)
        assert contact is not None
        assert (contact.language, contact.timezone) == ("ar", "Asia/Amman")
        assert (contact.quiet_start, contact.quiet_end) == ("22:00", "07:00")
        assert contact.consent_at == START
        assert contact.attribution == "attributed"
        assert contact.organisation_id == org_id
        assert contact.display_name == "أمينة"
        assert await flow_of(world.db, 1002) is None
        assert menu(phone) == PARTNER_MENU
        assert menu_text(phone)["mydata"] == t("ar", "A copy of your data")


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


async def test_not_now_keeps_only_the_language_and_says_how_to_come_back(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        token, _ = await make_invite(world.db)
        phone = world.sandbox.user(5001, first_name="Shy", language_code="en")
        await command(phone, "start", token)
        await press(phone, "English")
        events = await press(phone, "Not now")
        assert edits(events) == ["Not now"]
        reply = only_message(events)
        assert "I keep only the language you chose, for a week" in reply.text
        assert "open the invitation link again, or send /start" in reply.text
        # No contact; only the step, to answer in the chosen language (it expires).
        assert await contact_of(world.db, 5001) is None
        flow = await flow_of(world.db, 5001)
        assert flow is not None and flow.step == "declined"
        assert set(flow.data) == {"invite_id", "language"}
        assert (await invite_for(world.db, token)).uses == 0  # the use is not spent
        assert menu(phone) == STRANGER_MENU
        # ... and the same link works when they come back
        assert flat(only_message(await command(phone, "start", token)).buttons) == PICKER


async def test_reopening_a_link_when_already_set_up(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        token, _ = await make_invite(world.db, uses=2)
        phone = await onboard(world, 5101, token)
        reply = only_message(await command(phone, "start", token))
        assert "You're already set up, so there is nothing more to do with this link." in (
            reply.text
        )
        assert "/mydata" in reply.text
        other, _ = await make_invite(world.db, org_name="Another org")
        assert "You're already set up" in only_message(await command(phone, "start", other)).text
        assert (await invite_for(world.db, token)).uses == 1
        assert (await invite_for(world.db, other)).uses == 0
        reply = only_message(await command(phone, "start"))
        assert "Welcome back!" in reply.text
        assert await contacts_besides_admin(world.db) == 1


async def test_typed_time_zone_with_a_near_miss_and_an_unknown_one(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        token, _ = await make_invite(world.db, country="KE")
        phone = world.sandbox.user(5201, first_name="Typist", language_code="en")
        await command(phone, "start", token)
        await press(phone, "English")
        await press(phone, "I agree")
        events = await press(phone, "Other")
        assert edits(events) == ["Time zone: another one"]
        assert "Please type the name of your city, for example" in only_message(events).text

        unknown = only_message(await say(phone, "Qwxzv"))
        assert 'I couldn\'t find "Qwxzv". Please type a big city near you' in unknown.text
        assert unknown.buttons == []
        flow = await flow_of(world.db, 5201)
        assert flow is not None and flow.step == "timezone_typed"

        near = only_message(await say(phone, "Naiorbi"))
        assert 'I couldn\'t find "Naiorbi". Did you mean one of these?' in near.text
        assert flat(near.buttons) == ["Nairobi (UTC+3)"]
        events = await press(phone, "Nairobi (UTC+3)")
        assert answers(events) == []  # taken, not refused as an old button
        assert edits(events) == ["Time zone: Nairobi (UTC+3)"]
        assert "I will not send you reminders between 21:00 and 08:00" in (
            only_message(events).text
        )
        contact = await contact_of(world.db, 5201)
        assert contact is not None and contact.timezone == "Africa/Nairobi"

        # an exact city typed straight away, and quiet hours typed as "22-7"
        await press(phone, "Choose other hours")
        attribution = only_message(await say(phone, "22-7"))
        assert "One last question" in attribution.text
        contact = await contact_of(world.db, 5201)
        assert contact is not None and (contact.quiet_start, contact.quiet_end) == (
            "22:00",
            "07:00",
        )
        await press(phone, "No, only in totals")
        await command(phone, "timezone")
        await press(phone, "Other")
        saved = only_message(await say(phone, "Beirut"))
        assert "Saved. Your time zone is now Beirut (UTC+2)." in saved.text
        contact = await contact_of(world.db, 5201)
        assert contact is not None and contact.timezone == "Asia/Beirut"


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


# ------------------------------------------------------------------------------ stale buttons


async def test_stale_and_forged_buttons_change_nothing(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        token, _ = await make_invite(world.db)
        phone = world.sandbox.user(8001, first_name="Tap", language_code="en")
        picker = only_message(await command(phone, "start", token))
        await press(phone, "English")
        consent = phone.last_message
        assert consent is not None
        await onboard_rest(phone)
        contact = await contact_of(world.db, 8001)
        assert contact is not None and contact.language == "en"

        # a tap on keyboards the bot already closed, after onboarding finished
        await phone.press("العربية", message_id=picker.message_id)
        events = await settle_after(phone, expect="callback_answer")
        assert answers(events) == [EXPIRED_BUTTON] and messages(events) == []
        await phone.press("I agree", message_id=consent.message_id)
        events = await settle_after(phone, expect="callback_answer")
        assert answers(events) == [EXPIRED_BUTTON] and messages(events) == []
        for data in ("ob:lang:xx", "ob:consent:yes", "set:forget:maybe", "help:nothing"):
            await phone.press_data(data)
            events = await settle_after(phone, expect="callback_answer")
            assert answers(events) == [EXPIRED_BUTTON], data
            assert messages(events) == [] and edits(events) == [], data
        contact = await contact_of(world.db, 8001)
        assert contact is not None and contact.language == "en"
        assert contact.telegram_user_id == 8001
        assert (await invite_for(world.db, token)).uses == 1

        # someone mid-onboarding forging an unknown language gets the notice in Arabic
        second, _ = await make_invite(world.db)
        arabic = world.sandbox.user(8002, first_name="ف", language_code="ar")
        await command(arabic, "start", second)
        await arabic.press_data("ob:lang:xx")
        events = await settle_after(arabic, expect="callback_answer")
        assert answers(events) == [t("ar", EXPIRED_BUTTON)]
        flow = await flow_of(world.db, 8002)
        assert flow is not None and flow.step == "language"
        assert await contact_of(world.db, 8002) is None

        # staff buttons forged by a partner and by a stranger: refused and logged, nothing done
        victim_id = (await invite_for(world.db, second)).id
        for actor, data in (
            (phone, "inv:revoke:999999"),
            (phone, f"inv:revoke:{victim_id}"),
            (arabic, f"inv:revoke:{victim_id}"),
            (phone, "stf:rm:8001"),
        ):
            await actor.press_data(data)
            events = await settle_after(actor, expect="callback_answer")
            lang = "en" if actor is phone else "ar"
            assert answers(events) == [t(lang, UNKNOWN)], data
            assert messages(events) == [], data
        assert (await invite_row(world.db, victim_id)).revoked_at is None
        refused = [a.subject for a in await audit_of(world.db, 8001) if a.outcome == "refused"]
        assert refused == ["inv:revoke:999999", f"inv:revoke:{victim_id}", "stf:rm:8001"]
        assert [a.subject for a in await audit_of(world.db, 8002)] == [f"inv:revoke:{victim_id}"]


async def onboard_rest(phone: Phone) -> None:
    """From the consent question to the welcome, with the buttons."""
    await press(phone, "I agree")
    await press(phone, "Nairobi (UTC+3)")
    await press(phone, "Yes, keep 21:00–08:00")
    await press(phone, "No, only in totals")
