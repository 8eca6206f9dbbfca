"""Telegram's MarkdownV2 and legacy Markdown parse modes, after tdlib.

A bot that uses MarkdownV2 must escape ``_*[]()~`>#+-=|{}.!`` everywhere; a stray ``.`` in a
translated sentence makes Telegram refuse the whole message. Parsing it here, with tdlib's
error messages, makes such a bug fail in the tests instead of in front of a partner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.devtools.sandbox.entities import (
    EntityParseError,
    FormattedText,
    sort_entities,
    utf16_units_of_byte,
)

_RESERVED = b"_*[]()~`>#+-=|{}.!"
_SPACES = b" \t\r\n\x0b\x0c"
_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _Open:
    type: str
    argument: str
    utf16_offset: int
    byte_offset: int
    out_pos: int


def _pre_opening(data: bytes, i: int) -> tuple[str, int]:
    """The language after an opening ``` (``""`` if none) and where the code starts.

    ``i`` is just past the backticks. A language is a run of non-space bytes ended by a space
    or line break before any backtick; both Markdown flavours read it the same way.
    """
    n = len(data)
    language = ""
    lang_end = i
    while lang_end < n and data[lang_end] not in _SPACES and data[lang_end] != 96:
        lang_end += 1
    if i != lang_end and lang_end < n and data[lang_end] != 96:
        language = data[i:lang_end].decode("utf-8", "replace")
        i = lang_end
    return language, _skip_pre_newline(data, i)


def _skip_pre_newline(data: bytes, i: int) -> int:
    """tdlib drops one line break right after the opening ``` (and language)."""
    n = len(data)
    if i < n and data[i] in b"\r\n":
        if i + 1 < n and data[i + 1] in b"\r\n" and data[i] != data[i + 1]:
            return i + 2
        return i + 1
    return i


def parse_markdown_v2(source: str) -> FormattedText:
    """Parse MarkdownV2 into text and entities, or raise :class:`EntityParseError`."""
    data = source.encode("utf-8")
    n = len(data)
    out = bytearray()
    utf16 = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    quote_start: int | None = None  # utf16 offset where the current blockquote began
    quote_expandable = False

    def at(k: int) -> int:
        return data[k] if k < n else 0

    def close_quote(end: int) -> None:
        nonlocal quote_start, quote_expandable
        if quote_start is not None and end > quote_start:
            kind = "expandable_blockquote" if quote_expandable else "blockquote"
            entities.append({"type": kind, "offset": quote_start, "length": end - quote_start})
        quote_start = None
        quote_expandable = False

    i = 0
    while i < n:
        c = data[i]
        line_start = i == 0 or data[i - 1] == ord("\n")
        in_code = bool(stack) and stack[-1].type in ("code", "pre")
        if line_start and not in_code:
            if c == ord(">"):
                if quote_start is None:
                    quote_start = utf16
                i += 1
                continue
            if data[i : i + 3] == b"**>":
                close_quote(utf16)
                quote_start = utf16
                quote_expandable = True
                i += 3
                continue
            if quote_start is not None:
                # the quote ended with the previous line; its final line break is not quoted
                close_quote(utf16 - 1 if out.endswith(b"\n") else utf16)
        if c == ord("\\") and i + 1 < n and 0 < data[i + 1] <= 126:
            out.append(data[i + 1])
            utf16 += 1
            i += 2
            continue
        if (
            quote_expandable
            and not in_code
            and data[i : i + 2] == b"||"
            and (i + 2 >= n or data[i + 2] == ord("\n"))
            and not (stack and stack[-1].type == "spoiler")
        ):
            close_quote(utf16)
            i += 2
            continue
        reserved = b"`" if in_code else _RESERVED
        if c not in reserved:
            out.append(c)
            utf16 += utf16_units_of_byte(c)
            i += 1
            continue

        top = stack[-1].type if stack else None
        is_end = (
            (top == "bold" and c == ord("*"))
            or (top == "italic" and c == ord("_") and at(i + 1) != ord("_"))
            or (top == "code" and c == ord("`"))
            or (top == "pre" and data[i : i + 3] == b"```")
            or (top in ("text_link", "custom_emoji") and c == ord("]"))
            or (top == "underline" and data[i : i + 2] == b"__")
            or (top == "strikethrough" and c == ord("~"))
            or (top == "spoiler" and data[i : i + 2] == b"||")
        )
        if not is_end:
            begin = i
            argument = ""
            if c == ord("_"):
                if at(i + 1) == ord("_"):
                    kind = "underline"
                    i += 1
                else:
                    kind = "italic"
            elif c == ord("*"):
                kind = "bold"
            elif c == ord("~"):
                kind = "strikethrough"
            elif c == ord("|") and at(i + 1) == ord("|"):
                kind = "spoiler"
                i += 1
            elif c == ord("["):
                kind = "text_link"
            elif c == ord("`"):
                if data[i : i + 3] == b"```":
                    kind = "pre"
                    argument, code_start = _pre_opening(data, i + 3)
                    i = code_start - 1
                else:
                    kind = "code"
            elif c == ord("!") and at(i + 1) == ord("["):
                kind = "custom_emoji"
                i += 1
            else:
                char = chr(c)
                raise EntityParseError(
                    f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
                )
            stack.append(_Open(kind, argument, utf16, begin, len(out)))
            i += 1
            continue

        opened = stack.pop()
        kind = opened.type
        empty = utf16 == opened.utf16_offset
        entity: dict[str, Any] | None = {
            "type": kind,
            "offset": opened.utf16_offset,
            "length": utf16 - opened.utf16_offset,
        }
        if kind in ("underline", "spoiler"):
            i += 1
        elif kind == "pre":
            i += 2
            if opened.argument:
                entity["language"] = opened.argument
        elif kind == "text_link":
            if at(i + 1) != ord("("):
                url = out[opened.out_pos :].decode("utf-8", "replace")
            else:
                i += 2
                url_begin = i
                raw = bytearray()
                while i < n and data[i] != ord(")"):
                    if data[i] == ord("\\") and i + 1 < n and 0 < data[i + 1] <= 126:
                        raw.append(data[i + 1])
                        i += 2
                        continue
                    raw.append(data[i])
                    i += 1
                if at(i) != ord(")"):
                    raise EntityParseError(f"Can't find end of a URL at byte offset {url_begin}")
                url = raw.decode("utf-8", "replace")
            if url.startswith("tg://user?id=") and url[13:].isdigit():
                entity = {
                    "type": "text_mention",
                    "offset": opened.utf16_offset,
                    "length": utf16 - opened.utf16_offset,
                    "user": {"id": int(url[13:]), "is_bot": False, "first_name": ""},
                }
            elif url:
                entity["url"] = url
            else:
                entity = None
        elif kind == "custom_emoji":
            if at(i + 1) != ord("("):
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            i += 2
            url_begin = i
            while i < n and data[i] != ord(")"):
                i += 1
            if at(i) != ord(")"):
                raise EntityParseError(f"Can't find end of a URL at byte offset {url_begin}")
            url = data[url_begin:i].decode("utf-8", "replace")
            prefix = "tg://emoji?id="
            if not url.startswith(prefix) or not url[len(prefix) :].isdigit():
                raise EntityParseError("Invalid custom emoji identifier specified")
            entity["custom_emoji_id"] = url[len(prefix) :]
        if entity is not None and not empty:
            entities.append(entity)
        i += 1

    if stack:
        opened = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_TYPE_NAMES[opened.type]} entity at byte offset "
            f"{opened.byte_offset}"
        )
    close_quote(utf16)
    return FormattedText(out.decode("utf-8"), sort_entities(entities))


def parse_markdown_legacy(source: str) -> FormattedText:
    """Parse the legacy ``Markdown`` mode (``*bold*``, ``_italic_``, code, ``[text](url)``)."""
    data = source.encode("utf-8")
    n = len(data)
    out = bytearray()
    utf16 = 0
    entities: list[dict[str, Any]] = []
    i = 0
    while i < n:
        c = data[i]
        if c == ord("\\") and i + 1 < n and data[i + 1] in b"_*`[":
            out.append(data[i + 1])
            utf16 += 1
            i += 2
            continue
        if c not in b"_*`[":
            out.append(c)
            utf16 += utf16_units_of_byte(c)
            i += 1
            continue
        begin = i
        end_char = ord("]") if c == ord("[") else c
        is_pre = False
        language = ""
        i += 1
        if c == ord("`") and data[i : i + 2] == b"``":
            is_pre = True
            language, i = _pre_opening(data, i + 2)
        offset = utf16
        start_pos = len(out)
        while i < n and (data[i] != end_char or (is_pre and data[i : i + 3] != b"```")):
            out.append(data[i])
            utf16 += utf16_units_of_byte(data[i])
            i += 1
        if i >= n:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
        length = utf16 - offset
        entity: dict[str, Any] | None = None
        if c == ord("_"):
            entity = {"type": "italic"}
        elif c == ord("*"):
            entity = {"type": "bold"}
        elif c == ord("`"):
            entity = {"type": "pre"} if is_pre else {"type": "code"}
            if is_pre and language:
                entity["language"] = language
        else:
            url = out[start_pos:].decode("utf-8", "replace")
            if i + 1 < n and data[i + 1] == ord("("):
                i += 2
                url_start = i
                while i < n and data[i] != ord(")"):
                    i += 1
                url = data[url_start:i].decode("utf-8", "replace")
            entity = {"type": "text_link", "url": url} if url else None
        if entity is not None and length > 0:
            entity.update(offset=offset, length=length)
            entities.append(entity)
        i += 3 if is_pre else 1
    return FormattedText(out.decode("utf-8"), sort_entities(entities))
