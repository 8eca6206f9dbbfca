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
