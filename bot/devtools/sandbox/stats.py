"""Counters of what the sandbox answered, for tests and load benchmarks.

Benchmarks judge the bot by how rarely it made Telegram refuse it (429s, 403s) and by how much
it delivered; these counters are the evidence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stats:
    """Request and answer counters; :meth:`reset` zeroes them."""

    requests: Counter[str] = field(default_factory=Counter)  # Bot API method -> calls
    http_429: int = 0
    http_429_by_reason: Counter[str] = field(default_factory=Counter)  # global/chat/group/storm
    http_403: int = 0
    http_5xx: int = 0
    dropped: int = 0
    delivered: Counter[int] = field(default_factory=Counter)  # chat id -> messages delivered
    edits: Counter[int] = field(default_factory=Counter)  # chat id -> edits applied
    refused: Counter[str] = field(default_factory=Counter)  # 400 description -> count
    errors: Counter[int] = field(default_factory=Counter)  # any non-2xx status -> count
    updates_enqueued: int = 0
    webhook_attempts: int = 0
    webhook_failures: int = 0

    def reset(self) -> None:
        """Zero every counter in place (holders of this object keep seeing it)."""
        fresh = Stats()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))

    def record_error(self, status: int, description: str, reason: str | None = None) -> None:
        """Count one refused Bot API call."""
        self.errors[status] += 1
        if status == 429:
            self.http_429 += 1
            self.http_429_by_reason[reason or "unknown"] += 1
        elif status == 403:
            self.http_403 += 1
        elif status >= 500:
            self.http_5xx += 1
        elif status == 400:
            self.refused[description] += 1

    @property
    def total_delivered(self) -> int:
        """Messages delivered across all chats."""
        return sum(self.delivered.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly snapshot (chat ids become strings)."""
        return {
            "requests": dict(self.requests),
            "http_429": self.http_429,
            "http_429_by_reason": dict(self.http_429_by_reason),
            "http_403": self.http_403,
            "http_5xx": self.http_5xx,
            "dropped": self.dropped,
            "delivered": {str(k): v for k, v in self.delivered.items()},
            "total_delivered": self.total_delivered,
            "edits": {str(k): v for k, v in self.edits.items()},
            "refused": dict(self.refused),
            "errors": {str(k): v for k, v in self.errors.items()},
            "updates_enqueued": self.updates_enqueued,
            "webhook_attempts": self.webhook_attempts,
            "webhook_failures": self.webhook_failures,
        }
