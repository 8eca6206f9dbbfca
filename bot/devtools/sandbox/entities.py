"""Formatted text as Telegram stores it: plain text plus entities measured in UTF-16 units.

Telegram measures lengths (the 4096/1024 limits) and entity offsets in UTF-16 code units of the
text *after* markup parsing, so the parsers produce this shape and the limits are checked on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class EntityParseError(Exception):
    """Markup Telegram would refuse; the message is Telegram's wording after
    ``Bad Request: can't parse entities: ``."""


@dataclass(frozen=True)
class FormattedText:
    """Text after parsing and its entities (dicts shaped like Bot API ``MessageEntity``)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def length(self) -> int:
        """Length in UTF-16 code units, the unit of Telegram's limits."""
        return utf16_len(self.text)


def utf16_len(text: str) -> int:
    """Number of UTF-16 code units (characters outside the BMP count twice)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_units_of_byte(byte: int) -> int:
    """UTF-16 units contributed by one UTF-8 byte (counted at the lead byte, as tdlib does)."""
    if byte & 0xC0 == 0x80:
        return 0
    return 2 if byte >= 0xF0 else 1


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Telegram's order: by offset, longer (outer) entities first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def strip_formatted(formatted: FormattedText) -> FormattedText:
    """Trim leading/trailing whitespace like Telegram does, moving and clipping entities."""
    text = formatted.text
    stripped_left = text.lstrip()
    lead = utf16_len(text[: len(text) - len(stripped_left)])
    result = stripped_left.rstrip()
    total = utf16_len(result)
    entities: list[dict[str, Any]] = []
    for entity in formatted.entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(result, sort_entities(entities))
