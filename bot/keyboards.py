"""Inline keyboards laid out for narrow phone screens."""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

LABEL_LIMIT = 64
_BRACKETED = re.compile(r"\s*[(\[（][^()\[\]（）]*[)\]）]")


def shorten(text: str, limit: int = LABEL_LIMIT) -> str:
    """A label of at most ``limit`` characters, never cut inside a bracketed part: whole words
    go from before the brackets first ("Pulse survey… (closed 2 Mar 2026)"), then bracketed
    parts are dropped whole (the first one first), and only then is the rest cut at a word."""
    if len(text) <= limit:
        return text
    brackets = list(_BRACKETED.finditer(text))
    if brackets:
        head, tail = text[: brackets[0].start()], text[brackets[0].start() :]
        words = head.split()
        while len(words) > 1:
            words.pop()
            candidate = " ".join(words) + "…" + tail
            if len(candidate) <= limit:
                return candidate
        without = _BRACKETED.sub("", text, count=1).strip()
        if without != text:
            return shorten(without, limit)
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,·:;-(") + "…"


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(shorten(text), callback_data=data)


def grid(buttons: Sequence[InlineKeyboardButton], per_row: int = 2) -> InlineKeyboardMarkup:
    rows = [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(rows)


def column(buttons: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[b] for b in buttons])
