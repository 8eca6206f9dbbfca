"""In-memory file storage: uploads from the bot and media sent by the phones.

Charts and exports are the bot's uploads; tests must see exactly what was sent (bytes,
filename, MIME type, size), and ``file_id`` reuse and ``getFile`` downloads must work like on
Telegram. Photos are sniffed for their real dimensions because Telegram refuses files that are
not images (``IMAGE_PROCESS_FAILED``), which would otherwise only show up in production.
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from dataclasses import dataclass
from typing import Any

from bot.devtools.sandbox import errors

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024

_ID_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
}
_KIND_DIR = {"photo": "photos", "document": "documents", "voice": "voice", "audio": "music"}
_TYPE_NAME = {"photo": "Photo", "document": "Document", "voice": "Voice", "audio": "Audio"}


@dataclass
class StoredFile:
    """One file known to the sandbox; ``data`` holds the bytes when they were uploaded."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes | None
    size: int
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None

    def photo_sizes(self) -> list[dict[str, Any]]:
        """Bot API ``PhotoSize`` list (one size: the original)."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.size,
                "width": self.width or 1,
                "height": self.height or 1,
            }
        ]

    def document(self) -> dict[str, Any]:
        """Bot API ``Document``."""
        result: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.filename:
            result["file_name"] = self.filename
        if self.mime_type:
            result["mime_type"] = self.mime_type
        return result

    def voice(self) -> dict[str, Any]:
        """Bot API ``Voice``."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "duration": self.duration or 0,
            "mime_type": self.mime_type or "audio/ogg",
            "file_size": self.size,
        }

    def file(self) -> dict[str, Any]:
        """Bot API ``File`` for getFile (``file_path`` relative, like Telegram's)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


class FileStore:
    """Files by ``file_id`` and by download path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def add(
        self,
        kind: str,
        data: bytes | None,
        *,
        size: int | None = None,
        filename: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration: int | None = None,
    ) -> StoredFile:
        """Store a new file and give it Telegram-looking identifiers."""
        self._counter += 1
        digest = hashlib.sha1(
            data if data is not None else f"{kind}:{self._counter}".encode()
        ).hexdigest()
        prefix = _ID_PREFIX.get(kind, "BQACAgIAAxkBAAI")
        file_id = prefix + secrets.token_urlsafe(30)
        extension = ""
        if filename and "." in filename:
            extension = "." + filename.rsplit(".", 1)[1]
        elif kind == "photo":
            extension = ".jpg"
        elif kind == "voice":
            extension = ".oga"
        path = f"{_KIND_DIR.get(kind, 'documents')}/file_{self._counter}{extension}"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id="AQAD" + digest[:12],
            kind=kind,
            data=data,
            size=size if size is not None else len(data or b""),
            file_path=path,
            filename=filename,
            mime_type=mime_type,
            width=width,
            height=height,
            duration=duration,
        )
        self._by_id[file_id] = stored
        self._by_path[path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this ``file_id``, if known."""
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        """The file served at ``/file/bot<token>/<path>``."""
        return self._by_path.get(path)

    def reuse(self, file_id: str, kind: str) -> StoredFile:
        """Resolve a ``file_id`` sent instead of an upload, with Telegram's refusals."""
        stored = self._by_id.get(file_id)
        if stored is None:
            raise errors.bad_request("wrong file identifier/HTTP URL specified")
        compatible = stored.kind == kind or (kind == "document" and stored.kind != "photo")
        if not compatible:
            have = _TYPE_NAME.get(stored.kind, stored.kind.title())
            want = _TYPE_NAME.get(kind, kind.title())
            raise errors.bad_request(f"can't use file of type {have} as {want}")
        return stored


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, JPEG, GIF, WebP or BMP image, or None if not an image."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return width, height
        if data[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack("<HH", data[6:10])
            return width, height
        if data.startswith(b"BM") and len(data) >= 26:
            width, height = struct.unpack("<ii", data[18:26])
            return abs(width), abs(height)
        if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
            return _webp_size(data)
        if data.startswith(b"\xff\xd8"):
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    n = len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None
