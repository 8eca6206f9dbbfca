"""The one path every Bot API request takes: pacing, priorities, retries and blocked users.

python-telegram-bot hands every request (except getUpdates) to the application's rate limiter:
as the ``BaseRateLimiter``, no message (a reply or a pushed reminder) can bypass this path.

Not ``AIORateLimiter``: it does not pace a single private chat, and in 22.8 cuts ``RetryAfter``
pauses short. Here each chat has a token bucket a little under Telegram's (burst ~20, 1/s), all
chats share one a little under 30/s, and a bulk push never delays a reply.

When the bot stops, ``stop_bulk`` gives up every bulk request not yet sent (waiting its turn,
a 429 or a network retry) with ``SendAbandoned``: nothing of it reached Telegram, so the push
is handed back for later, and stopping does not wait for a push to thousands. The fate of a
request that may have reached Telegram is ``bot.send_outcomes``'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.send_outcomes import ON_THE_WIRE, SendAbandoned, SendStats, SendUncertain
from bot.telegram_http import RequestNotSent

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger(__name__)


INTERACTIVE = 0
BULK = 1

# Calls that put something in a chat: these count against Telegram's message limits.
COUNTED_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVoice",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendMediaGroup",
        "sendLocation",
        "sendPoll",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "editMessageMedia",
    }
)


class PriorityGate:
    """A token bucket whose waiters are served by priority, then in arrival order.

    ``bulk_reserve`` tokens are kept for interactive requests: bulk waits until the bucket
    holds more than that, so a reply finds a token at once instead of queuing for the next
    one behind a push that keeps the bucket empty (measured: during a 30/s reminder push a
    survey answer waited up to two token intervals, ~70 ms, for its edit and its next
    question). The sustained rate is unchanged — bulk still takes every token the refill
    brings once the reserve is full — and the burst Telegram sees can only be smaller.
    """

    def __init__(
        self,
        rate_per_s: float,
        burst: float,
        clock: Callable[[], float],
        bulk_reserve: float = 0.0,
    ) -> None:
        self.rate = rate_per_s
        self.burst = burst
        self.bulk_reserve = max(0.0, min(bulk_reserve, burst - 1))
        self._clock = clock
        self._tokens = burst
        self._stamp = clock()
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._pump: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self.paused_until = 0.0
        self.bulk_closed = False

    def close_bulk(self) -> None:
        """Refuse bulk from now on, and give up the bulk requests waiting for a token."""
        self.bulk_closed = True
        for priority, _, future in self._waiters:
            if priority != INTERACTIVE and not future.done():
                future.set_exception(SendAbandoned())

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def acquire(self, priority: int) -> None:
        if priority != INTERACTIVE and self.bulk_closed:
            raise SendAbandoned
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._seq), future))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._serve())
        elif priority == INTERACTIVE:
            self._wake.set()  # the pump may be waiting for the bulk threshold: look again
        try:
            await future
        except asyncio.CancelledError:
            if not future.done():
                future.cancel()
            raise

    async def _serve(self) -> None:
        while self._waiters:
            self._refill()
            now = self._clock()
            if now < self.paused_until:
                await asyncio.sleep(self.paused_until - now)
                continue
            priority, _, first = self._waiters[0]
            if first.done():  # cancelled while waiting
                heapq.heappop(self._waiters)
                continue
            need = 1 + (self.bulk_reserve if priority != INTERACTIVE else 0)
            if self._tokens >= need:
                heapq.heappop(self._waiters)
                self._tokens -= 1
                first.set_result(None)
                continue
            await self._nap((need - self._tokens) / self.rate)

    async def _nap(self, seconds: float) -> None:
        """Sleep until the bucket has refilled enough, or an interactive request arrives."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)


@dataclass
class ChatBucket:
    tokens: float
    stamp: float
    paused_until: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class SendPath(BaseRateLimiter[dict[str, Any]]):
    """Paced, prioritised, retrying delivery of every Bot API request."""

    def __init__(
        self,
        *,
        global_rate_per_s: float = 29.5,
        global_burst: float = 10,
        bulk_reserve: float = 2,
        chat_burst: float = 18,
        chat_rate_per_s: float = 0.95,
        max_attempts: int = 8,
        network_backoff_s: float = 0.5,
        on_blocked: Callable[[int], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self.global_gate = PriorityGate(
            global_rate_per_s, global_burst, clock, bulk_reserve=bulk_reserve
        )
        self.chat_burst = chat_burst
        self.chat_rate = chat_rate_per_s
        self.max_attempts = max_attempts
        self.network_backoff_s = network_backoff_s
        self.on_blocked = on_blocked
        #: called before every request: the update's pending database work commits before
        #: anything is said (``storage.db.Database.settle``)
        self.before_request: Callable[[], Awaitable[None]] | None = None
        self.blocked_chats: set[int] = set()
        self.stats = SendStats()
        #: the bot's counters (``bot.metrics``), set when the application is built
        self.metrics: Metrics | None = None
        self._chats: dict[int, ChatBucket] = {}
        self._bulk_stopped = asyncio.Event()

    async def initialize(self) -> None:
        self._bulk_stopped.clear()
        self.global_gate.bulk_closed = False

    def stop_bulk(self) -> None:
        """The bot is stopping: bulk requests not yet sent end with ``SendAbandoned``."""
        self._bulk_stopped.set()
        self.global_gate.close_bulk()

    async def _pause(self, seconds: float, priority: int) -> None:
        """Sleep before a (re)try; a bulk request's sleep ends early, abandoned, at stop."""
        if priority == INTERACTIVE:
            await asyncio.sleep(seconds)
            return
        if self._bulk_stopped.is_set():
            raise SendAbandoned
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._bulk_stopped.wait(), seconds)
        if self._bulk_stopped.is_set():
            raise SendAbandoned

    async def _lock_chat(self, bucket: ChatBucket, priority: int) -> None:
        """Take the chat's lock; a bulk request waiting for it is abandoned at stop (the
        holder may be sitting out a long 429)."""
        if priority == INTERACTIVE or not bucket.lock.locked():
            await bucket.lock.acquire()
            return
        taking = asyncio.ensure_future(bucket.lock.acquire())
        stopped = asyncio.ensure_future(self._bulk_stopped.wait())
        interrupted = True
        try:
            await asyncio.wait({taking, stopped}, return_when=asyncio.FIRST_COMPLETED)
            interrupted = False
        finally:
            stopped.cancel()
            taking.cancel()  # does nothing if the lock was taken
            with contextlib.suppress(asyncio.CancelledError):
                await taking
            if interrupted and not taking.cancelled():
                bucket.lock.release()
        if taking.cancelled():
            raise SendAbandoned
        taking.result()  # the lock is ours (the check before sending abandons it if stopped)

    async def shutdown(self) -> None:
        return None

    def unblock(self, chat_id: int) -> None:
        self.blocked_chats.discard(chat_id)

    def chat_allowance(self, chat_id: int) -> float:
        """How many messages this chat could take right now without waiting; the walkthrough
        rests on it so a scene's replies arrive at chat speed, not behind the last scene's."""
        bucket = self._chats.get(chat_id)
        if bucket is None:
            return self.chat_burst
        elapsed = self._clock() - bucket.stamp
        return min(self.chat_burst, bucket.tokens + elapsed * self.chat_rate)

    def _bucket(self, chat_id: int) -> ChatBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 5000:
                self._forget_idle_chats()
            bucket = ChatBucket(tokens=self.chat_burst, stamp=self._clock())
            self._chats[chat_id] = bucket
        return bucket

    def _forget_idle_chats(self) -> None:
        """Drop buckets that are full again and unused, so memory stays flat."""
        now = self._clock()
        full_after = self.chat_burst / self.chat_rate
        for chat_id, bucket in list(self._chats.items()):
            if not bucket.lock.locked() and now - bucket.stamp > full_after:
                del self._chats[chat_id]

    async def _take_chat_token(self, bucket: ChatBucket, priority: int = INTERACTIVE) -> None:
        while True:
            now = self._clock()
            bucket.tokens = min(
                self.chat_burst, bucket.tokens + (now - bucket.stamp) * self.chat_rate
            )
            bucket.stamp = now
            if now < bucket.paused_until:
                await self._pause(bucket.paused_until - now, priority)
                continue
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            await self._pause((1 - bucket.tokens) / self.chat_rate, priority)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[Any]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[Any]:
        if self.before_request is not None:
            await self.before_request()
        priority = BULK if (rate_limit_args or {}).get("priority") == "bulk" else INTERACTIVE
        chat_id = _chat_id(data)
        if chat_id is not None and chat_id in self.blocked_chats and endpoint in COUNTED_METHODS:
            raise Forbidden("Forbidden: bot was blocked by the user")
        if endpoint not in COUNTED_METHODS or chat_id is None:
            return await self._attempts(callback, args, kwargs, endpoint, chat_id, None, priority)
        bucket = self._bucket(chat_id)
        await self._lock_chat(bucket, priority)  # keeps one chat's messages in order
        try:
            return await self._attempts(callback, args, kwargs, endpoint, chat_id, bucket, priority)
        finally:
            bucket.lock.release()

    async def _attempts(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        chat_id: int | None,
        bucket: ChatBucket | None,
        priority: int,
    ) -> Any:
        for attempt in itertools.count(1):
            if bucket is not None:
                await self._take_chat_token(bucket, priority)
                await self.global_gate.acquire(priority)
            if priority != INTERACTIVE:
                if self._bulk_stopped.is_set():
                    raise SendAbandoned  # the last moment at which nothing has been sent
                if (mark := ON_THE_WIRE.get()) is not None:
                    await mark()  # the push's record says it may have gone (bot.dispatch)
            try:
                result = await callback(*args, **kwargs)
            except RetryAfter as err:
                self.stats.retried_429 += 1
                if self.metrics is not None:
                    self.metrics.too_many_requests(_traffic(priority))
                wait = _seconds(err.retry_after)
                log.warning("429 on %s for chat %s: waiting %.1fs", endpoint, chat_id, wait)
                if bucket is not None:
                    bucket.paused_until = self._clock() + wait
                else:
                    await self._pause(wait, priority)
                if attempt >= self.max_attempts:
                    self._settled(endpoint, priority, "failed")
                    raise
                continue
            except Forbidden:
                if chat_id is not None and chat_id > 0:
                    self.blocked_chats.add(chat_id)
                    self._settled(endpoint, priority, "blocked")
                    if self.on_blocked is not None:
                        await self.on_blocked(chat_id)
                raise
            except BadRequest as err:
                if endpoint == "answerCallbackQuery" and "query is too old" in str(err).lower():
                    # The spinner on the person's button has already stopped; the press itself
                    # is still handled. Not worth failing the whole reply over.
                    log.info("late callback answer dropped: %s", err)
                    return True
                self._settled(endpoint, priority, "failed")
                raise
            except NetworkError as err:
                if priority != INTERACTIVE and not isinstance(err, RequestNotSent):
                    # It may have reached Telegram: never sent twice.
                    self._settled(endpoint, priority, "uncertain")
                    raise SendUncertain(str(err)) from err
                self.stats.retried_network += 1
                if attempt >= self.max_attempts:
                    self._settled(endpoint, priority, "failed")
                    raise
                delay = min(10.0, self.network_backoff_s * 2 ** (attempt - 1))
                log.info(
                    "network error on %s (%s), retry %d in %.1fs", endpoint, err, attempt, delay
                )
                await self._pause(delay, priority)
                continue
            if endpoint in COUNTED_METHODS:
                self._settled(endpoint, priority, "sent")
            return result

    def _settled(self, endpoint: str, priority: int, outcome: str) -> None:
        """One request's end, counted for the benchmarks and tests (``SendStats``) and, for
        messages, in the bot's metrics."""
        setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)
        if self.metrics is not None and endpoint in COUNTED_METHODS:
            self.metrics.message(_traffic(priority), outcome)


def _traffic(priority: int) -> str:
    return "interactive" if priority == INTERACTIVE else "bulk"


def _chat_id(data: dict[str, Any]) -> int | None:
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):  # none, or @channelusername: not a chat we pace
        return None


def _seconds(retry_after: Any) -> float:
    if hasattr(retry_after, "total_seconds"):
        return float(retry_after.total_seconds())
    return float(retry_after)
