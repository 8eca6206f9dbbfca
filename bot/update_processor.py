"""Concurrent across people, in order within one person's chat.

Many partners answer at the same time, so updates run concurrently; but two taps from the same
person must be applied in the order they were made, or a fast double-tap could store answers
out of order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metrics import Metrics, begin_update, end_update


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = 256,
        *,
        around: Callable[[], AbstractAsyncContextManager[None]] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        # Each update runs inside this (the database's unit of work: ``Database.unit``).
        self._around = around or nullcontext
        #: counts each update's outcome and time (``bot.metrics``)
        self.metrics = metrics
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if key is None:
            await self._handle(coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await self._handle(coroutine)
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                self._locks.pop(key, None)

    async def _handle(self, coroutine: Awaitable[Any]) -> None:
        """One update in its unit of work, counted: its outcome and how long it took."""
        if self.metrics is None:
            async with self._around():
                await coroutine
            return
        started = time.perf_counter()
        outcome, token = begin_update()
        result = "failed"
        try:
            async with self._around():
                await coroutine
            result = "error" if outcome.error else "handled"
        finally:
            end_update(token)
            self.metrics.update_done(result, time.perf_counter() - started)

    def busy_with(self, chat_id: int) -> bool:
        """An update from this chat is being handled (or waits its turn) right now."""
        return chat_id in self._users

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None
