"""Telegram's HTML parse mode, re-implemented after tdlib's ``parse_html``.

Telegram refuses a message whose HTML it cannot parse (unsupported tag, unclosed tag, a bare
``<`` in user-supplied text...). Forgetting to escape a partner's name is the classic way to
hit that in production, so the sandbox parses exactly like tdlib and raises the same messages
(byte offsets included). It also produces the plain text and entities that Telegram would
store, so length limits are checked after parsing, as Telegram does.

One deliberate extra strictness (``strict_entities``): an unknown named entity such as
``&nbsp;`` or ``&foo;`` is refused. Telegram would accept it and show the raw ``&foo;`` to the
partner, which is always a bug in the bot.
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

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
_SPACES = b" \t\r\n\x0b\x0c"


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    byte_offset: int
    expandable: bool = False


def _is_alpha(byte: int) -> bool:
    return 65 <= byte <= 90 or 97 <= byte <= 122


def _is_digit(byte: int) -> bool:
    return 48 <= byte <= 57


def _is_hex(byte: int) -> bool:
    return _is_digit(byte) or 65 <= byte <= 70 or 97 <= byte <= 102


def decode_entity(data: bytes, pos: int) -> tuple[int, int] | None:
    """Decode ``&...`` at ``pos`` the way tdlib does: (code point, next position) or None."""
    n = len(data)
    end = pos + 1
    value = 0
    if end < n and data[end] == ord("#"):
        end += 1
        if end < n and data[end] == ord("x"):
            end += 1
            while end < n and _is_hex(data[end]):
                value = value * 16 + int(chr(data[end]), 16)
                end += 1
                if value >= 0x10FFFF:
                    return None
        else:
            while end < n and _is_digit(data[end]):
                value = value * 10 + data[end] - 48
                end += 1
                if value >= 0x10FFFF:
                    return None
        if value == 0 or 0xD800 <= value <= 0xDFFF:
            return None
    else:
        while end < n and _is_alpha(data[end]):
            end += 1
        name = data[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return None
        value = _NAMED_ENTITIES[name]
    if end < n and data[end] == ord(";"):
        end += 1
    return value, end


def _unknown_named_entity(data: bytes, pos: int) -> str | None:
    """``&name;`` with an unknown name, as text, or None if it does not look like one."""
    end = pos + 1
    while end < len(data) and (_is_alpha(data[end]) or _is_digit(data[end])):
        end += 1
    if end > pos + 1 and end < len(data) and data[end] == ord(";"):
        return data[pos : end + 1].decode("ascii")
    return None


def parse_html(source: str, *, strict_entities: bool = True) -> FormattedText:
    """Parse Telegram HTML into plain text and entities, or raise :class:`EntityParseError`."""
    data = source.encode("utf-8")
    n = len(data)
    out = bytearray()
    utf16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []

    def at(k: int) -> int:
        return data[k] if k < n else 0

    i = 0
    while i < n:
        c = data[i]
        if c == ord("&"):
            decoded = decode_entity(data, i)
            if decoded is not None:
                code_point, i = decoded
                out += chr(code_point).encode("utf-8")
                utf16 += 2 if code_point > 0xFFFF else 1
                continue
            if strict_entities:
                unknown = _unknown_named_entity(data, i)
                if unknown is not None:
                    raise EntityParseError(
                        f'Unsupported HTML entity "{unknown}" at byte offset {i}'
                    )
        if c != ord("<"):
            out.append(c)
            utf16 += utf16_units_of_byte(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != ord("/"):
            while i < n and data[i] not in _SPACES and data[i] != ord(">"):
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].decode("utf-8", "replace").lower()
            if tag not in SUPPORTED_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            open_tag = _OpenTag(tag, "", utf16, begin)
            while at(i) != ord(">"):
                while i < n and data[i] in _SPACES:
                    i += 1
                if at(i) == ord(">"):
                    break
                if i >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
                attr_begin = i
                while i < n and data[i] not in _SPACES and data[i] not in b"=>":
                    i += 1
                attr_name = data[attr_begin:i].decode("utf-8", "replace").lower()
                if not attr_name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while i < n and data[i] in _SPACES:
                    i += 1
                if at(i) != ord("="):
                    if tag == "blockquote" and attr_name == "expandable":
                        open_tag.expandable = True
                        continue
                    raise EntityParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {begin}'
                    )
                i += 1
                while i < n and data[i] in _SPACES:
                    i += 1
                if i >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
                if data[i] not in b"'\"":
                    token_begin = i
                    while i < n and (_is_alpha(data[i]) or _is_digit(data[i]) or data[i] in b".-"):
                        i += 1
                    value = data[token_begin:i].decode("ascii").lower()
                    if at(i) not in _SPACES and at(i) != ord(">"):
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = data[i]
                    i += 1
                    raw = bytearray()
                    while i < n and data[i] != quote:
                        if data[i] == ord("&"):
                            decoded = decode_entity(data, i)
                            if decoded is not None:
                                raw += chr(decoded[0]).encode("utf-8")
                                i = decoded[1]
                                continue
                        raw.append(data[i])
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = raw.decode("utf-8", "replace")
                if i >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attr_name == "href":
                    open_tag.argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    open_tag.argument = value[len("language-") :]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    open_tag.argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    open_tag.argument = value
                elif tag == "pre" and attr_name == "language":
                    open_tag.argument = value
            if tag == "span" and open_tag.argument != "spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            stack.append(open_tag)
            i += 1  # past '>'
            continue

        # an end tag
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        i += 1
        name_begin = i
        while i < n and data[i] not in _SPACES and data[i] != ord(">"):
            i += 1
        end_name = data[name_begin:i].decode("utf-8", "replace")
        while i < n and data[i] in _SPACES:
            i += 1
        if at(i) != ord(">"):
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        open_tag = stack.pop()
        if end_name and end_name != open_tag.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{open_tag.name}>", '
                f'found "</{end_name}>"'
            )
        i += 1
        length = utf16 - open_tag.utf16_offset
        if length > 0:
            _close_entity(open_tag, length, entities, out)

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        entity.pop("_language", None)
    return FormattedText(out.decode("utf-8"), sort_entities(entities))


def _close_entity(
    tag: _OpenTag, length: int, entities: list[dict[str, Any]], out: bytearray
) -> None:
    """Append the entity a closed tag produces (tdlib's rules for a, pre+code, tg-emoji)."""
    offset = tag.utf16_offset
    name = tag.name
    if name in _SIMPLE_TYPES:
        entities.append({"type": _SIMPLE_TYPES[name], "offset": offset, "length": length})
    elif name == "a":
        url = tag.argument
        if url.startswith("tg://user?id="):
            user_id = url[len("tg://user?id=") :]
            if user_id.isdigit():
                entities.append(
                    {
                        "type": "text_mention",
                        "offset": offset,
                        "length": length,
                        "user": {"id": int(user_id), "is_bot": False, "first_name": ""},
                    }
                )
            return
        if url and _looks_like_url(url):
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
    elif name == "code":
        entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
        if tag.argument:
            entity["_language"] = tag.argument  # kept until a surrounding <pre> claims it
        entities.append(entity)
    elif name == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
        ):
            entities.pop()
            language = last.get("_language") or tag.argument
        else:
            language = tag.argument
        entity = {"type": "pre", "offset": offset, "length": length}
        if language:
            entity["language"] = language
        entities.append(entity)
    elif name == "blockquote":
        kind = "expandable_blockquote" if tag.expandable else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})
    elif name == "tg-emoji":
        if not tag.argument.isdigit():
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(
            {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": tag.argument,
            }
        )


def _looks_like_url(url: str) -> bool:
    """A loose version of tdlib's link check: a scheme Telegram accepts, or a bare host."""
    lowered = url.lower()
    if lowered.startswith(("http://", "https://", "tg://", "ton://")):
        return True
    if "://" in lowered or lowered.startswith(("javascript:", "data:", "mailto:")):
        return lowered.startswith("mailto:")
    return "." in lowered and " " not in lowered
