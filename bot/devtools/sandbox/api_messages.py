"""Bot API methods that put text on the phone or change it: send, edit, delete, answer.

These are where Telegram refuses most often (lengths, markup, not-modified edits, stale
callback queries), so each handler follows Telegram's order: find the chat and message,
validate content, refuse blocked users, take a rate-limit token, then apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.devtools.sandbox import errors
from bot.devtools.sandbox.api_common import (
    admit,
    caption_param,
    chat_id_param,
    ensure_reachable,
    markup_param,
    message_id_param,
    post_bot_message,
    record_message_event,
    target_chat,
    text_param,
)
from bot.devtools.sandbox.events import ChatMessage
from bot.devtools.sandbox.params import Params
from bot.devtools.sandbox.state import ChatRecord

if TYPE_CHECKING:
    from bot.devtools.sandbox.sandbox import Sandbox

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MAX_CALLBACK_ANSWER = 200


async def send_message(sb: Sandbox, p: Params) -> dict[str, Any]:
    """sendMessage."""
    chat = target_chat(sb, p)
    formatted = text_param(sb, p)
    return post_bot_message(
        sb,
        p,
        chat,
        "message",
        "sendMessage",
        kind="text",
        text=formatted.text,
        entities=formatted.entities,
        source=p.get_str("text"),
    )


def _message_to_edit(sb: Sandbox, p: Params) -> tuple[ChatRecord, ChatMessage]:
    if p.get_str("inline_message_id"):
        raise errors.bad_request("MESSAGE_ID_INVALID")
    chat = sb.state.chat_for_bot(chat_id_param(p))
    message = chat.messages.get(message_id_param(p))
    if message is None or message.deleted:
        raise errors.bad_request(errors.EDIT_NOT_FOUND)
    if not message.from_bot:
        raise errors.bad_request("message can't be edited")
    return chat, message


def _apply_edit(
    sb: Sandbox, chat: ChatRecord, message: ChatMessage, method: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Check not-modified, blocked and limits, then apply ``changes`` and record an edit."""
    current = {name: getattr(message, name) for name in changes}
    if current == changes:
        raise errors.bad_request(errors.NOT_MODIFIED)
    ensure_reachable(chat)
    admit(sb, chat)
    if "reply_markup" in changes and message.reply_markup is not None:
        message.markup_history.append(message.reply_markup)
    for name, value in changes.items():
        setattr(message, name, value)
    message.edit_date = sb.state.now()
    sb.stats.edits[chat.id] += 1
    record_message_event(sb, chat, "edit", method, message)
    return sb.state.message_api(message)


async def edit_message_text(sb: Sandbox, p: Params) -> dict[str, Any]:
    """editMessageText (without ``reply_markup`` the keyboard is removed, as on Telegram)."""
    chat, message = _message_to_edit(sb, p)
    formatted = text_param(sb, p)
    markup = markup_param(p, inline_only=True)
    if message.kind != "text":
        raise errors.bad_request("there is no text in the message to edit")
    changes = {"text": formatted.text, "entities": formatted.entities, "reply_markup": markup}
    result = _apply_edit(sb, chat, message, "editMessageText", changes)
    message.parse_mode = p.get_str("parse_mode")
    message.source = p.get_str("text")
    return result


async def edit_message_caption(sb: Sandbox, p: Params) -> dict[str, Any]:
    """editMessageCaption."""
    chat, message = _message_to_edit(sb, p)
    formatted = caption_param(sb, p)
    markup = markup_param(p, inline_only=True)
    if message.kind == "text":
        raise errors.bad_request("there is no caption in the message to edit")
    changes = {
        "caption": formatted.text if formatted else None,
        "entities": formatted.entities if formatted else [],
        "reply_markup": markup,
    }
    return _apply_edit(sb, chat, message, "editMessageCaption", changes)


async def edit_message_reply_markup(sb: Sandbox, p: Params) -> dict[str, Any]:
    """editMessageReplyMarkup (no ``reply_markup`` removes the keyboard)."""
    chat, message = _message_to_edit(sb, p)
    markup = markup_param(p, inline_only=True)
    return _apply_edit(sb, chat, message, "editMessageReplyMarkup", {"reply_markup": markup})


def _delete(sb: Sandbox, chat: ChatRecord, message_id: int, method: str) -> bool:
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        return False
    message.deleted = True
    sb.state.record_event(chat, "delete", method, message_id=message_id)
    return True


async def delete_message(sb: Sandbox, p: Params) -> bool:
    """deleteMessage."""
    chat = target_chat(sb, p)
    if not _delete(sb, chat, message_id_param(p), "deleteMessage"):
        raise errors.bad_request(errors.DELETE_NOT_FOUND)
    return True


async def delete_messages(sb: Sandbox, p: Params) -> bool:
    """deleteMessages (missing messages are skipped, as on Telegram)."""
    chat = target_chat(sb, p)
    try:
        ids = p.get_json("message_ids")
    except ValueError:
        raise errors.bad_request("can't parse message identifiers JSON object") from None
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise errors.bad_request("message identifiers are not specified")
    deleted = [_delete(sb, chat, int(mid), "deleteMessages") for mid in ids]
    if not any(deleted):
        raise errors.bad_request(errors.DELETE_NOT_FOUND)
    return True


async def answer_callback_query(sb: Sandbox, p: Params) -> bool:
    """answerCallbackQuery: once per query, before it expires."""
    query_id = p.get_str("callback_query_id")
    query = sb.state.callback_queries.get(query_id or "")
    expired = query is not None and sb.clock() - query.created > sb.callback_timeout
    if query is None or query.answered or expired:
        raise errors.bad_request(errors.QUERY_TOO_OLD)
    text = p.get_str("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER:
        raise errors.bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    chat = sb.state.chats.get(query.chat_id)
    if chat is not None:
        sb.state.record_event(
            chat,
            "callback_answer",
            "answerCallbackQuery",
            message_id=query.message_id,
            text=text,
            show_alert=p.get_bool("show_alert"),
            url=p.get_str("url"),
            callback_query_id=query.id,
        )
    return True


async def send_chat_action(sb: Sandbox, p: Params) -> bool:
    """sendChatAction (not rate-limited, but refused for blocked users)."""
    chat = target_chat(sb, p)
    action = p.get_str("action")
    if action not in CHAT_ACTIONS:
        raise errors.bad_request("wrong parameter action in request")
    ensure_reachable(chat)
    sb.state.record_event(chat, "chat_action", "sendChatAction", action=action)
    return True
