"""From a Bot API ``text``/``caption`` plus ``parse_mode``/``entities`` to what Telegram stores.

One entry point, :func:`format_text`, so that sendMessage, editMessageText and captions all
apply the same parsing, trimming and length rules, with Telegram's error wording.
"""

from __future__ import annotations

import re
from typing import Any

from bot.devtools.sandbox import errors
from bot.devtools.sandbox.entities import (
    EntityParseError,
    FormattedText,
    sort_entities,
    strip_formatted,
    utf16_len,
)
from bot.devtools.sandbox.html_check import parse_html
from bot.devtools.sandbox.markdown_check import parse_markdown_legacy, parse_markdown_v2

MAX_TEXT = 4096
MAX_CAPTION = 1024

ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
    }
)

_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


def parse_formatted(
    text: str,
    parse_mode: str | None,
    entities: Any = None,
    *,
    strict_html: bool = True,
) -> FormattedText:
    """Apply ``parse_mode`` (or explicit ``entities``) and Telegram's whitespace trimming.

    Raises :class:`~bot.devtools.sandbox.errors.ApiError` 400 with ``can't parse entities: ...`` or
    ``unsupported parse_mode`` exactly as Telegram words them.
    """
    try:
        if entities not in (None, "", []):
            formatted = FormattedText(text, _check_entities(text, entities))
        elif parse_mode in (None, ""):
            formatted = FormattedText(text, [])
        else:
            mode = parse_mode.lower()
            if mode == "html":
                formatted = parse_html(text, strict_entities=strict_html)
            elif mode == "markdownv2":
                formatted = parse_markdown_v2(text)
            elif mode == "markdown":
                formatted = parse_markdown_legacy(text)
            else:
                raise errors.bad_request("unsupported parse_mode")
    except EntityParseError as exc:
        raise errors.bad_request(f"can't parse entities: {exc}") from exc
    return strip_formatted(formatted)


def format_text(
    text: str | None,
    parse_mode: str | None,
    entities: Any = None,
    *,
    strict_html: bool = True,
) -> FormattedText:
    """A message text: non-empty after parsing and trimming, at most 4096 UTF-16 units."""
    if text is None:
        raise errors.bad_request(errors.TEXT_EMPTY)
    formatted = parse_formatted(text, parse_mode, entities, strict_html=strict_html)
    if not formatted.text:
        raise errors.bad_request(errors.TEXT_EMPTY)
    if formatted.length > MAX_TEXT:
        raise errors.bad_request(errors.MESSAGE_TOO_LONG)
    return formatted


def format_caption(
    caption: str | None,
    parse_mode: str | None,
    entities: Any = None,
    *,
    strict_html: bool = True,
) -> FormattedText | None:
    """A media caption: optional, at most 1024 UTF-16 units after parsing."""
    if caption is None:
        return None
    formatted = parse_formatted(caption, parse_mode, entities, strict_html=strict_html)
    if formatted.length > MAX_CAPTION:
        raise errors.bad_request(errors.CAPTION_TOO_LONG)
    return formatted if formatted.text else None


def _check_entities(text: str, raw: Any) -> list[dict[str, Any]]:
    """Validate an explicit ``entities`` list (the alternative to ``parse_mode``)."""
    if not isinstance(raw, list):
        raise errors.bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    result: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise errors.bad_request("can't parse MessageEntity: MessageEntity must be an Object")
        kind = item.get("type")
        offset = item.get("offset")
        length = item.get("length")
        if not isinstance(kind, str) or kind not in ENTITY_TYPES:
            raise errors.bad_request("can't parse MessageEntity: Unsupported type specified")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise errors.bad_request(
                'can\'t parse MessageEntity: Field "offset" must be of type Integer'
            )
        if offset < 0 or length <= 0 or offset + length > total:
            continue  # Telegram silently drops entities outside the text
        if kind == "text_link" and not item.get("url"):
            raise errors.bad_request('can\'t parse MessageEntity: Field "url" must be non-empty')
        result.append(dict(item))
    return sort_entities(result)


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities Telegram attaches to a user's message (at word starts)."""
    entities = []
    for match in _COMMAND_RE.finditer(text):
        start = match.start()
        if start > 0 and not text[start - 1].isspace():
            continue
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[:start]),
                "length": utf16_len(match.group(0)),
            }
        )
    return entities
