"""The sandbox answers python-telegram-bot like Telegram for files and chat settings: captions,
documents and photos sent as multipart and stored, chat actions, command menus per scope and
language, and the menu button.

Every test drives a real ``telegram.Bot`` over HTTP against the sandbox.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
import telegram
from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import BadRequest

from bot.devtools.sandbox import Sandbox
from tests.sandbox_api import TOKEN, png, started_phone


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = Sandbox(token=TOKEN)
    await sb.start()
    yield sb
    await sb.stop()


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
    ) as client:
        yield client


async def test_caption_too_long(sandbox: Sandbox, bot: telegram.Bot) -> None:
    await started_phone(sandbox)
    await bot.send_document(1001, io.BytesIO(b"x"), filename="a.txt", caption="c" * 1024)
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(1001, io.BytesIO(b"x"), filename="a.txt", caption="c" * 1025)


async def test_send_document_multipart_is_stored(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = await started_phone(sandbox)
    data = b"partner,score\nRLO-1,4\n" * 100
    sent = await bot.send_document(
        1001, io.BytesIO(data), filename="export.csv", caption="<b>Export</b>", parse_mode="HTML"
    )
    assert sent.document.file_size == len(data)
    assert sent.document.file_name == "export.csv"
    assert sent.document.mime_type == "text/csv"
    assert sent.caption == "Export"
    [event] = await phone.wait()
    assert event.kind == "document"
    assert event.file is not None and event.file.data == data and event.file.size == len(data)
    # the same file by file_id, and downloads through getFile
    again = await bot.send_document(1001, sent.document.file_id)
    assert again.document.file_unique_id == sent.document.file_unique_id
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == data
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(1001, "no-such-file-id")


async def test_send_photo_multipart_is_stored(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = await started_phone(sandbox)
    image = png(40, 30)
    sent = await bot.send_photo(1001, io.BytesIO(image), filename="chart.png", caption="Scores")
    [size] = sent.photo
    assert (size.width, size.height, size.file_size) == (40, 30, len(image))
    [event] = await phone.wait()
    assert event.kind == "photo" and event.caption == "Scores"
    assert (
        event.file is not None and event.file.data == image and event.file.filename == "chart.png"
    )
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(1001, io.BytesIO(b"not an image"), filename="x.png")
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type photo as document"):
        await bot.send_document(1001, sent.photo[0].file_id)


async def test_chat_action_is_recorded(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = await started_phone(sandbox)
    assert await bot.send_chat_action(1001, "typing")
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(1001, "dancing")
    [event] = await phone.wait(kinds="chat_action")
    assert event.action == "typing"


async def test_commands_per_scope_and_language(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = await started_phone(sandbox, language_code="fr")
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands(
        [BotCommand("aide", "Aide")], scope=BotCommandScopeAllPrivateChats(), language_code="fr"
    )
    await bot.set_my_commands([BotCommand("admin", "Staff menu")], scope=BotCommandScopeChat(1001))
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [
        c.command
        for c in await bot.get_my_commands(
            scope=BotCommandScopeAllPrivateChats(), language_code="fr"
        )
    ] == ["aide"]
    assert await bot.get_my_commands(language_code="fr") == ()
    assert sandbox.commands("all_private_chats", "fr") == [
        {"command": "aide", "description": "Aide"}
    ]
    assert sandbox.commands({"type": "chat", "chat_id": 1001})[0]["command"] == "admin"
    assert phone.commands[0]["command"] == "admin"  # chat scope wins for this user
    await bot.delete_my_commands(scope=BotCommandScopeChat(1001))
    assert phone.commands[0]["command"] == "aide"  # then private chats in French
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])


async def test_menu_button(sandbox: Sandbox, bot: telegram.Bot) -> None:
    await started_phone(sandbox)
    assert await bot.set_chat_menu_button(1001, telegram.MenuButtonCommands())
    button = await bot.get_chat_menu_button(1001)
    assert button.type == "commands"
