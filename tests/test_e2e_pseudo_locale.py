"""Every string the bot sends comes from the catalogs.

With the pseudo-locale on, each translated string comes out as ⟦…⟧. A broad session through
the sandbox (strangers, partners, staff and an admin; commands, buttons, typed answers and
errors) must then show nothing outside those marks but whitespace, punctuation, digits,
direction marks and the values the test itself supplied. Anything else reached a user without
passing through a catalog.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import select
from telegram.ext import CommandHandler

from bot import i18n, timezones
from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Limits, Phone
from storage import invites
from storage.models import AuditEntry
from tests.e2e import ADMIN_ID, make_invite, settle_after, world_for
from tests.e2e import command_and_wait as command
from tests.e2e import onboard_and_wait as onboard
from tests.e2e import press_and_wait as press
from tests.e2e import say_and_wait as say

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STRANGER = 9101
MARKED = re.compile(
    f"{i18n.PSEUDO_OPEN}[^{i18n.PSEUDO_OPEN}{i18n.PSEUDO_CLOSE}]*{i18n.PSEUDO_CLOSE}"
)
LINK = re.compile(r"https://t\.me/partner_sandbox_bot\?start=([A-Za-z0-9_-]+)")
# /audit shows what each action was about as it is stored (its actions are in words).
AUDIT_CODES = re.compile(
    r"\b(?:invite|organisation):\d+\b"
    r"|(?<!\w)/(?:invite|invites|staff|audit)\b|\b(?:inv|stf):[a-z]+:\d+\b"
)
# Dates and times come from CLDR through Babel, not from our catalogs; in the pseudo locale
# Babel writes them as English ("Jan 5, 2026, 9:00 AM"), in real languages as their readers do.
CLDR_DATES = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}"
    r"(?:, \d{1,2}:\d{2}\s?[AP]M)?"
)


def untranslated(text: str, values: Iterable[str], patterns: Iterable[re.Pattern[str]]) -> str:
    """What is left of ``text`` once every ⟦…⟧ (nested too), every allowed pattern and value,
    and all whitespace, punctuation, symbols, digits and direction marks are taken out."""
    previous = None
    while previous != text:  # innermost first, so nested marks come out whole
        previous, text = text, MARKED.sub(" ", text)
    for pattern in patterns:
        text = pattern.sub(" ", text)
    for value in sorted(set(values), key=len, reverse=True):
        if value:
            text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
    kept = "".join(
        c
        if unicodedata.category(c)[0] in "LM" or c in (i18n.PSEUDO_OPEN, i18n.PSEUDO_CLOSE)
        else " "
        for c in text
    )
    return " ".join(kept.split())


def test_the_check_finds_unmarked_words() -> None:
    """The checker itself: marked text passes, nested marks pass, stray words do not."""
    patterns = [LINK]
    assert untranslated("⟦Hello ⟦Grace⟧!⟧\n\n⟦Bye⟧ 12:00–13:00 ✗ •", [], patterns) == ""
    assert untranslated("⟦Hi⟧ Grace (UTC+3)", ["Grace (UTC+3)"], patterns) == ""
    assert untranslated("⟦Hi⟧ there", [], patterns) == "there"
    assert untranslated("\u200f⟦مرحبا⟧ \u2068٣\u2069", [], patterns) == ""
    assert untranslated("⟦Cut at sixty-fou", [], patterns) == "⟦Cut at sixty fou"
    assert (
        untranslated("Link: https://t.me/partner_sandbox_bot?start=abc_DEF-1", [], patterns)
        == "Link"
    )


class Session:
    """The phones of one broad session, and the values the test typed or chose."""

    def __init__(self, world: LocalWorld) -> None:
        self.world = world
        self.phones: list[Phone] = []
        self.values: set[str] = set(i18n.NATIVE_NAMES.values())

    def phone(self, user_id: int, name: str, lang: str = "en", last: str | None = None) -> Phone:
        phone = self.world.sandbox.user(
            user_id, first_name=name, language_code=lang, last_name=last
        )
        self.phones.append(phone)
        self.values.update({name, f"{name} {last}" if last else name})
        return phone

    def supplied(self, *values: str) -> None:
        self.values.update(values)


def link_in(phone: Phone) -> str:
    for message in reversed(phone.messages):
        found = LINK.search(message.text or "")
        if found:
            return found.group(1)
    raise AssertionError(f"no invitation link in chat {phone.user_id}")


async def crash(update: object, context: object) -> None:
    raise RuntimeError("a bug in a handler")


async def stranger_script(s: Session) -> None:
    world = s.world
    stranger = s.phone(STRANGER, "Visitor")
    expired, _ = await make_invite(world.db, org_name="Old", now=START - timedelta(days=30))
    used_up, _ = await make_invite(world.db, org_name="Full", uses=1, now=START)
    revoked, _ = await make_invite(world.db, org_name="Gone", now=START)
    s.supplied("Old", "Full", "Gone")
    async with world.db.transaction() as session:
        invite = await invites.find(session, used_up)
        assert invite is not None
        invite.uses = 1
        invite = await invites.find(session, revoked)
        assert invite is not None
        await invites.revoke(session, invite.id, START)
    for token in ("", "no-such-token", expired, used_up, revoked):
        await command(stranger, "start", token)
    for name in ("frobnicate", "help", "mydata", "forget", "language", "timezone", "quiet"):
        await command(stranger, name)
    for name in ("privacy", "stop", "resume", "cancel", "invite", "invites", "staff", "audit"):
        await command(stranger, name)
    await say(stranger, "hello there")
    await stranger.press_data("ob:lang:xx")
    await settle_after(stranger, expect="callback_answer")
    await stranger.press_data("inv:revoke:1")
    await settle_after(stranger, expect="callback_answer")
    await command(stranger, "crash")  # a handler that fails: the apology is translated too


async def admin_and_staff_script(s: Session) -> str:
    """The admin names staff; staff run the /invite wizard. Returns a partner link."""
    admin = s.phone(ADMIN_ID, "Ada")
    staff = s.phone(9201, "Sam")
    await command(admin, "start")
    await command(admin, "help")
    await command(admin, "staff", "list")  # nobody yet
    await command(admin, "staff", "add")  # a staff link
    await command(staff, "start", link_in(admin))
    await command(admin, "staff", "add nobody")
    await command(admin, "staff", "remove")
    await command(admin, "staff", "remove 424242")
    await command(admin, "staff", "add 9202")
    s.supplied("9202")
    await command(admin, "staff", "list")
    await press(admin, data="stf:rm:9202")
    await command(admin, "invites")  # none open yet

    await command(staff, "invite")
    await press(staff, data="inv:new")
    await say(staff, "A")  # too short
    await say(staff, "Amani Women Network")
    await say(staff, "Narnia")  # unknown country, with suggestions
    await say(staff, "Kenya")
    await say(staff, "refugee-led, women", count=2)
    s.supplied("Amani Women Network", "refugee-led", "women")
    await say(staff, "five please")  # typed while buttons are expected
    await press(staff, "3")
    await press(staff, data="inv:days:30")
    token = link_in(staff)
    await command(staff, "invite")
    await press(staff, data="inv:new")
    await say(staff, "Tumaini Youth")
    await say(staff, "UG")
    await press(staff, data="inv:skip", count=2)
    s.supplied("Tumaini Youth")
    await press(staff, "1")
    await press(staff, data="inv:days:7")
    await command(staff, "invite")
    await press(staff, data="inv:cancel", expect="edit")
    await command(staff, "invite")
    await press(staff, "Amani Women Network")
    await press(staff, "5")
    await press(staff, data="inv:days:14")
    await command(staff, "invites")
    revoke = [b for row in staff.last_message.buttons for b in row if b.startswith("⟦")]
    assert revoke, staff.last_message.buttons
    await press(staff, revoke[0])  # the newest: the partner keeps the first link
    await press(staff, revoke[0])  # again: already revoked
    await command(staff, "staff")  # not an admin
    return token


async def partner_script(s: Session, token: str) -> None:
    partner = s.phone(9301, "Grace", last="Achieng")
    await command(partner, "start", token)
    picker = partner.last_message
    assert picker is not None
    await press(partner, data="ob:lang:en")
    await say(partner, "what is this?")  # typed while buttons are expected
    await press(partner, data="ob:consent:yes")
    await press(partner, data="ob:tz:other")
    await say(partner, "Qwxzv")
    await say(partner, "Naiorbi")
    await press(partner, data="ob:tz:Africa/Nairobi")
    await press(partner, data="ob:quiet:other")
    await say(partner, "whenever")
    await say(partner, "22-7")
    await press(partner, data="ob:attr:yes")
    s.supplied("Qwxzv", "Naiorbi")

    # every self-service command, from /help's buttons and typed
    for label_data in ("help:language", "help:timezone", "help:quiet", "help:privacy"):
        await command(partner, "help")
        await press(partner, data=label_data)
        if label_data == "help:language":
            await press(partner, data="set:lang:en")
        elif label_data == "help:timezone":
            await press(partner, data="set:tz:other")
            await say(partner, "Kampla")
            await press(partner, data="set:tz:Africa/Kampala")
        elif label_data == "help:quiet":
            await press(partner, data="set:quiet:other")
            await say(partner, "soon")
            await say(partner, "21-6")
        else:
            await press(partner, data="set:attr:no")
    await command(partner, "help")
    await press(partner, data="help:mydata")
    await command(partner, "help")
    await press(partner, data="help:forget")
    await press(partner, data="set:forget:no")
    await command(partner, "help")
    await press(partner, data="help:stop")
    await command(partner, "help")
    await press(partner, data="help:resume")
    await command(partner, "timezone")
    await press(partner, data="set:tz:Africa/Nairobi")
    await command(partner, "quiet")
    await press(partner, data="set:quiet:22:00-07:00")
    await command(partner, "privacy")
    await press(partner, data="set:attr:yes")
    await command(partner, "language")
    await press(partner, data="set:lang:fr")
    await command(partner, "help")
    await command(partner, "mydata")
    await command(partner, "language")
    await press(partner, data="set:lang:en")
    await command(partner, "stop")
    await command(partner, "resume")
    await command(partner, "cancel")
    await command(partner, "start", token)
    await command(partner, "start")
    # stale and forged buttons, and a staff command
    await partner.press("العربية", message_id=picker.message_id)
    await settle_after(partner, expect="callback_answer")
    await partner.press_data("inv:revoke:1")
    await settle_after(partner, expect="callback_answer")
    await command(partner, "invite")
    await command(partner, "forget")
    await press(partner, data="set:forget:yes")
    await command(partner, "mydata")


async def other_partners_script(s: Session) -> None:
    world = s.world
    token, _ = await make_invite(world.db, org_name="Hope RLO", country="JO", uses=2, now=START)
    s.supplied("Hope RLO")
    arabic = s.phone(9401, "أمينة", "ar")
    shy = s.phone(9402, "Shy")
    await onboard(world, arabic.user_id, token, language="ar", zone="Asia/Amman")
    await command(arabic, "help")
    await command(arabic, "nothing")
    await command(arabic, "mydata")
    await command(shy, "start", token)
    await command(shy, "cancel")
    await command(shy, "start", token)
    await press(shy, data="ob:lang:sw")
    await press(shy, data="ob:consent:no")


async def test_every_string_the_bot_sends_comes_from_the_catalogs(sqlite_url: str) -> None:
    i18n.enable_pseudo(True)
    try:
        clock = ManualClock(START)
        async with world_for(
            sqlite_url, clock=clock, limits=Limits(chat_enabled=False), chat_burst=1000
        ) as world:
            world.bot.application.add_handler(CommandHandler("crash", crash), group=-2)
            s = Session(world)
            _, token = await asyncio.gather(stranger_script(s), admin_and_staff_script(s))
            await asyncio.gather(partner_script(s, token), other_partners_script(s))
            [admin] = [p for p in s.phones if p.user_id == ADMIN_ID]
            await command(admin, "audit")
            await command(admin, "invites")
            async with world.db.sessions() as session:
                stamps = list(await session.scalars(select(AuditEntry.at)))
            offenders = check_session(s, stamps)
    finally:
        i18n.enable_pseudo(False)
    assert not offenders, "untranslated text reached users:\n" + "\n".join(offenders)


def check_session(s: Session, audit_stamps: list[datetime]) -> list[str]:
    values = set(s.values)
    now = START
    for zone in ("Africa/Nairobi", "Africa/Kampala", "Asia/Amman", "UTC"):
        for lang in i18n.LANGUAGES:
            values.add(timezones.label(zone, lang, now))
    for typed in ("Naiorbi", "Kampla"):
        for zone in timezones.find(typed)[1]:
            values.update(timezones.label(zone, lang, now) for lang in i18n.LANGUAGES)
    for stamp in audit_stamps:  # /audit prints each entry's time in the admin's zone
        for zone in ("Africa/Nairobi", "UTC"):
            values.add(format_datetime(stamp, "short", tzinfo=ZoneInfo(zone), locale="en"))
    patterns = [LINK, AUDIT_CODES, CLDR_DATES]

    # Only the deliberately broken /crash may have ended in the error handler's apology: a
    # handler that failed on the way would hide its own strings behind that translated reply.
    apology = i18n.translator("en")(
        "Sorry, something went wrong on our side. What you sent before is saved. "
        "Please try again in a moment."
    )
    failures = [
        (phone.user_id, event.index)
        for phone in s.phones
        for event in phone.events
        if event.content == apology
    ]
    assert [user for user, _ in failures] == [STRANGER], failures

    offenders: list[str] = []
    checked = 0
    for phone in s.phones:
        pieces: list[tuple[str, str]] = []
        for event in phone.events:
            if event.content:
                pieces.append((f"{event.kind} #{event.index}", event.content))
            pieces += [(f"button on #{event.index}", b) for row in event.buttons for b in row]
            if event.file is not None and event.file.data and event.kind == "document":
                pieces.append((f"document #{event.index}", event.file.data.decode("utf-8")))
        pieces += [(f"menu /{c['command']}", c["description"]) for c in phone.commands]
        for where, text in pieces:
            checked += 1
            left = untranslated(text, values, patterns)
            if left:
                offenders.append(f"chat {phone.user_id}, {where}: {left!r} in {text!r}")
    assert checked > 300, checked  # the session really was broad
    return offenders
