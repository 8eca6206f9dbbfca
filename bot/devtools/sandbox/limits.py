"""Telegram's flood limits as token buckets.

Telegram does not publish exact numbers; the design brief's model is: about 30 messages per
second across all chats (global bucket), a burst of about 20 then 1 per second in one private
chat, and about 20 per minute in a group. Over a limit Telegram answers 429 with ``retry_after``
and delivers nothing, which is what :class:`RateLimiter` reproduces so the bot's one send path
can be tested against it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

from bot.devtools.sandbox.clock import Clock, monotonic

MAX_RETRY_AFTER = 3600
"""Cap for ``retry_after`` when a rate is configured as zero (the bucket would never refill)."""


@dataclass
class Limits:
    """Switchable limit settings; mutable at runtime (the limiter reads them on every call).

    ``scale`` multiplies every refill *rate* (not the burst sizes): ``scale=10`` lets a
    benchmark run ten times the traffic with the same burst behaviour, ``scale=0.1`` makes the
    limits bite quickly in a test.
    """

    enabled: bool = True
    global_per_s: float = 30.0
    global_burst: float = 30.0
    chat_burst: float = 20.0
    chat_refill_per_s: float = 1.0
    group_per_min: float = 20.0
    scale: float = 1.0
    global_enabled: bool = True
    chat_enabled: bool = True
    group_enabled: bool = True

    def update(self, **changes: Any) -> None:
        """Set several fields at once, refusing unknown names (used by the control API)."""
        known = {f.name: f for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown limit setting {name!r}")
            if name.endswith("enabled"):
                if isinstance(value, str):
                    value = value.strip().lower() in ("1", "true", "yes", "on")
                setattr(self, name, bool(value))
            else:
                number = float(value)
                if number < 0:
                    raise ValueError(f"{name} must not be negative")
                setattr(self, name, number)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON answers."""
        return asdict(self)


class TokenBucket:
    """A bucket refilled lazily from the clock; capacity and rate are passed on every call.

    Passing them per call (instead of fixing them at construction) is what makes
    :class:`Limits` changes take effect immediately for existing chats.
    """

    __slots__ = ("stamp", "tokens")

    def __init__(self, capacity: float, now: float) -> None:
        self.tokens = capacity
        self.stamp = now

    def _refill(self, capacity: float, rate: float, now: float) -> None:
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(capacity, self.tokens + elapsed * rate)
        self.stamp = now

    def wait_time(self, capacity: float, rate: float, now: float) -> float:
        """Seconds until one token is available (0.0 if one is available now)."""
        self._refill(capacity, rate, now)
        if self.tokens >= 1.0 - 1e-9:
            return 0.0
        if rate <= 0 or capacity < 1.0:
            return float(MAX_RETRY_AFTER)
        return (1.0 - self.tokens) / rate

    def take(self) -> None:
        """Consume one token (call right after :meth:`wait_time` returned 0)."""
        self.tokens -= 1.0


@dataclass(frozen=True)
class Throttle:
    """Why and for how long a message-producing call is refused."""

    reason: str  # "global", "chat" or "group"
    wait: float  # exact seconds until a token is available
    retry_after: int  # what Telegram would tell the bot: ceil(wait), at least 1


class RateLimiter:
    """Decides, per message-producing call, whether Telegram would accept it right now.

    All buckets involved are checked first and only consumed if every one has a token, so a
    refused call costs nothing (Telegram delivers nothing on 429 either).
    """

    def __init__(self, limits: Callable[[], Limits], clock: Clock = monotonic) -> None:
        self._limits = limits
        self._clock = clock
        self._global: TokenBucket | None = None
        self._chats: dict[int, TokenBucket] = {}
        self._groups: dict[int, TokenBucket] = {}

    def reset(self) -> None:
        """Forget all buckets (they start full again)."""
        self._global = None
        self._chats.clear()
        self._groups.clear()

    def acquire(self, chat_id: int) -> Throttle | None:
        """Take a token for a message to ``chat_id``; return a :class:`Throttle` if refused."""
        limits = self._limits()
        if not limits.enabled:
            return None
        now = self._clock()
        scale = max(limits.scale, 0.0)
        checks: list[tuple[str, TokenBucket, float, float]] = []
        if limits.global_enabled:
            if self._global is None:
                self._global = TokenBucket(limits.global_burst, now)
            checks.append(
                ("global", self._global, limits.global_burst, limits.global_per_s * scale)
            )
        if chat_id < 0:
            if limits.group_enabled:
                bucket = self._groups.get(chat_id)
                if bucket is None:
                    bucket = self._groups[chat_id] = TokenBucket(limits.group_per_min, now)
                rate = limits.group_per_min / 60.0 * scale
                checks.append(("group", bucket, limits.group_per_min, rate))
        elif limits.chat_enabled:
            bucket = self._chats.get(chat_id)
            if bucket is None:
                bucket = self._chats[chat_id] = TokenBucket(limits.chat_burst, now)
            checks.append(("chat", bucket, limits.chat_burst, limits.chat_refill_per_s * scale))

        worst: tuple[str, float] | None = None
        for reason, bucket, capacity, rate in checks:
            wait = bucket.wait_time(capacity, rate, now)
            if wait > 0 and (worst is None or wait > worst[1]):
                worst = (reason, wait)
        if worst is not None:
            reason, wait = worst
            retry_after = min(MAX_RETRY_AFTER, max(1, math.ceil(wait)))
            return Throttle(reason=reason, wait=wait, retry_after=retry_after)
        for _reason, bucket, _capacity, _rate in checks:
            bucket.take()
        return None
