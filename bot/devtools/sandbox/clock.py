"""Time sources for the sandbox.

Rate limits, storms and callback-query expiry are all about elapsed time. Tests must be able to
move time forward without sleeping, so every component takes a ``Clock`` (a function returning
seconds) instead of calling :func:`time.monotonic` directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""A function returning seconds on a monotonic scale (default :func:`time.monotonic`)."""

WallClock = Callable[[], float]
"""A function returning Unix time in seconds (default :func:`time.time`), for ``date`` fields."""

monotonic: Clock = time.monotonic
wall: WallClock = time.time


class ManualClock:
    """A clock that only moves when told to, for deterministic limit tests.

    Call the instance to read it; :meth:`advance` moves it forward.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` and return the new reading."""
        self.now += seconds
        return self.now
