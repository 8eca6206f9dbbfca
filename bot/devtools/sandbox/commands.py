"""The bot's command menus per scope and language, with Telegram's resolution order.

The bot shows partners and staff different command lists in each language; tests read them
back per (scope, language) and can ask which list a given user would actually see.
"""

from __future__ import annotations

import re
from typing import Any

from bot.devtools.sandbox import errors

ScopeKey = tuple[Any, ...]

SCOPE_TYPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
MAX_COMMANDS = 100
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")


def scope_key(scope: Any) -> ScopeKey:
    """Normalise a ``BotCommandScope`` (dict, JSON-decoded) or a type name to a key."""
    if scope is None or scope == "":
        return ("default",)
    if isinstance(scope, str):
        scope = {"type": scope}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise errors.bad_request("can't parse BotCommandScope JSON object")
    fields = SCOPE_TYPES[scope["type"]]
    values: list[Any] = [scope["type"]]
    for name in fields:
        value = scope.get(name)
        if isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        if not isinstance(value, int):
            raise errors.bad_request("can't parse BotCommandScope JSON object")
        values.append(value)
    return tuple(values)


def check_language(language_code: str | None) -> str:
    """``""`` or a two-letter ISO 639-1 code."""
    code = language_code or ""
    if code and not _LANGUAGE_RE.match(code):
        raise errors.bad_request("language code is invalid")
    return code


def check_commands(raw: Any) -> list[dict[str, str]]:
    """Validate a ``BotCommand`` list the way Telegram does."""
    if not isinstance(raw, list):
        raise errors.bad_request("can't parse commands JSON object")
    if len(raw) > MAX_COMMANDS:
        raise errors.bad_request("too many commands")
    result = []
    for item in raw:
        if not isinstance(item, dict):
            raise errors.bad_request("can't parse BotCommand JSON object")
        command = item.get("command")
        description = item.get("description")
        if not isinstance(command, str) or not _COMMAND_RE.match(command):
            raise errors.bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise errors.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        result.append({"command": command, "description": description})
    return result


class CommandStore:
    """Command lists by (scope key, language code)."""

    def __init__(self) -> None:
        self._lists: dict[tuple[ScopeKey, str], list[dict[str, str]]] = {}

    def set(self, key: ScopeKey, language: str, commands: list[dict[str, str]]) -> None:
        """Store a list (an empty list deletes, as on Telegram)."""
        if commands:
            self._lists[(key, language)] = list(commands)
        else:
            self._lists.pop((key, language), None)

    def get(self, key: ScopeKey, language: str) -> list[dict[str, str]]:
        """Exactly the list stored for this scope and language (no fallback)."""
        return list(self._lists.get((key, language), []))

    def delete(self, key: ScopeKey, language: str) -> None:
        """Remove the list for this scope and language."""
        self._lists.pop((key, language), None)

    def all(self) -> dict[tuple[ScopeKey, str], list[dict[str, str]]]:
        """Every stored list."""
        return {k: list(v) for k, v in self._lists.items()}

    def visible(self, chat_id: int, language: str | None) -> list[dict[str, str]]:
        """The list a user in a private chat sees, following Telegram's fallback order."""
        languages = [language, ""] if language else [""]
        for key in (("chat", chat_id), ("all_private_chats",), ("default",)):
            for lang in languages:
                found = self._lists.get((key, lang or ""))
                if found:
                    return list(found)
        return []
