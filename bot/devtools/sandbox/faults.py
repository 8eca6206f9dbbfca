"""Injected failures: latency, 5xx answers, dropped connections, lost replies and 429 storms.

Telegram is not always reachable or fast, and it sometimes answers 429 to everything for a
while. The bot's send path must survive all of that; these knobs let tests and the demo provoke
each case on purpose, deterministically when :meth:`Faults.seed` is used.
"""

from __future__ import annotations

import math
import random
from typing import Any

from bot.devtools.sandbox.clock import Clock, monotonic


class Faults:
    """Fault settings applied to every Bot API request (never to the control API)."""

    def __init__(self, clock: Clock = monotonic) -> None:
        self._clock = clock
        self._random = random.Random()
        self.latency: float = 0.0
        self.error_rate: float = 0.0
        self.drop_rate: float = 0.0
        #: a message is sent, then the connection closes before the answer: the ambiguous case
        self.lost_reply_rate: float = 0.0
        self._storm_until: float | None = None
        self._storm_retry_after: int | None = None

    def seed(self, value: int) -> None:
        """Make the error/drop dice deterministic."""
        self._random.seed(value)

    def reset(self) -> None:
        """Back to a healthy server (the random seed is kept)."""
        self.latency = 0.0
        self.error_rate = 0.0
        self.drop_rate = 0.0
        self.lost_reply_rate = 0.0
        self._storm_until = None
        self._storm_retry_after = None

    def storm(self, seconds: float, retry_after: int | None = None) -> None:
        """Answer every message-producing call with 429 for the next ``seconds``.

        ``retry_after`` defaults to the storm's remaining time, rounded up.
        """
        self._storm_until = self._clock() + float(seconds)
        self._storm_retry_after = None if retry_after is None else max(1, int(retry_after))

    @property
    def storm_active(self) -> bool:
        """Whether a storm is blowing right now."""
        return self._storm_until is not None and self._clock() < self._storm_until

    def storm_retry_after(self) -> int | None:
        """The ``retry_after`` to answer with if a storm is active, else ``None``."""
        if self._storm_until is None:
            return None
        remaining = self._storm_until - self._clock()
        if remaining <= 0:
            self._storm_until = None
            return None
        if self._storm_retry_after is not None:
            return self._storm_retry_after
        return max(1, math.ceil(remaining))

    def roll_drop(self) -> bool:
        """Decide whether this request's connection is closed without an answer."""
        return self.drop_rate > 0 and self._random.random() < self.drop_rate

    def roll_lost_reply(self) -> bool:
        """Decide whether a message just sent loses its answer (the client cannot know)."""
        return self.lost_reply_rate > 0 and self._random.random() < self.lost_reply_rate

    def roll_error(self) -> bool:
        """Decide whether this request is answered 502 Bad Gateway."""
        return self.error_rate > 0 and self._random.random() < self.error_rate

    def update(self, settings: dict[str, Any]) -> None:
        """Apply a JSON settings dict (control API): the attributes, ``storm``, ``seed``, ``reset``."""
        if settings.get("reset"):
            self.reset()
        if "seed" in settings and settings["seed"] is not None:
            self.seed(int(settings["seed"]))
        for name in ("latency", "error_rate", "drop_rate", "lost_reply_rate"):
            if name in settings:
                value = float(settings[name])
                if value < 0 or (name != "latency" and value > 1):
                    raise ValueError(f"{name} out of range: {value}")
                setattr(self, name, value)
        storm = settings.get("storm")
        if storm:
            if not isinstance(storm, dict):
                raise ValueError("storm must be an object with seconds and retry_after")
            self.storm(float(storm.get("seconds", 1.0)), storm.get("retry_after"))

    def to_dict(self) -> dict[str, Any]:
        """Current settings as JSON."""
        return {
            "latency": self.latency,
            "error_rate": self.error_rate,
            "drop_rate": self.drop_rate,
            "lost_reply_rate": self.lost_reply_rate,
            "storm_active": self.storm_active,
            "storm_retry_after": self.storm_retry_after(),
        }
