"""Logging for the process: useful at ``-v``, and never a record of who said what.

What is never logged, at any verbosity, by our code or by the libraries we run:

* **tokens** — the bot token, invitation tokens (the ``/start`` deep-link payload) and the
  webhook secret. Whoever holds an invitation token can join as the organisation it was made
  for; whoever holds the bot token *is* the bot.
* **answers** — anything a person typed: survey answers, free text, commands with arguments.
* **names** — display, first and last names, usernames and organisation names.

Partners' answers are about the people who fund them (see "Privacy and trust" in DESIGN.md);
logs are copied, shipped and kept far longer than anyone plans, and are read by the very staff
the answers may be about. User and chat ids stay: they are pseudonymous and needed to follow
one conversation through the log.

How, in three layers, so that one mistake does not leak:

1. **Libraries are capped.** python-telegram-bot logs whole ``Update`` objects and every Bot API
   call's parameters and results at DEBUG; httpx, httpcore and aiohttp's access log write URLs
   that hold the bot token (``/bot<TOKEN>/``); SQLAlchemy's engine log and aiosqlite write SQL
   parameters (names, answers). Only *our* loggers (``bot``, ``storage``, ``conversations``)
   go down to DEBUG; every other logger is held at INFO, and the ones above at WARNING. The cap
   is enforced twice: by the loggers' levels (cheap), and by :class:`PrivacyFilter` on every
   handler we install, so a later ``getLogger("telegram").setLevel(DEBUG)`` opens nothing.
2. **Library records keep only plain arguments.** Even above the cap a few library records
   dump data (PTB at CRITICAL: "Received data was %r", "Error while building CallbackContext
   for update %s"); a library record's arguments that are not plain numbers, short flags or
   strings are replaced by ``<withheld>``, and the known payload templates lose all arguments.
3. **Last line of defence, on every record:** bot tokens (``123456:ABC…``, and whatever follows
   ``/bot`` in a URL), deep-link payloads (``start=…``, ``/start …``), secrets registered with
   :func:`protect` and long random-looking strings are replaced by ``<redacted>``. Exceptions
   are printed with their traceback (code, file and line) and type, but their *message* only for
   types whose messages come from a server or the OS (Telegram errors, httpx, OSError): a
   ``ValueError`` from ``int(text)`` or a database error quotes what the person typed or the
   row's parameters. The same rule applies to exceptions passed as ``%s`` arguments.

Our own log calls must still not pass names, typed text or tokens: the filter cannot recognise
a name. Log ids (user, chat, message, update, delivery) and type names instead.

**Formats** (``PARTNERBOT_LOG_FORMAT``): ``text`` (the default: ``time LEVEL logger: message``,
a traceback on the lines after), ``json`` (one object per line: ``ts``, ``level``, ``logger``,
``msg``, the fields passed with ``extra=``, and for an exception ``exc_type`` and ``traceback``,
escaped onto the same line) and ``kv`` (``ts=… level=… logger=… msg="…" key=value``, also one
line). Each formats the record the filter has already made safe, and what ``extra=`` adds goes
through the same rule as a message's arguments.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import re
import traceback
from collections.abc import Mapping
from typing import Any

OWN_LOGGERS = ("bot", "storage", "conversations", "__main__")
# Libraries whose arguments are code, not data (migration names): shown like ours.
TRUSTED_LIBRARIES = ("alembic",)
LIBRARY_CAP = logging.INFO
# Libraries whose records at INFO (or DEBUG) carry URLs with the token, SQL parameters or bodies.
LIBRARY_CAPS: dict[str, int] = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "hpack": logging.WARNING,
    "aiohttp.access": logging.WARNING,
    "aiohttp.client": logging.WARNING,
    "tornado.access": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    "alembic": logging.INFO,
    "apscheduler": logging.WARNING,
    "telegram.ext.ExtBot": logging.WARNING,
    "telegram.Bot": logging.WARNING,
    "telegram.ext.Updater": logging.INFO,
    "telegram.ext.Application": logging.INFO,
    "telegram.ext.ConversationHandler": logging.INFO,
    "telegram": logging.INFO,
}

WITHHELD = "<withheld>"
REDACTED = "<redacted>"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Library messages known to carry an update, a request or a response whatever their level.
PAYLOAD_TEMPLATES = (
    "Received data was",
    "Processing update",
    "Dropping pending update",
    "Calling Bot API endpoint",
    "Call to Bot API endpoint",
    "Webhook received data",
    "secret token",
    "Can not load invalid JSON",
    "Error while building CallbackContext",
    "Selecting conversation",
)

# Exceptions whose message is written by a server or the OS, not built from our data.
_SPEAKING_EXCEPTION_MODULES = ("telegram.error", "httpx", "httpcore", "aiohttp.client_exceptions")
_SPEAKING_EXCEPTION_TYPES: tuple[type[BaseException], ...] = (OSError, TimeoutError)

_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
_BOT_URL = re.compile(r"(/(?:file/)?bot)[^/\s'\"]+")
_DEEP_LINK = re.compile(r"((?:start|startgroup|startapp)=)[^&\s'\"]+")
_START_ARG = re.compile(r"(/start(?:@\w+)?\s+)[^\s'\"]+")
_CANDIDATE = re.compile(r"[A-Za-z0-9_-]{20,}")

_secrets: set[str] = set()


def protect(*values: str | None) -> None:
    """Never log these exact strings (the bot token, the webhook secret)."""
    for value in values:
        if value and len(value) >= 6:
            _secrets.add(value)


def _random_looking(match: re.Match[str]) -> str:
    """Invitation tokens and secrets: 20+ URL-safe characters with upper, lower and a digit."""
    word = match.group(0)
    if (
        any(c.isupper() for c in word)
        and any(c.islower() for c in word)
        and any(c.isdigit() for c in word)
    ):
        return REDACTED
    return word


def redact(text: str) -> str:
    """Tokens, deep-link payloads, registered secrets and random-looking strings removed."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _BOT_TOKEN.sub(REDACTED, text)
    text = _BOT_URL.sub(rf"\1{REDACTED}", text)
    text = _DEEP_LINK.sub(rf"\1{REDACTED}", text)
    text = _START_ARG.sub(rf"\1{REDACTED}", text)
    return _CANDIDATE.sub(_random_looking, text)


def _speaks(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    return isinstance(exc, _SPEAKING_EXCEPTION_TYPES) or any(
        module == m or module.startswith(m + ".") for m in _SPEAKING_EXCEPTION_MODULES
    )


def _type_name(exc: BaseException) -> str:
    name = type(exc).__qualname__
    module = type(exc).__module__
    return f"{module}.{name}" if module and module != "builtins" else name


def exception_text(exc: BaseException) -> str:
    """``Type: message`` when the message is safe to show, else ``Type`` (message withheld)."""
    name = _type_name(exc)
    if _speaks(exc):
        return redact(f"{name}: {exc}")
    return f"{name}: {WITHHELD}" if str(exc) else name


def format_exception(exc: BaseException) -> str:
    """A traceback like the standard one, with each exception's message through the rule above."""
    chain: list[tuple[BaseException, str | None]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    joiner: str | None = None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, joiner))
        if current.__cause__ is not None:
            joiner = "The above exception was the direct cause of the following exception:"
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            joiner = "During handling of the above exception, another exception occurred:"
            current = current.__context__
        else:
            current = None
    parts: list[str] = []
    for link, joiner_after in reversed(chain):
        lines = ["Traceback (most recent call last):\n"]
        lines += traceback.format_tb(link.__traceback__)
        lines.append(exception_text(link) + "\n")
        if isinstance(link, BaseExceptionGroup):
            for sub in link.exceptions:
                lines.append(f"  | {exception_text(sub)}\n")
        parts.append("".join(lines))
        if joiner_after is not None:
            parts.append(f"\n{joiner_after}\n\n")
    return redact("".join(parts).rstrip("\n"))


def _is_ours(name: str) -> bool:
    return any(name == own or name.startswith(own + ".") for own in OWN_LOGGERS)


def cap_for(name: str) -> int:
    """The lowest level a logger's records may have to be written at all."""
    if _is_ours(name):
        return logging.NOTSET
    best, best_len = LIBRARY_CAP, -1
    for prefix, level in LIBRARY_CAPS.items():
        if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best_len:
            best, best_len = level, len(prefix)
    return best


_PLAIN = (int, float, bool, enum.Enum, dt.date, dt.time, dt.timedelta, type)


def _safe_arg(value: Any, *, ours: bool) -> Any:
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, BaseException):
        return exception_text(value)
    if (type(value).__module__ or "").startswith("telegram"):
        return WITHHELD  # an Update, a Message, a User: names and typed text
    if isinstance(value, str):
        return redact(value)
    if ours:
        return redact(str(value))
    return WITHHELD  # a dict, a list, an Update, a request: a library's payload


class PrivacyFilter(logging.Filter):
    """Drops library records below their cap and rewrites the rest without private data.

    The record is changed in place (message formatted and redacted, ``args`` emptied, the
    exception rendered into ``exc_text``), so every handler after this one sees the safe form.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_private_ok", False):
            return True
        if record.levelno < cap_for(record.name):
            return False
        ours = _is_ours(record.name) or any(
            record.name == lib or record.name.startswith(lib + ".") for lib in TRUSTED_LIBRARIES
        )
        msg = str(record.msg)
        args: Any = record.args
        if isinstance(args, Mapping) and "%(" not in msg:
            args = (args,)  # one dict logged with %s: a payload, not named arguments
        if args:
            if not ours and any(t in msg for t in PAYLOAD_TEMPLATES):
                if isinstance(args, Mapping):
                    args = dict.fromkeys(args, WITHHELD)
                else:
                    args = tuple(WITHHELD for _ in args)
            elif isinstance(args, Mapping):
                args = {k: _safe_arg(v, ours=ours) for k, v in args.items()}
            else:
                args = tuple(_safe_arg(v, ours=ours) for v in args)
            try:
                msg = msg % args
            except (TypeError, ValueError, KeyError):
                msg = f"{msg} {WITHHELD}"
        if record.name == "asyncio" or record.name.startswith("asyncio."):
            msg = msg.split("\n", 1)[0]  # the rest is a task's repr, with its exception's text
        record.msg = redact(msg)
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            record._exc_type = _type_name(record.exc_info[1])
            record.exc_text = format_exception(record.exc_info[1])
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._private_ok = True
        return True
