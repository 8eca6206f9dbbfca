"""What our log lines look like: one line per record as JSON or key=value for log collectors
(``PARTNERBOT_LOG_FORMAT``), and the one safe line about an update (ids and kind only).

Both formats take a record only after ``bot.logs.PrivacyFilter`` has made it safe (and run the
filter themselves on a handler installed without it), then redact every field again: the same
three layers as the text format, so choosing a format cannot open a leak.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable
from typing import Any

from bot.logs import WITHHELD, PrivacyFilter, _is_ours, _safe_arg, redact

# What every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = frozenset(logging.LogRecord("x", logging.INFO, "x.py", 1, "", (), None).__dict__)
_STANDARD |= {"message", "asctime", "taskName"}
_KV_BARE = re.compile(r"[A-Za-z0-9_.:/@+,<>()\[\]-]+")
_KEY = re.compile(r"[^A-Za-z0-9_]")


class _OneLineFormatter(logging.Formatter):
    """The fields of a record the privacy filter has made safe, for a one-line format."""

    def fields(self, record: logging.LogRecord) -> dict[str, Any]:
        if not getattr(record, "_private_ok", False) and not PrivacyFilter().filter(record):
            # a handler without the filter, and a library record under its cap: nothing of it
            record.msg, record.args, record.exc_info, record.exc_text = WITHHELD, (), None, None
        ours = _is_ours(record.name)
        created = dt.datetime.fromtimestamp(record.created, dt.UTC)
        out: dict[str, Any] = {
            "ts": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key in sorted(set(record.__dict__) - _STANDARD):
            if key.startswith("_"):
                continue
            value = _safe_arg(record.__dict__[key], ours=ours)
            if isinstance(value, str):
                value = redact(value)
            elif not isinstance(value, int | float | bool) and value is not None:
                value = redact(str(value))
            name = _KEY.sub("_", key)
            out[name if name not in out else f"extra_{name}"] = value
        exc_type = getattr(record, "_exc_type", None)
        if exc_type:
            out["exc_type"] = exc_type
        if record.exc_text:
            out["traceback"] = redact(record.exc_text)
        if record.stack_info:
            out["stack"] = redact(record.stack_info)
        return out


class JsonFormatter(_OneLineFormatter):
    """One JSON object per line; newlines and every non-ASCII character escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(self.fields(record), ensure_ascii=True, default=str)


class KeyValueFormatter(_OneLineFormatter):
    """``ts=… level=… logger=… msg="…" key=value`` on one line; values with spaces, quotes or
    ``=`` are quoted, and quotes, backslashes and line breaks in them escaped."""

    def format(self, record: logging.LogRecord) -> str:
        parts = []
        for key, value in self.fields(record).items():
            parts.append(f"{key}={_kv_value(value, quote=key == 'msg')}")
        return " ".join(parts)


def _kv_value(value: Any, *, quote: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if not quote and _KV_BARE.fullmatch(text):
        return text
    escaped = json.dumps(text, ensure_ascii=True)[1:-1]  # \\, \", \n, \uXXXX
    return f'"{escaped}"'


_MEDIA = ("voice", "audio", "photo", "document", "video", "sticker", "location", "contact")
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@\w+)?")


def describe_update(update: Any, commands: Iterable[str] = ()) -> str:
    """One safe line about an update for a DEBUG record: ids and the kind, never its content.

    A command is named only if it is one of ``commands`` (a person can type ``/anything``);
    its argument (an invitation token for ``/start``) is never shown. Of a button press only
    the first two fields of the callback data (``sv:12``, ``ob:tz``) are shown.
    """
    parts = [f"update {getattr(update, 'update_id', '?')}"]
    user = getattr(update, "effective_user", None)
    chat = getattr(update, "effective_chat", None)
    if user is not None:
        parts.append(f"from user {user.id}")
    if chat is not None and (user is None or chat.id != user.id):
        parts.append(f"in chat {chat.id}")
    query = getattr(update, "callback_query", None)
    message = getattr(update, "message", None) or getattr(update, "edited_message", None)
    if query is not None:
        parts.append("button " + ":".join((query.data or "").split(":")[:2])[:40])
    elif message is not None:
        text = message.text or ""
        match = _COMMAND.fullmatch(text.split(" ", 1)[0]) if text.startswith("/") else None
        if match is not None:
            name = match.group(1)
            shown = f"/{name}" if name in set(commands) else "a command"
            parts.append(shown + (" with an argument" if text.strip() != text.split()[0] else ""))
        elif text:
            parts.append(f"text of {len(text)} characters")
        else:
            kind = next((k for k in _MEDIA if getattr(message, k, None)), "other message")
            parts.append(kind)
    else:
        kinds = ("my_chat_member", "chat_member", "inline_query", "poll_answer")
        parts.append(next((k for k in kinds if getattr(update, k, None)), "other update"))
    return " ".join(parts)
