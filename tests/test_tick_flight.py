"""One dispatcher tick at a time: askers while one runs get one more round, not a second tick."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot import dispatch, wakeups


class _App:
    """What ``run_tick`` uses of an Application: its data and its task starter."""

    def __init__(self) -> None:
        self.bot_data: dict[str, Any] = {}
        self.started: list[asyncio.Task[Any]] = []

    def create_task(self, coroutine: Any, name: str | None = None) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coroutine)
        self.started.append(task)
        return task


async def test_askers_during_a_tick_share_it_and_get_one_more_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    running = 0
    most_at_once = 0
    rounds = 0
    first_entered = asyncio.Event()
    release = asyncio.Event()

    async def fake_tick(application: Any) -> None:
        nonlocal running, most_at_once, rounds
        running += 1
        most_at_once = max(most_at_once, running)
        rounds += 1
        first_entered.set()
        await release.wait()
        running -= 1

    monkeypatch.setattr(dispatch, "tick", fake_tick)
    app = _App()
    first = asyncio.ensure_future(wakeups.run_tick(app))
    await first_entered.wait()
    others = [asyncio.ensure_future(wakeups.run_tick(app)) for _ in range(5)]
    await asyncio.sleep(0)  # let the five askers register while the first round runs
    release.set()
    await asyncio.gather(first, *others)

    assert most_at_once == 1
    assert rounds == 2  # the first round, then one more for all five askers together
    assert len(app.started) == 1


async def test_a_failed_tick_reaches_its_askers_and_the_next_ask_starts_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0

    async def failing_then_fine(application: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database went away")

    monkeypatch.setattr(dispatch, "tick", failing_then_fine)
    app = _App()
    with pytest.raises(RuntimeError):
        await wakeups.run_tick(app)
    await wakeups.run_tick(app)
    assert calls == 2
    assert len(app.started) == 2
