"""Error reports to admins: an error nobody handled becomes a short notice to each admin.

A notice holds no personal data: an error id (8 hex characters, also in the log record of that
error, as ``error_id`` in the json and kv formats and in the message itself, so an admin can
find its traceback), the error's type and where in our code it happened. Never the exception's
message, which may quote what a person typed, and never who was talking to the bot.

At most one notice per kind of error per hour (``WINDOW``); the kind is the exception's type
and the innermost frame of our code (``bot``, ``storage``, ``conversations``) it went through.
Repeats in between are counted, not sent, and the next notice of that kind says how many there
were. The count is this process's, kept in memory (a restart starts afresh).

Each admin named in the settings (``PARTNERBOT_ADMINS``; their contacts with the role "admin"
are the same people) gets the notice in the language of their contact, else the default
language. It is sent from a task of its own through the bot's send path, paced like every
message, so the error handler neither waits for it nor fails with it: a notice that cannot be
sent is logged, and an error while notifying never leads to another notice.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import traceback
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.i18n import bidi, translator
from storage import contacts

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)
OUR_PACKAGES = ("bot", "storage", "conversations")
KINDS_KEPT = 500  # kinds remembered at most (the oldest notice is forgotten first)
REPORTER_KEY = "error_reporter"

# Set in the task that sends notices (and every task it starts): an error there is not reported.
_notifying: ContextVar[bool] = ContextVar("partnerbot_error_notice", default=False)


def new_error_id() -> str:
    """A short random id that ties an admin's notice to the log record of the error."""
    return secrets.token_hex(4)


def type_name(error: BaseException) -> str:
    name = type(error).__qualname__
    module = type(error).__module__
    return f"{module}.{name}" if module and module != "builtins" else name


def _is_ours(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in OUR_PACKAGES)


def location(error: BaseException) -> str:
    """``module.function:line`` of the innermost frame of our code the error went through
    (else of the innermost frame at all); ``unknown`` without a traceback."""
    frames = [
        (str(frame.f_globals.get("__name__", "?")), frame.f_code.co_qualname, line)
        for frame, line in traceback.walk_tb(error.__traceback__)
    ]
    if not frames:
        return "unknown"
    ours = [f for f in frames if _is_ours(f[0])]
    module, function, line = (ours or frames)[-1]
    return f"{module}.{function}:{line}"


@dataclass(frozen=True)
class Notice:
    error_id: str
    error_type: str
    where: str
    #: errors of the same kind since the last notice of that kind, not reported on their own
    held_back: int = 0


def notice_text(notice: Notice, lang: str) -> str:
    _ = translator(lang)
    lines = [
        _(
            "The bot met an error it did not expect: {error_type} in {where}.",
            error_type=notice.error_type,
            where=notice.where,
        ),
        _(
            "Error id: {error_id}. Search the log for it to see what happened.",
            error_id=notice.error_id,
        ),
    ]
    if notice.held_back:
        lines.append(
            _.ngettext(
                "It also happened {n} more time since the last notice of this error.",
                "It also happened {n} more times since the last notice of this error.",
                notice.held_back,
            )
        )
    lines.append(_("You get at most one notice an hour for each kind of error."))
    return "\n".join(lines)


@dataclass
class _Kind:
    last_notice: datetime
    held_back: int = 0


class ErrorReporter:
    """Which errors become a notice: the first of a kind, then one an hour with the count."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._kinds: dict[tuple[str, str], _Kind] = {}

    def decide(self, kind: tuple[str, str]) -> int | None:
        """None when a notice of this kind went out within the hour (this one is counted);
        else how many were counted since the last notice, and this one is noted as sent."""
        now = self.clock.now()
        state = self._kinds.get(kind)
        if state is not None and now - state.last_notice < WINDOW:
            state.held_back += 1
            return None
        held_back = state.held_back if state is not None else 0
        self._kinds.pop(kind, None)
        self._kinds[kind] = _Kind(last_notice=now)
        while len(self._kinds) > KINDS_KEPT:
            del self._kinds[next(iter(self._kinds))]
        return held_back


def reporter(svc: Any) -> ErrorReporter:
    found = svc.extras.get(REPORTER_KEY)
    if found is None:
        found = svc.extras[REPORTER_KEY] = ErrorReporter(svc.clock)
    return found  # type: ignore[no-any-return]


def log_and_report(
    application: Any, error: BaseException, logger: logging.Logger, what: str, *args: object
) -> str:
    """Log an error nobody handled with a new error id (traceback included), and tell the
    admins; the id, for the caller's own use."""
    error_id = new_error_id()
    logger.error(
        f"{what} (error %s)", *args, error_id, exc_info=error, extra={"error_id": error_id}
    )
    report(application, error, error_id=error_id)
    return error_id


def report(application: Any, error: BaseException, *, error_id: str) -> bool:
    """Tell the admins about ``error`` (logged under ``error_id``) unless a notice of its kind
    went out within the hour. Never raises; returns whether a notice is on its way."""
    try:
        if _notifying.get():
            log.warning("error %s while notifying admins: not reported", error_id)
            return False
        svc = application.bot_data.get("services")
        if svc is None or not svc.settings.admins:
            return False
        notice = Notice(error_id=error_id, error_type=type_name(error), where=location(error))
        held_back = reporter(svc).decide((notice.error_type, notice.where))
        if held_back is None:
            log.info(
                "error %s: its kind was reported within the hour; counted for the next notice",
                error_id,
                extra={"error_id": error_id},
            )
            return False
        notice = replace(notice, held_back=held_back)
        task = asyncio.create_task(_send(application, svc, notice), name="error notice")
        tasks: set[asyncio.Task[Any]] = application.bot_data.setdefault("tasks", set())
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return True
    except Exception:
        log.exception("could not report error %s to the admins", error_id)
        return False


async def _send(application: Any, svc: Any, notice: Notice) -> None:
    _notifying.set(True)
    for admin_id in list(svc.settings.admins):
        try:
            lang = await _language_of(svc, admin_id)
            text = bidi(notice_text(notice, lang), lang)
            await application.bot.send_message(admin_id, text)
        except Exception:
            log.warning(
                "could not send the notice of error %s to admin %s",
                notice.error_id,
                admin_id,
                exc_info=True,
                extra={"error_id": notice.error_id},
            )
        else:
            log.info(
                "sent the notice of error %s to admin %s",
                notice.error_id,
                admin_id,
                extra={"error_id": notice.error_id},
            )


async def _language_of(svc: Any, telegram_user_id: int) -> str:
    try:
        async with svc.db.sessions() as session:
            contact = await contacts.by_telegram_id(session, telegram_user_id)
    except Exception:  # the database may be what failed
        contact = None
    if contact is not None and contact.language:
        return str(contact.language)
    return str(svc.settings.default_language)
