"""Validation of ``reply_markup`` the way Telegram refuses it.

The survey keyboards carry compact callback data that must stay within 1–64 bytes; a keyboard
Telegram cannot parse makes the whole message fail. Checking the same rules here, with
Telegram's wording, keeps those bugs out of production.
"""

from __future__ import annotations

import json
from typing import Any

from bot.devtools.sandbox import errors

MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _unparsable() -> errors.ApiError:
    return errors.bad_request(errors.MARKUP_UNPARSABLE)


def _button_error(detail: str) -> errors.ApiError:
    return errors.bad_request(f"can't parse inline keyboard button: {detail}")


def _rows(value: Any) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise _unparsable()
    return value


def _check_url(url: Any) -> None:
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://", "tg://")):
        raise errors.bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _check_inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise _button_error('Field "text" must be of type String')
    if not text.strip():
        raise errors.bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in _INLINE_ACTIONS if name in button]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _button_error("can't use more than one action in an inline keyboard button")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str):
            raise _button_error('Field "callback_data" must be of type String')
        size = len(data.encode("utf-8"))
        if size < 1 or size > MAX_CALLBACK_DATA_BYTES:
            raise errors.bad_request(errors.BUTTON_DATA_INVALID)
    if "url" in button:
        _check_url(button["url"])
    return dict(button)


def _check_reply_button(button: Any) -> dict[str, Any]:
    if isinstance(button, str):
        return {"text": button}
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise errors.bad_request("can't parse keyboard button: KeyboardButton must be an Object")
    return dict(button)


def parse_reply_markup(raw: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Parse and validate ``reply_markup`` (a JSON string or an object); ``None`` if absent.

    ``inline_only`` is for edits, where only inline keyboards are allowed.
    """
    if raw is None or raw == "":
        return None
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise _unparsable() from None
    if not isinstance(raw, dict):
        raise _unparsable()
    if "inline_keyboard" in raw:
        rows = _rows(raw["inline_keyboard"])
        checked = [[_check_inline_button(b) for b in row] for row in rows]
        if sum(len(row) for row in checked) > MAX_BUTTONS:
            raise errors.bad_request("reply markup is too long")
        return {"inline_keyboard": checked}
    if inline_only:
        raise errors.bad_request("inline keyboard expected")
    if "keyboard" in raw:
        rows = _rows(raw["keyboard"])
        checked_rows = [[_check_reply_button(b) for b in row] for row in rows]
        if sum(len(row) for row in checked_rows) > 300:
            raise errors.bad_request("reply markup is too long")
        result = dict(raw)
        result["keyboard"] = checked_rows
        return result
    if raw.get("remove_keyboard") is True or raw.get("force_reply") is True:
        return dict(raw)
    raise _unparsable()


def markup_buttons(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """The button rows of any markup (inline or reply keyboard), or ``[]``."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [[b if isinstance(b, dict) else {"text": b} for b in row] for row in rows]
