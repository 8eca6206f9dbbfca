"""Setting up the process's logging: our loggers and the libraries' caps, the privacy filter on
every handler, and the line format (``PARTNERBOT_LOG_FORMAT``). What may be logged at all is
``bot.logs``; how a line looks is ``bot.log_formats``."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from bot import log_formats
from bot.logs import FORMAT, LIBRARY_CAP, LIBRARY_CAPS, OWN_LOGGERS, PrivacyFilter, protect

_installed: list[logging.Handler] = []
_levels_set: list[str] = []


def configure(
    verbose: bool = False,
    *,
    handlers: Sequence[logging.Handler] | None = None,
    secrets: Iterable[str | None] | None = None,
    log_format: str | None = None,
) -> list[logging.Handler]:
    """Set up the root logger: our loggers at DEBUG with ``verbose``, libraries capped.

    ``handlers`` default to one stderr stream in ``log_format`` (else the ``log_format``
    setting: text, json or kv); each handler gets the :class:`PrivacyFilter`. Without
    ``secrets`` the bot token and webhook secret are read from the settings when they load.
    Calling it again replaces what an earlier call installed.
    """
    reset()
    if secrets is None or (handlers is None and log_format is None):
        found_secrets, found_format = _from_settings()
        secrets = found_secrets if secrets is None else secrets
        log_format = log_format or found_format
    protect(*secrets)
    if handlers is None:
        stream = _Stderr()
        stream.setFormatter(formatter(log_format or "text"))
        handlers = [stream]
    root = logging.getLogger()
    level = logging.DEBUG if verbose else logging.INFO
    root.setLevel(level)
    for handler in handlers:
        handler.addFilter(PrivacyFilter())
        root.addHandler(handler)
        _installed.append(handler)
    for name, cap in LIBRARY_CAPS.items():
        logging.getLogger(name).setLevel(max(cap, level))
        _levels_set.append(name)
    logging.getLogger(__name__).debug(
        "debug logging on for %s; other libraries from %s up",
        ", ".join(OWN_LOGGERS[:3]),
        logging.getLevelName(LIBRARY_CAP),
    )
    return list(handlers)


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (as logging's last resort does)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def reset() -> None:
    """Undo :func:`configure` (for tests, and before configuring again)."""
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        for f in list(handler.filters):
            if isinstance(f, PrivacyFilter):
                handler.removeFilter(f)
    _installed.clear()
    for name in _levels_set:
        logging.getLogger(name).setLevel(logging.NOTSET)
    _levels_set.clear()


def _from_settings() -> tuple[list[str | None], str]:
    """The secrets never to log, and the log format, from the settings."""
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError:  # the command reports the bad setting itself
        fallback = os.environ.get("PARTNERBOT_LOG_FORMAT", "text").strip().lower()
        return [], fallback if fallback in FORMATS else "text"
    return [settings.token, settings.webhook_secret], settings.log_format


# ------------------------------------------------------------------ one line per record

FORMATS = ("text", "json", "kv")


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for a ``log_format`` setting: text, or one line per record as json or
    key=value (``bot.log_formats``)."""
    if log_format == "text":
        return logging.Formatter(FORMAT)
    if log_format == "json":
        return log_formats.JsonFormatter()
    if log_format == "kv":
        return log_formats.KeyValueFormatter()
    raise ValueError(f"unknown log format {log_format!r}: one of {', '.join(FORMATS)}")
