"""Issue 2 end to end: the bot through the sandbox over real HTTP."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.devtools.sandbox import Limits
from bot.i18n import RLM, translator
from storage.models import Contact
from tests.e2e import command, joined, make_invite, onboard, say, settle, world_for


async def test_help_in_english(sqlite_url: str) -> None:
    async with world_for(sqlite_url) as world:
        phone = world.sandbox.user(101, first_name="Grace", language_code="en")
        [reply] = await command(phone, "help")
        assert "You can use these commands:" in reply.text
        assert "/start" in reply.text


async def test_start_and_help_in_arabic_read_right_to_left(sqlite_url: str) -> None:
    async with world_for(sqlite_url) as world:
        phone = world.sandbox.user(102, first_name="أمينة", language_code="ar")
        [start] = await command(phone, "start")
        assert "رابط دعوة" in start.text  # asks for an invitation link, in Arabic
        [help_reply] = await command(phone, "help")
        assert "/help" in help_reply.text
        assert "commands" not in help_reply.text
        lines = [line for line in help_reply.text.split("\n") if line]
        assert all(line.startswith(RLM) for line in lines)


async def test_unknown_command_and_free_text_get_polite_replies(sqlite_url: str) -> None:
    async with world_for(sqlite_url) as world:
        phone = world.sandbox.user(103, first_name="Jean", language_code="fr")
        [unknown] = await command(phone, "frobnicate")
        assert "/help" in unknown.text and "Sorry" not in unknown.text
        [text] = await say(phone, "bonjour")
        assert "/help" in text.text and "Sorry" not in text.text


async def test_a_repeated_update_is_applied_once(sqlite_url: str) -> None:
    async with world_for(sqlite_url) as world:
        phone = world.sandbox.user(104, first_name="Grace", language_code="en")
        update = await phone.send_command("help")
        assert len(await settle(phone)) == 1
        await world.sandbox.redeliver(update["update_id"])
        assert await settle(phone, quiet=0.4) == []
        # ... and it survives a restart: the claim is in the database, not in memory.
        await world.restart_bot()
        await world.sandbox.redeliver(update["update_id"])
        assert await settle(phone, quiet=0.4) == []


async def test_a_user_who_blocked_the_bot_is_marked_and_not_sent_to(sqlite_url: str) -> None:
    async with world_for(sqlite_url) as world:
        token, _ = await make_invite(world.db)
        phone = await onboard(world, 105, token)
        await phone.block()
        await settle(phone)
        async with world.db.sessions() as session:
            contact = await session.scalar(select(Contact).where(Contact.telegram_user_id == 105))
            assert contact is not None and contact.status == "blocked"
        bot = world.services.send_path
        with pytest.raises(Forbidden):
            await world.bot.application.bot.send_message(105, "are you there?")
        requests_before = world.sandbox.stats.requests.get("sendMessage", 0)
        with pytest.raises(Forbidden):
            await world.bot.application.bot.send_message(105, "again?")
        assert world.sandbox.stats.requests.get("sendMessage", 0) == requests_before
        assert 105 in bot.blocked_chats
        await phone.unblock()
        await settle(phone)
        async with world.db.sessions() as session:
            contact = await session.scalar(select(Contact).where(Contact.telegram_user_id == 105))
            assert contact is not None and contact.status == "active"
        await world.bot.application.bot.send_message(105, "welcome back")
        assert phone.last_message is not None and phone.last_message.text == "welcome back"


async def test_a_403_on_send_marks_the_contact_blocked(sqlite_url: str) -> None:
    async with world_for(sqlite_url) as world:
        token, _ = await make_invite(world.db)
        phone = await onboard(world, 106, token)
        # The block happens while the bot is down: it learns of it from the 403.
        await world.stop_bot()
        await phone.block()
        await world.start_bot()
        await settle(phone)
        with pytest.raises(Forbidden):
            await world.bot.application.bot.send_message(106, "hello?")
        async with world.db.sessions() as session:
            contact = await session.scalar(select(Contact).where(Contact.telegram_user_id == 106))
            assert contact is not None and contact.status == "blocked"


async def test_a_429_storm_during_a_burst_delivers_every_message_once(sqlite_url: str) -> None:
    async with world_for(sqlite_url) as world:
        phones = [world.sandbox.user(200 + i, first_name=f"P{i}") for i in range(5)]
        for phone in phones:
            await command(phone, "help")  # a chat exists only after the user wrote first
        world.sandbox.faults.storm(seconds=1.5, retry_after=1)
        bot = world.bot.application.bot
        sends = [
            bot.send_message(phone.user_id, f"push {n}", rate_limit_args={"priority": "bulk"})
            for phone in phones
            for n in range(6)
        ]
        await asyncio.wait_for(asyncio.gather(*sends), timeout=30)
        assert world.sandbox.stats.http_429 > 0
        for phone in phones:
            pushed = [m.text for m in phone.messages if (m.text or "").startswith("push")]
            assert pushed == [f"push {n}" for n in range(6)]  # each once, in order


async def test_pacing_keeps_a_burst_under_the_chat_limit(sqlite_url: str) -> None:
    async with world_for(sqlite_url, limits=Limits()) as world:
        phone = world.sandbox.user(301, first_name="Busy")
        await command(phone, "help")
        bot = world.bot.application.bot
        await asyncio.gather(*(bot.send_message(301, f"m{n}") for n in range(22)))
        assert world.sandbox.stats.http_429 == 0
        assert [m.text for m in phone.messages][-22:] == [f"m{n}" for n in range(22)]


async def test_sandbox_refusals_raise_what_telegram_raises(sqlite_url: str) -> None:
    async with world_for(sqlite_url) as world:
        phone = world.sandbox.user(401, first_name="Edge")
        await command(phone, "help")
        bot = world.bot.application.bot
        too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="a" * 65)]])
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(401, "hi", reply_markup=too_long_data)
        ok_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="a" * 64)]])
        await bot.send_message(401, "hi", reply_markup=ok_data)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(401, "x" * 4097)
        await bot.send_message(401, "x" * 4096)
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(401, "<b>bold</i>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("new", chat_id=401, message_id=99999)
        assert world.services.send_path.stats.failed >= 4  # refused, and not retried


async def test_command_menu_is_published_in_every_language(sqlite_url: str) -> None:
    async with world_for(sqlite_url) as world:
        english = world.sandbox.user(701, first_name="En", language_code="en").commands
        arabic = world.sandbox.user(702, first_name="Ar", language_code="ar").commands
        assert [c["command"] for c in english] == ["start", "help"]
        assert [c["command"] for c in arabic] == ["start", "help"]
        assert english[1]["description"] != arabic[1]["description"]


async def test_webhook_mode_with_secret_token(sqlite_url: str, unused_tcp_port: int) -> None:
    """``run --webhook``'s server: the sandbox calls it with the secret, the update goes
    through the inbox to the handlers and leaves the inbox once applied."""
    async with world_for(sqlite_url) as world:
        await world.stop_bot()
        from bot.app import build_application
        from bot.webhook import serve
        from storage import inbox

        app = build_application(world.settings, world.db)
        url = f"http://127.0.0.1:{unused_tcp_port}/telegram"
        stop = asyncio.Event()
        served = asyncio.create_task(
            serve(
                app,
                url=url,
                secret="s3cret-token",
                listen="127.0.0.1",
                port=unused_tcp_port,
                stop=stop,
            )
        )
        try:
            # Sent before or after setWebhook: the sandbox holds it until it can deliver.
            phone = world.sandbox.user(501, first_name="Hook")
            [reply] = await command(phone, "help")
            assert "/start" in reply.text
            assert world.sandbox.webhook_info()["url"] == url
            assert await inbox.waiting_count(world.db) == 0
        finally:
            stop.set()
            await served


async def test_an_error_in_a_handler_gets_a_polite_reply(sqlite_url: str) -> None:
    async with world_for(sqlite_url) as world:

        async def broken(update: object, context: object) -> None:
            raise RuntimeError("boom")

        from telegram.ext import CommandHandler

        world.bot.application.add_handler(CommandHandler("crash", broken), group=-2)
        phone = world.sandbox.user(601, first_name="Oops", language_code="sw")
        events = await command(phone, "crash")
        apology = translator("sw")(
            "Sorry, something went wrong on our side. What you sent before is saved. "
            "Please try again in a moment."
        )
        assert apology in joined(events)
        assert "Sorry" not in apology
