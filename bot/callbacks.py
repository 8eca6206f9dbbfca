"""Compact callback data: ``area:action:arg…``, at most 64 bytes, parsed strictly.

A button names the step it answers, so a press on an old keyboard is recognised and answered
politely rather than applied to whatever the person is doing now.
"""

from __future__ import annotations

MAX_BYTES = 64


def data(*parts: object) -> str:
    text = ":".join(str(p) for p in parts)
    size = len(text.encode("utf-8"))
    if not 1 <= size <= MAX_BYTES:
        raise ValueError(f"callback data of {size} bytes: {text!r}")
    return text


def parts(raw: str | None, area: str, minimum: int = 2) -> list[str] | None:
    """Split data of one area; None for anything malformed (forged or from an old version)."""
    if not raw or len(raw.encode("utf-8")) > MAX_BYTES:
        return None
    pieces = raw.split(":")
    if pieces[0] != area or len(pieces) < minimum:
        return None
    return pieces


ROW_ID_MAX = 2**31 - 1  # the database's integer columns (PostgreSQL int4)
TELEGRAM_ID_MAX = 2**52  # Telegram promises user and chat ids fit in 52 bits


def is_number(text: str | None, limit: int = ROW_ID_MAX) -> bool:
    """True only for plain ASCII digits within ``limit``.

    ``str.isdigit`` accepts "²" and "١", which ``int`` refuses or reads as something else, and
    a 25-digit id overflows the database's integers: both crashed handlers when sent by hand.
    Every id or index taken from callback data or command arguments goes through here.
    """
    if not text or len(text) > len(str(limit)) or not (text.isascii() and text.isdigit()):
        return False
    return int(text) <= limit


def number(text: str | None, limit: int = ROW_ID_MAX) -> int | None:
    """The number ``text`` holds if :func:`is_number` accepts it, else None."""
    return int(text) if is_number(text, limit) else None


def is_telegram_id(text: str | None) -> bool:
    return is_number(text, TELEGRAM_ID_MAX)
