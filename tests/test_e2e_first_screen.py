"""Issue 12, items 5 and 6 end to end through the sandbox: a language name typed on the first
screen, and a person who said "Not now" kept in the language they chose."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.access import unknown_command_text
from bot.clock import ManualClock
from bot.devtools.sandbox import MESSAGE_KINDS, Event, Limits
from bot.i18n import FSI, PDI, RLM, translator
from storage import invites
from storage.models import ChatFlow, Contact
from tests.e2e import command_and_wait as command
from tests.e2e import make_invite, world_for
from tests.e2e import press_and_wait as press
from tests.e2e import say_and_wait as say

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
CONSENT_QUESTION = "Do you agree?"
WHICH_LANGUAGE = "Welcome! Which language would you like me to use?"
UNKNOWN_LANGUAGE = (
    "Sorry, I don't know that language. Please choose one of these, or type its name."
)


def quick_world(database_url: str, clock: ManualClock | None = None) -> Any:
    return world_for(database_url, clock=clock, limits=Limits(chat_enabled=False), chat_burst=1000)


def plain(text: str | None) -> str:
    return (text or "").replace(RLM, "").replace(FSI, "").replace(PDI, "")


def t(lang: str, message: str, **values: object) -> str:
    return plain(translator(lang)(message, **values))


def messages(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind in MESSAGE_KINDS]


def flat(buttons: list[list[str]]) -> list[str]:
    return [plain(label) for row in buttons for label in row]


async def flow_of(world: Any, user_id: int) -> ChatFlow | None:
    async with world.db.sessions() as session:
        return await session.get(ChatFlow, user_id)


async def contact_of(world: Any, user_id: int) -> Contact | None:
    async with world.db.sessions() as session:
        return await session.scalar(select(Contact).where(Contact.telegram_user_id == user_id))


async def test_typed_arabic_name_picks_arabic_and_continues_in_arabic(sqlite_url: str) -> None:
    async with quick_world(sqlite_url, ManualClock(START)) as world:
        token, _ = await make_invite(world.db, country="JO", now=START)
        phone = world.sandbox.user(7001, first_name="Amina", language_code="en")
        await command(phone, "start", token)

        events = messages(await say(phone, "عربي", count=2))
        assert plain(events[0].text) == t("ar", "Language: {name}", name="العربية")
        consent = events[-1]
        assert t("ar", CONSENT_QUESTION) in plain(consent.text)
        assert flat(consent.buttons) == [t("ar", "I agree"), t("ar", "Not now")]
        flow = await flow_of(world, 7001)
        assert flow is not None and (flow.step, flow.data["language"]) == ("consent", "ar")

        await press(phone, t("ar", "I agree"))
        contact = await contact_of(world, 7001)
        assert contact is not None and contact.language == "ar"


async def test_typed_kiswahili_picks_swahili(sqlite_url: str) -> None:
    async with quick_world(sqlite_url, ManualClock(START)) as world:
        token, _ = await make_invite(world.db, now=START)
        phone = world.sandbox.user(7002, first_name="Baraka", language_code="fr")
        await command(phone, "start", token)

        consent = messages(await say(phone, "kiswahili", count=2))[-1]
        assert t("sw", CONSENT_QUESTION) in plain(consent.text)
        assert flat(consent.buttons) == [t("sw", "I agree"), t("sw", "Not now")]
        flow = await flow_of(world, 7002)
        assert flow is not None and flow.data["language"] == "sw"


async def test_gibberish_gets_the_buttons_again_in_the_phone_language(sqlite_url: str) -> None:
    async with quick_world(sqlite_url, ManualClock(START)) as world:
        token, _ = await make_invite(world.db, now=START)
        phone = world.sandbox.user(7003, first_name="Lucía", language_code="es")
        await command(phone, "start", token)

        [reply] = messages(await say(phone, "xqzzy blorp"))
        assert plain(reply.text) == t("es", UNKNOWN_LANGUAGE)
        assert flat(reply.buttons) == ["Español", "English", "Français", "العربية", "Kiswahili"]
        flow = await flow_of(world, 7003)
        assert flow is not None and flow.step == "language"

        # the buttons still work after the hint
        consent = messages(await press(phone, "Español"))[-1]
        assert t("es", CONSENT_QUESTION) in plain(consent.text)


async def test_decline_in_french_then_start_and_text_stay_in_french(sqlite_url: str) -> None:
    async with quick_world(sqlite_url, ManualClock(START)) as world:
        token, _ = await make_invite(world.db, now=START)
        phone = world.sandbox.user(7004, first_name="Shy", language_code="en")
        await command(phone, "start", token)
        await press(phone, "Français")

        [declined] = messages(await press(phone, t("fr", "Not now")))
        assert plain(declined.text) == t(
            "fr",
            "No problem. I keep only the language you chose, for a week, so that I can "
            "answer you in it; nothing else about you is stored. When you are ready, open "
            "the invitation link again, or send /start.",
        )
        assert await contact_of(world, 7004) is None  # nothing about them, only their step

        [typed] = messages(await say(phone, "hello?"))
        assert plain(typed.text) == t(
            "fr",
            "You have not agreed to how we look after your information, so I have "
            "nothing to show you yet. When you are ready, send /start.",
        )

        [unknown] = messages(await command(phone, "foo"))
        assert plain(unknown.text) == plain(unknown_command_text("fr"))

        [helped] = messages(await command(phone, "help"))
        assert t("fr", "/start - begin, or open an invitation link") in plain(helped.text)

        [again] = messages(await command(phone, "start"))
        assert t("fr", "Before we start, here is how we look after your information.") in plain(
            again.text
        )
        assert flat(again.buttons) == [t("fr", "I agree"), t("fr", "Not now")]

        # ... and agreeing now works as it would have the first time
        await press(phone, t("fr", "I agree"))
        contact = await contact_of(world, 7004)
        assert contact is not None and contact.language == "fr"
        assert contact.consent_at == START


async def test_start_after_decline_with_a_withdrawn_link_says_so_in_their_language(
    sqlite_url: str,
) -> None:
    async with quick_world(sqlite_url, ManualClock(START)) as world:
        token, _ = await make_invite(world.db, now=START)
        phone = world.sandbox.user(7005, first_name="Shy", language_code="en")
        await command(phone, "start", token)
        await press(phone, "Français")
        await press(phone, t("fr", "Not now"))
        async with world.db.transaction() as session:
            invite = await invites.find(session, token)
            assert invite is not None
            await invites.revoke(session, invite.id, START)

        [reply] = messages(await command(phone, "start"))
        assert t("fr", "This invitation link has been withdrawn.") in plain(reply.text)
        assert await flow_of(world, 7005) is None
