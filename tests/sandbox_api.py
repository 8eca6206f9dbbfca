"""Shared helpers of the sandbox Bot API tests (``test_sandbox_bot_api*.py``): the bot token, a
phone that has started the bot, and a minimal valid PNG.
"""

from __future__ import annotations

import struct
import zlib

from bot.devtools.sandbox import Sandbox

TOKEN = "123456:TEST"


async def started_phone(sandbox: Sandbox, user_id: int = 1001, **kwargs: str):
    phone = sandbox.user(
        user_id,
        first_name=kwargs.get("first_name", "Amina"),
        language_code=kwargs.get("language_code", "ar"),
    )
    await phone.start()
    return phone


def png(width: int, height: int) -> bytes:
    """A minimal valid PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
