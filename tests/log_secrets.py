"""Shared pieces of the log-privacy tests (``test_logs_private.py``, ``test_logs_filter.py``):
the distinctive secrets a session writes, handlers that keep or count the records, and one
record passed through the privacy filter.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime

from bot import logs

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday, 10:00 in Nairobi
PARTNER_ID = 880001
FIRST_NAME = "Zawadi"
LAST_NAME = "Mwangaza-Q7"
USERNAME = "zawadi_private_q7"
ADMIN_NAME = "Grace Okonkwo-W4"
ORG_NAME = "Ushirika Kilimo ZQ-88"
ANSWER = "my phone is +254 700 123 456 UNIQUE-ANSWER-XYZ"
WRONG = "Grants came late, ask Baraka SECOND-ANSWER-KQ"
LIBRARIES = ("telegram", "httpx", "httpcore", "aiohttp", "sqlalchemy.engine", "aiosqlite")
FORCED = sorted({*LIBRARIES, *logs.LIBRARY_CAPS})  # every logger configure touched, too


class Capture(logging.Handler):
    """Keeps every record that reaches it (after the privacy filter) and its formatted text."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter(logs.FORMAT))
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


class RawCounter(logging.Handler):
    """Ahead of the filter: counts records by (logger root, level) and those holding a secret."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.secrets: list[str] = []
        self.by_source: Counter[tuple[str, int]] = Counter()
        self.leaky: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.by_source[(record.name.split(".")[0], record.levelno)] += 1
        try:
            text = record.getMessage()
        except Exception:
            return
        if any(secret in text for secret in self.secrets):
            self.leaky[record.name] += 1


def _through_filter(logger: str, level: int, msg: str, *args: object, **kw: object) -> str | None:
    """Make a record as ``logging`` would, pass it through the filter, return the output."""
    record = logging.getLogger(logger).makeRecord(
        logger, level, "x.py", 1, msg, args, kw.get("exc_info"), None, None, None
    )  # type: ignore[arg-type]
    if not logs.PrivacyFilter().filter(record):
        return None
    return logging.Formatter("%(message)s").format(record)
