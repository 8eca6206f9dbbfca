"""The Bot API method table: name -> handler, and which methods count as messages.

Only message-producing methods are subject to flood limits and 429 storms (getUpdates,
answerCallbackQuery, sendChatAction, deleteMessage and get*/set* are not), so that property
lives next to each method instead of being guessed from its name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.devtools.sandbox import api_bot, api_media, api_messages, api_updates
from bot.devtools.sandbox.params import Params

if TYPE_CHECKING:
    from bot.devtools.sandbox.sandbox import Sandbox

Handler = Callable[["Sandbox", Params], Awaitable[Any]]


@dataclass(frozen=True)
class MethodSpec:
    """One Bot API method."""

    name: str
    handler: Handler
    produces_message: bool = False


_SPECS = [
    MethodSpec("getMe", api_bot.get_me),
    MethodSpec("logOut", api_bot.log_out),
    MethodSpec("close", api_bot.log_out),
    MethodSpec("getUpdates", api_updates.get_updates),
    MethodSpec("setWebhook", api_updates.set_webhook),
    MethodSpec("deleteWebhook", api_updates.delete_webhook),
    MethodSpec("getWebhookInfo", api_updates.get_webhook_info),
    MethodSpec("sendMessage", api_messages.send_message, produces_message=True),
    MethodSpec("editMessageText", api_messages.edit_message_text, produces_message=True),
    MethodSpec("editMessageCaption", api_messages.edit_message_caption, produces_message=True),
    MethodSpec(
        "editMessageReplyMarkup", api_messages.edit_message_reply_markup, produces_message=True
    ),
    MethodSpec("deleteMessage", api_messages.delete_message),
    MethodSpec("deleteMessages", api_messages.delete_messages),
    MethodSpec("answerCallbackQuery", api_messages.answer_callback_query),
    MethodSpec("sendChatAction", api_messages.send_chat_action),
    MethodSpec("sendPhoto", api_media.send_photo, produces_message=True),
    MethodSpec("sendDocument", api_media.send_document, produces_message=True),
    MethodSpec("getFile", api_media.get_file),
    MethodSpec("setMyCommands", api_bot.set_my_commands),
    MethodSpec("getMyCommands", api_bot.get_my_commands),
    MethodSpec("deleteMyCommands", api_bot.delete_my_commands),
    MethodSpec("setChatMenuButton", api_bot.set_chat_menu_button),
    MethodSpec("getChatMenuButton", api_bot.get_chat_menu_button),
    MethodSpec("getChat", api_bot.get_chat),
    MethodSpec("setMyName", api_bot.set_my_name),
    MethodSpec("getMyName", api_bot.get_my_name),
    MethodSpec("setMyDescription", api_bot.set_my_description),
    MethodSpec("getMyDescription", api_bot.get_my_description),
    MethodSpec("setMyShortDescription", api_bot.set_my_short_description),
    MethodSpec("getMyShortDescription", api_bot.get_my_short_description),
]

METHODS: dict[str, MethodSpec] = {spec.name.lower(): spec for spec in _SPECS}
"""Implemented methods by lower-case name (Telegram's method names are case-insensitive)."""

UNIMPLEMENTED = frozenset(
    name.lower()
    for name in (
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendSticker",
        "sendInvoice",
        "sendPaidMedia",
        "forwardMessage",
        "forwardMessages",
        "copyMessage",
        "copyMessages",
        "editMessageMedia",
        "editMessageLiveLocation",
        "stopPoll",
        "pinChatMessage",
        "unpinChatMessage",
        "unpinAllChatMessages",
        "setMessageReaction",
        "getUserProfilePhotos",
        "getChatMember",
        "getChatMemberCount",
        "getChatAdministrators",
        "leaveChat",
        "banChatMember",
        "unbanChatMember",
        "restrictChatMember",
        "promoteChatMember",
        "createChatInviteLink",
        "exportChatInviteLink",
        "answerInlineQuery",
        "setMyDefaultAdministratorRights",
        "getMyDefaultAdministratorRights",
    )
)
"""Real Bot API methods the sandbox does not fake: answered 400 so the gap is loud."""
