"""Bot-level methods: getMe, command menus, menu button, chat info and bot descriptions.

Cheap to fake but needed: python-telegram-bot calls getMe on start-up, and the bot sets its
per-language command menus at start, which tests verify.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.devtools.sandbox import errors
from bot.devtools.sandbox.api_common import chat_id_param
from bot.devtools.sandbox.commands import check_commands, check_language, scope_key
from bot.devtools.sandbox.params import Params

if TYPE_CHECKING:
    from bot.devtools.sandbox.sandbox import Sandbox

Handler = Callable[["Sandbox", Params], Awaitable[Any]]
_MENU_TYPES = frozenset({"commands", "web_app", "default"})


async def get_me(sb: Sandbox, p: Params) -> dict[str, Any]:
    """getMe."""
    return {
        **sb.state.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _scope(sb: Sandbox, p: Params) -> tuple[Any, ...]:
    try:
        raw = p.get_json("scope")
    except ValueError:
        raise errors.bad_request("can't parse BotCommandScope JSON object") from None
    key = scope_key(raw)
    if len(key) > 1 and key[1] not in sb.state.chats:
        raise errors.bad_request(errors.CHAT_NOT_FOUND)
    return key


async def set_my_commands(sb: Sandbox, p: Params) -> bool:
    """setMyCommands."""
    try:
        raw = p.get_json("commands")
    except ValueError:
        raise errors.bad_request("can't parse commands JSON object") from None
    commands = check_commands(raw)
    sb.command_store.set(_scope(sb, p), check_language(p.get_str("language_code")), commands)
    return True


async def get_my_commands(sb: Sandbox, p: Params) -> list[dict[str, str]]:
    """getMyCommands."""
    return sb.command_store.get(_scope(sb, p), check_language(p.get_str("language_code")))


async def delete_my_commands(sb: Sandbox, p: Params) -> bool:
    """deleteMyCommands."""
    sb.command_store.delete(_scope(sb, p), check_language(p.get_str("language_code")))
    return True


async def set_chat_menu_button(sb: Sandbox, p: Params) -> bool:
    """setChatMenuButton (``chat_id`` absent: the default button)."""
    chat_id = chat_id_param(p)
    if chat_id is not None:
        sb.state.chat_for_bot(chat_id)
    try:
        button = p.get_json("menu_button")
    except ValueError:
        raise errors.bad_request("can't parse menu button JSON object") from None
    if button is None:
        button = {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in _MENU_TYPES:
        raise errors.bad_request("can't parse menu button JSON object")
    sb.menu_buttons[chat_id] = button
    return True


async def get_chat_menu_button(sb: Sandbox, p: Params) -> dict[str, Any]:
    """getChatMenuButton."""
    chat_id = chat_id_param(p)
    if chat_id is not None:
        sb.state.chat_for_bot(chat_id)
    return sb.menu_button(chat_id)


async def get_chat(sb: Sandbox, p: Params) -> dict[str, Any]:
    """getChat (``ChatFullInfo`` with the fields python-telegram-bot requires)."""
    chat = sb.state.chat_for_bot(chat_id_param(p))
    return {**chat.to_api(), "accent_color_id": 0, "max_reaction_count": 11}


def _text_setting(name: str, limit: int) -> tuple[Handler, Handler]:
    """A setter/getter pair for a per-language bot text (name, descriptions)."""

    async def setter(sb: Sandbox, p: Params) -> bool:
        value = p.get_str(name) or ""
        if len(value) > limit:
            raise errors.bad_request(f"{name} is too long")
        sb.bot_texts[(name, check_language(p.get_str("language_code")))] = value
        return True

    async def getter(sb: Sandbox, p: Params) -> dict[str, str]:
        language = check_language(p.get_str("language_code"))
        return {name: sb.bot_texts.get((name, language), sb.bot_texts.get((name, ""), ""))}

    return setter, getter


set_my_name, get_my_name = _text_setting("name", 64)
set_my_description, get_my_description = _text_setting("description", 512)
set_my_short_description, get_my_short_description = _text_setting("short_description", 120)


async def log_out(sb: Sandbox, p: Params) -> bool:
    """logOut / close: accepted and ignored."""
    return True
