"""The sandbox answers python-telegram-bot like Telegram: shapes, refusals, exception classes.

Every test drives a real ``telegram.Bot`` over HTTP against the sandbox, because the point of
the sandbox is that PTB cannot tell it from Telegram. Files, chat actions, command menus and
the menu button are in ``test_sandbox_bot_api_files.py``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Keyboard
from telegram.error import BadRequest, InvalidToken

from bot.devtools.sandbox import Sandbox
from tests.sandbox_api import TOKEN, started_phone


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


async def test_get_me(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "partner_demo_bot"
    assert me.can_join_groups is True


async def test_message_round_trip_shapes(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = await started_phone(sandbox)
    [update] = await bot.get_updates(timeout=1)
    message = update.message
    assert message.text == "/start"
    assert message.entities[0].type == "bot_command"
    assert message.entities[0].offset == 0
    assert message.from_user.language_code == "ar"
    assert message.chat.type == "private"
    assert message.chat.first_name == "Amina"
    assert message.message_id == 1

    sent = await bot.send_message(
        1001,
        "<b>Salam</b> Amina",
        parse_mode="HTML",
        reply_markup=Keyboard([[Button("Agree", callback_data="consent:yes")]]),
    )
    assert sent.message_id == 2  # ids are per chat and shared with the user's messages
    assert sent.from_user.id == 123456 and sent.from_user.is_bot
    assert sent.chat.id == 1001
    assert sent.text == "Salam Amina"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 5
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "consent:yes"
    assert sent.date is not None

    event = phone.last_message
    assert event is not None and event.text == "Salam Amina"
    assert event.buttons == [["Agree"]]
    [seen] = await phone.wait()
    assert seen.kind == "message" and seen.parse_mode == "HTML"
    assert seen.source == "<b>Salam</b> Amina"
    assert seen.reply_markup == {
        "inline_keyboard": [[{"text": "Agree", "callback_data": "consent:yes"}]]
    }


async def test_reply_to_message(sandbox: Sandbox, bot: telegram.Bot) -> None:
    await started_phone(sandbox)
    reply = await bot.send_message(1001, "got it", reply_to_message_id=1)
    assert reply.reply_to_message.text == "/start"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(1001, "x", reply_to_message_id=99)


async def test_chat_not_found_for_user_who_never_wrote(sandbox: Sandbox, bot: telegram.Bot) -> None:
    sandbox.user(2002, first_name="Silent")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(2002, "hello")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999999, "hello")
    assert sandbox.stats.refused["Bad Request: chat not found"] == 2


async def test_wrong_token_unknown_method_and_case_insensitive_names(
    sandbox: Sandbox,
) -> None:
    await started_phone(sandbox)
    root = sandbox.base_url
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{root}999:WRONG/getMe")
        assert answer.status_code == 401
        assert answer.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        answer = await http.post(f"{root}{TOKEN}/fooBar")
        assert answer.status_code == 404
        assert answer.json()["description"] == "Not Found"
        # case-insensitive method names, JSON body
        answer = await http.post(
            f"{root}{TOKEN}/SENDMESSAGE", json={"chat_id": 1001, "text": "json body"}
        )
        assert answer.json()["result"]["text"] == "json body"
        # query-string parameters
        answer = await http.get(
            f"{root}{TOKEN}/sendmessage", params={"chat_id": "1001", "text": "q"}
        )
        assert answer.json()["ok"] is True
    with pytest.raises(InvalidToken):
        async with telegram.Bot("999:WRONG", base_url=sandbox.base_url):
            pass


async def test_text_length_counts_utf16_units(sandbox: Sandbox, bot: telegram.Bot) -> None:
    await started_phone(sandbox)
    await bot.send_message(1001, "a" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1001, "a" * 4097)
    await bot.send_message(1001, "😀" * 2048)  # 4096 UTF-16 units
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1001, "😀" * 2048 + "a")
    # length is measured after entity parsing: tags do not count
    await bot.send_message(1001, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(1001, "   ")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(1001, "<b></b>", parse_mode="HTML")


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<br>line", 'Unsupported start tag "br" at byte offset 0'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("Tom &foo; Jerry", 'Unsupported HTML entity "&foo;" at byte offset 4'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
)
async def test_html_errors_raise_bad_request(
    sandbox: Sandbox, bot: telegram.Bot, html: str, message: str
) -> None:
    await started_phone(sandbox)
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(1001, html, parse_mode="HTML")
    # PTB capitalises the description; the exact wording is kept in the stats
    assert caught.value.message.lower() == f"can't parse entities: {message}".lower()
    assert sandbox.stats.refused[f"Bad Request: can't parse entities: {message}"] == 1
    assert sandbox.user(1001).messages == []


async def test_supported_html_is_accepted(sandbox: Sandbox, bot: telegram.Bot) -> None:
    await started_phone(sandbox)
    text = (
        "<b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins> <s>s</s> "
        '<strike>k</strike> <del>d</del> <span class="tg-spoiler">p</span> '
        '<tg-spoiler>q</tg-spoiler> <a href="https://example.org">link</a> <code>c</code> '
        '<pre><code class="language-python">x = 1</code></pre> <blockquote>quote</blockquote> '
        "&lt;&gt;&amp;&quot;&#39;&#x41;"
    )
    sent = await bot.send_message(1001, text, parse_mode="HTML")
    assert sent.text.endswith("<>&\"'A")
    kinds = [entity.type for entity in sent.entities]
    assert "text_link" in kinds and "spoiler" in kinds and "blockquote" in kinds
    pre = next(e for e in sent.entities if e.type == "pre")
    assert pre.language == "python"


async def test_markdown_v2_reserved_character(sandbox: Sandbox, bot: telegram.Bot) -> None:
    await started_phone(sandbox)
    with pytest.raises(BadRequest, match=r"(?i)character '.' is reserved"):
        await bot.send_message(1001, "Thanks. Bye", parse_mode="MarkdownV2")
    sent = await bot.send_message(1001, r"*Thanks*\. Bye", parse_mode="MarkdownV2")
    assert sent.text == "Thanks. Bye"


async def test_callback_data_64_bytes_accepted_65_refused(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    await started_phone(sandbox)
    await bot.send_message(
        1001, "ok", reply_markup=Keyboard([[Button("A", callback_data="x" * 64)]])
    )
    await bot.send_message(
        1001, "ok", reply_markup=Keyboard([[Button("A", callback_data="é" * 32)]])
    )
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(
            1001, "no", reply_markup=Keyboard([[Button("A", callback_data="x" * 65)]])
        )
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(
            1001, "no", reply_markup=Keyboard([[Button("A", callback_data="é" * 33)]])
        )
    assert sandbox.stats.refused["Bad Request: BUTTON_DATA_INVALID"] == 2


async def test_malformed_reply_markup(sandbox: Sandbox) -> None:
    await started_phone(sandbox)
    url = f"{sandbox.base_url}{TOKEN}/sendMessage"
    async with httpx.AsyncClient() as http:
        for markup in ("{not json", json.dumps([1, 2]), json.dumps({"inline_keyboard": "x"})):
            answer = await http.post(
                url, data={"chat_id": "1001", "text": "x", "reply_markup": markup}
            )
            assert answer.status_code == 400
            assert answer.json()["description"] == (
                "Bad Request: can't parse reply keyboard markup JSON object"
            )
        answer = await http.post(
            url,
            data={
                "chat_id": "1001",
                "text": "x",
                "reply_markup": json.dumps({"inline_keyboard": [[{"text": "only text"}]]}),
            },
        )
        assert "Text buttons are unallowed" in answer.json()["description"]


async def test_edit_and_delete_refusals(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = await started_phone(sandbox)
    keyboard = Keyboard([[Button("Yes", callback_data="q1:yes")]])
    sent = await bot.send_message(1001, "Question 1", reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "Question 1", chat_id=1001, message_id=sent.message_id, reply_markup=keyboard
        )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=1001, message_id=999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", chat_id=1001, message_id=1)  # the user's /start
    # editing the text without reply_markup removes the keyboard, like Telegram
    edited = await bot.edit_message_text(
        "Question 1 (answered)", chat_id=1001, message_id=sent.message_id
    )
    assert edited.reply_markup is None and edited.edit_date is not None
    assert phone.last_message is not None and phone.last_message.buttons == []
    assert phone.last_message.edited
    assert await bot.delete_message(1001, sent.message_id) is True
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(1001, sent.message_id)
    assert phone.messages == []
    assert [e.kind for e in phone.events] == ["message", "edit", "delete"]


async def test_answer_callback_query_once(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = await started_phone(sandbox)
    await bot.send_message(
        1001, "Agree?", reply_markup=Keyboard([[Button("Agree", callback_data="c:y")]])
    )
    await phone.press("Agree")
    updates = await bot.get_updates(timeout=1)
    query = updates[-1].callback_query
    assert query.data == "c:y" and query.message.text == "Agree?"
    assert query.from_user.id == 1001 and query.chat_instance
    assert await query.answer("Saved", show_alert=True) is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("again")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")
    [answer] = await phone.wait(kinds="callback_answer")
    assert answer.text == "Saved" and answer.show_alert
