"""sendPhoto, sendDocument and getFile: uploads stored in memory, file_ids reusable.

Staff get charts (photos) and exports (documents) from the bot; tests need the exact bytes,
name and size that were sent, and Telegram's refusals for non-images, empty files, unknown
file_ids and over-long captions.
"""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING, Any

from bot.devtools.sandbox import errors
from bot.devtools.sandbox.api_common import (
    caption_param,
    post_bot_message,
    target_chat,
)
from bot.devtools.sandbox.files import MAX_PHOTO_BYTES, MAX_UPLOAD_BYTES, StoredFile, image_size
from bot.devtools.sandbox.params import Params, Upload

if TYPE_CHECKING:
    from bot.devtools.sandbox.sandbox import Sandbox

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024


def _store_photo(sb: Sandbox, upload: Upload) -> StoredFile:
    if not upload.data:
        raise errors.bad_request("file must be non-empty")
    if len(upload.data) > MAX_PHOTO_BYTES:
        raise errors.bad_request("file is too big")
    size = image_size(upload.data)
    if size is None:
        raise errors.bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if (
        width <= 0
        or height <= 0
        or width + height > 10000
        or max(width, height) > 20 * min(width, height)
    ):
        raise errors.bad_request("PHOTO_INVALID_DIMENSIONS")
    return sb.files.add(
        "photo",
        upload.data,
        filename=upload.filename,
        mime_type=upload.content_type,
        width=width,
        height=height,
    )


def _store_document(sb: Sandbox, upload: Upload) -> StoredFile:
    if not upload.data:
        raise errors.bad_request("file must be non-empty")
    if len(upload.data) > MAX_UPLOAD_BYTES:
        raise errors.ApiError(413, "Request Entity Too Large")
    mime = upload.content_type
    if not mime or mime == "application/octet-stream":
        mime = mimetypes.guess_type(upload.filename or "")[0] or "application/octet-stream"
    return sb.files.add("document", upload.data, filename=upload.filename, mime_type=mime)


def _resolve_file(sb: Sandbox, p: Params, kind: str) -> StoredFile:
    ref = p.file_ref(kind)
    if ref is None:
        raise errors.bad_request(f"there is no {kind} in the request")
    if isinstance(ref, Upload):
        return _store_photo(sb, ref) if kind == "photo" else _store_document(sb, ref)
    if ref.lower().startswith(("http://", "https://")):
        # Telegram would download the URL; the sandbox cannot, so it keeps a placeholder.
        name = ref.rstrip("/").rsplit("/", 1)[-1] or None
        return sb.files.add(kind, None, size=0, filename=name, width=1, height=1)
    return sb.files.reuse(ref, kind)


async def _send_media(sb: Sandbox, p: Params, kind: str, method: str) -> dict[str, Any]:
    chat = target_chat(sb, p)
    stored = _resolve_file(sb, p, kind)
    caption = caption_param(sb, p)
    return post_bot_message(
        sb,
        p,
        chat,
        kind,
        method,
        kind=kind,
        caption=caption.text if caption else None,
        entities=caption.entities if caption else [],
        source=p.get_str("caption"),
        file=stored,
    )


async def send_photo(sb: Sandbox, p: Params) -> dict[str, Any]:
    """sendPhoto (upload, file_id or URL)."""
    return await _send_media(sb, p, "photo", "sendPhoto")


async def send_document(sb: Sandbox, p: Params) -> dict[str, Any]:
    """sendDocument (upload, file_id or URL)."""
    return await _send_media(sb, p, "document", "sendDocument")


async def get_file(sb: Sandbox, p: Params) -> dict[str, Any]:
    """getFile: a relative ``file_path`` downloadable from ``base_file_url``."""
    file_id = p.get_str("file_id")
    if not file_id:
        raise errors.bad_request("file_id is empty")
    stored = sb.files.get(file_id)
    if stored is None:
        raise errors.bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD_BYTES:
        raise errors.bad_request("file is too big")
    return stored.file()
