"""The phone API (playing users, waiting for replies), transcripts, the control API, and a
full python-telegram-bot Application running against the sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Keyboard
from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.devtools.sandbox import Sandbox, WaitTimeout

TOKEN = "123456:TEST"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = Sandbox(token=TOKEN)
    await sb.start()
    yield sb
    await sb.stop()


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=sandbox.base_url) as client:
        yield client


def consent_keyboard(step: str) -> Keyboard:
    return Keyboard(
        [[Button("Agree", callback_data=f"{step}:yes"), Button("No", callback_data=f"{step}:no")]]
    )


async def test_wait_consumes_only_requested_kinds(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = sandbox.user(1001, first_name="Amina")
    await phone.start()
    first = await bot.send_message(1001, "first", reply_markup=consent_keyboard("s1"))
    await bot.send_chat_action(1001, "typing")
    await bot.edit_message_reply_markup(1001, first.message_id)
    await bot.send_message(1001, "second")
    assert [e.text for e in await phone.wait(2)] == ["first", "second"]
    [edit] = await phone.wait(kinds="edit")  # skipped above, still available
    assert edit.message_id == first.message_id and edit.reply_markup is None
    [action] = await phone.wait(kinds=("chat_action",))
    assert action.action == "typing"
    assert phone.pending == []
    with pytest.raises(WaitTimeout, match="found 0"):
        await phone.wait(timeout=0.05)
    assert [e.index for e in phone.events] == [1, 2, 3, 4]


async def test_wait_blocks_until_the_bot_replies(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = sandbox.user(1001)
    await phone.start()

    async def slow_bot() -> None:
        await asyncio.sleep(0.1)
        await bot.send_message(1001, "late reply")

    task = asyncio.create_task(slow_bot())
    reply = await phone.reply(timeout=2)
    await task
    assert reply.text == "late reply"


async def test_press_on_old_and_replaced_keyboards(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = sandbox.user(1001)
    await phone.start()
    old = await bot.send_message(1001, "Q1", reply_markup=consent_keyboard("q1"))
    await bot.send_message(1001, "Q2", reply_markup=consent_keyboard("q2"))
    await bot.get_updates()
    # by text: the newest message showing the button
    update = await phone.press("Agree")
    assert update["callback_query"]["data"] == "q2:yes"
    # a stale keyboard on an older message is still pressable
    update = await phone.press("Agree", message_id=old.message_id)
    assert update["callback_query"]["data"] == "q1:yes"
    assert update["callback_query"]["message"]["message_id"] == old.message_id
    # by callback data
    update = await phone.press(data="q1:no")
    assert update["callback_query"]["message"]["text"] == "Q1"
    # after the bot removed the keyboard, a racing tap on that message still reaches the bot,
    # carrying the message's current state
    await bot.edit_message_text("Q1 answered", chat_id=1001, message_id=old.message_id)
    update = await phone.press("Agree", message_id=old.message_id)
    assert update["callback_query"]["data"] == "q1:yes"
    assert update["callback_query"]["message"]["text"] == "Q1 answered"
    assert "reply_markup" not in update["callback_query"]["message"]
    with pytest.raises(LookupError, match="no button"):
        await phone.press("Maybe")
    forged = await phone.press_data("q9:forged")
    assert forged["callback_query"]["data"] == "q9:forged"
    updates = await bot.get_updates()
    assert [u.callback_query.data for u in updates if u.callback_query] == [
        "q2:yes",
        "q1:yes",
        "q1:no",
        "q1:yes",
        "q9:forged",
    ]


async def test_settle_waits_for_quiet(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = sandbox.user(1001)
    await phone.start()
    await bot.get_updates()

    async def chatty_bot() -> None:
        for n in range(3):
            await bot.send_message(1001, f"part {n}")
            await asyncio.sleep(0.05)

    task = asyncio.create_task(chatty_bot())
    events = await phone.settle(quiet=0.15, timeout=3)
    await task
    assert [e.text for e in events] == ["part 0", "part 1", "part 2"]


async def test_settle_waits_until_updates_are_fetched(sandbox: Sandbox) -> None:
    phone = sandbox.user(1001)
    await phone.send_text("nobody polls")
    with pytest.raises(WaitTimeout, match="not yet fetched"):
        await phone.settle(quiet=0.05, timeout=0.2)


async def test_transcript_shows_both_sides(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = sandbox.user(1001, first_name="Amina")
    await phone.start("INVITE42")
    sent = await bot.send_message(
        1001, "<b>Welcome</b>", parse_mode="HTML", reply_markup=consent_keyboard("c")
    )
    await phone.press("Agree")
    [update] = [u for u in await bot.get_updates() if u.callback_query]
    await update.callback_query.answer("Thank you")
    await bot.edit_message_text("Welcome ✓", chat_id=1001, message_id=sent.message_id)
    await phone.send_voice(duration=7)
    await bot.delete_message(1001, sent.message_id)
    text = sandbox.transcript(1001)
    assert text.splitlines() == [
        "--- chat Amina (1001) with @partner_demo_bot ---",
        "Amina: /start INVITE42",
        "bot: Welcome",
        "     [Agree] [No]",
        "Amina: [pressed: Agree]",
        "bot: (answer) Thank you",
        "bot: (edited #2) Welcome ✓",
        "     (no buttons)",
        "Amina: [voice 7s]",
        "bot: (deleted #2)",
    ]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_voice_message_reaches_the_bot(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = sandbox.user(1001)
    await phone.send_voice(duration=7)
    [update] = await bot.get_updates()
    voice = update.message.voice
    assert voice.duration == 7 and voice.mime_type == "audio/ogg"
    file = await bot.get_file(voice.file_id)
    assert file.file_size == voice.file_size


async def test_control_api(sandbox: Sandbox, bot: telegram.Bot) -> None:
    root = sandbox.control_url
    async with httpx.AsyncClient(timeout=5) as http:
        answer = await http.post(
            f"{root}/users/3003", json={"first_name": "Omar", "language_code": "so"}
        )
        assert answer.json()["user"]["language_code"] == "so"
        await http.post(f"{root}/users/3003/command", json={"command": "start", "args": "X1"})
        [update] = await bot.get_updates()
        assert update.message.text == "/start X1"

        async def reply_soon() -> None:
            await asyncio.sleep(0.1)
            await bot.send_message(3003, "Hello Omar", reply_markup=consent_keyboard("c"))

        task = asyncio.create_task(reply_soon())
        answer = await http.get(f"{root}/users/3003/events", params={"after": 0, "timeout": 3})
        await task
        events = answer.json()["events"]
        assert [(e["index"], e["kind"], e["text"]) for e in events] == [
            (1, "message", "Hello Omar")
        ]
        assert events[0]["buttons"] == [["Agree", "No"]] and events[0]["time"] > 0
        answer = await http.get(f"{root}/users/3003/events", params={"after": 1, "timeout": 0.1})
        assert answer.json()["events"] == []
        answer = await http.post(f"{root}/users/3003/press", json={"text": "Agree"})
        assert answer.json()["update"]["callback_query"]["data"] == "c:yes"
        answer = await http.post(f"{root}/users/3003/press", json={"text": "Nope"})
        assert answer.status_code == 404
        await http.post(f"{root}/users/3003/text", json={"text": "free text"})
        await http.post(f"{root}/users/3003/voice", json={"duration": 3})
        await http.post(f"{root}/users/3003/block")
        with pytest.raises(telegram.error.Forbidden):
            await bot.send_message(3003, "x")
        await http.post(f"{root}/users/3003/unblock")
        transcript = (await http.get(f"{root}/transcript/3003")).text
        assert "Omar: [pressed: Agree]" in transcript and "Omar: [voice 3s]" in transcript
        stats = (await http.get(f"{root}/stats")).json()["stats"]
        assert stats["http_403"] == 1 and stats["delivered"] == {"3003": 1}
        await http.post(f"{root}/reset-stats")
        assert sandbox.stats.http_403 == 0
        answer = await http.post(f"{root}/faults", json={"latency": 0.01, "seed": 1})
        assert answer.json()["faults"]["latency"] == 0.01
        answer = await http.post(f"{root}/limits", json={"chat_burst": 5, "enabled": False})
        assert sandbox.limits.chat_burst == 5 and sandbox.limits.enabled is False
        assert (await http.post(f"{root}/limits", json={"bogus": 1})).status_code == 400
        messages = (await http.get(f"{root}/users/3003/messages")).json()["messages"]
        assert messages[0]["text"] == "Hello Omar"


async def test_group_chat(sandbox: Sandbox, bot: telegram.Bot) -> None:
    staff = sandbox.user(5005, first_name="Lena")
    group = sandbox.group(-100500, title="Partnership team")
    await group.send_text(staff, "/report@partner_demo_bot")
    [update] = await bot.get_updates()
    assert update.message.chat.type == "group" and update.message.chat.title == "Partnership team"
    assert update.message.from_user.first_name == "Lena"
    await bot.send_message(-100500, "Report ready")
    assert (await group.reply()).text == "Report ready"
    # Lena was seen in the group but never opened the bot in private
    with pytest.raises(telegram.error.Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(5005, "private hello")


# ----- a full python-telegram-bot Application ---------------------------------------------
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    payload = context.args[0] if context.args else "none"
    await update.message.reply_text(
        f"Welcome! Invite: <code>{payload}</code>",
        parse_mode="HTML",
        reply_markup=consent_keyboard("consent"),
    )


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Saved")
    await query.edit_message_text(f"You chose {query.data}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text.upper())


async def test_application_end_to_end(sandbox: Sandbox) -> None:
    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_press))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    phone = sandbox.user(1001, first_name="Amina", language_code="ar")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=5)
        try:
            await phone.start("INV-7")
            welcome = await phone.reply()
            assert welcome.text == "Welcome! Invite: INV-7"
            assert welcome.buttons == [["Agree", "No"]]
            await phone.press("Agree")
            [edit] = await phone.wait(kinds="edit")
            assert edit.text == "You chose consent:yes"
            [answer] = await phone.wait(kinds="callback_answer")
            assert answer.text == "Saved"
            await phone.send_text("hello")
            assert (await phone.reply()).text == "HELLO"
            assert await phone.settle(quiet=0.1) == []
        finally:
            await app.updater.stop()
            await app.stop()
