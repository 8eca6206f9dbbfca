"""``partnerbot run`` (long polling): getUpdates through the inbox.

PTB's ``Updater`` asks Telegram for the next updates — which tells Telegram to forget the
previous ones — before the handlers have applied them, so a crash lost what it had fetched
(issue 14 measured 129 lost presses in 30 kills). Here a batch is stored in the inbox first
(``bot.receiving``) and only the next getUpdates, with the offset past it, acknowledges it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TimedOut

from bot import event_loop
from bot.lifecycle import serve_until_stopped, start_application
from bot.receiving import receive, replay_waiting
from bot.replies import post

log = logging.getLogger(__name__)

#: Long-poll length: Telegram holds the request open this long when there is nothing new.
POLL_TIMEOUT_S = 30
#: Read time allowed beyond the long poll itself (as python-telegram-bot's get_updates adds).
READ_SLACK_S = 5.0
#: Waiting after a failure, doubling up to the last value (network down, database down).
BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class Poller:
    """One getUpdates loop; ``start`` replays the inbox first, ``stop`` ends the loop."""

    def __init__(self, application: Any, *, timeout: int = POLL_TIMEOUT_S) -> None:
        self.application = application
        self.timeout = timeout
        self.offset: int | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await replay_waiting(self.application)
        self._task = asyncio.create_task(self._loop(), name="getUpdates")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        """End the loop; a request in flight is abandoned (what it would have fetched is not
        acknowledged, so Telegram sends it again next time)."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    async def _fetch(self) -> list[dict[str, Any]]:
        """One getUpdates, its updates as Telegram sent them: the inbox stores those, which
        spares building each payload again from its Update object. Telegram holds the request
        up to ``timeout`` seconds; the read may take that long plus the usual read time."""
        return await post(  # type: ignore[no-any-return]
            self.application.bot,
            "getUpdates",
            read_timeout=self.timeout + READ_SLACK_S,
            offset=self.offset,
            timeout=self.timeout,
            allowed_updates=Update.ALL_TYPES,
        )

    async def _loop(self) -> None:
        failures = 0
        while True:
            try:
                payloads = await self._fetch()
                if payloads:
                    bot = self.application.bot
                    updates = [Update.de_json(data, bot) for data in payloads]
                    # stored before acknowledged
                    await receive(self.application, updates, payloads)
                    self.offset = updates[-1].update_id + 1
                failures = 0
            except asyncio.CancelledError:
                raise
            except InvalidToken:
                log.error("Telegram refused the bot token; polling stops")
                raise
            except TimedOut:
                continue  # a long poll that outlived its read timeout: ask again at once
            except RetryAfter as err:
                svc = self.application.bot_data.get("services")
                if svc is not None:
                    svc.metrics.too_many_requests("updates")
                await asyncio.sleep(_seconds(err.retry_after))
            except Conflict:
                # Another process polls with this token (or a webhook is set): keep trying,
                # slowly, and say so; the updates stay with Telegram meanwhile.
                log.error("another bot instance is polling with this token; retrying")
                failures += 1
                await asyncio.sleep(BACKOFF_S[min(failures, len(BACKOFF_S)) - 1])
            except Exception as err:  # network or database: nothing was acknowledged
                log.warning("polling failed (%s); retrying", type(err).__name__)
                failures += 1
                await asyncio.sleep(BACKOFF_S[min(failures, len(BACKOFF_S)) - 1])


def _seconds(value: Any) -> float:
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)


async def serve(application: Any, stop: asyncio.Event | None = None) -> None:
    """Run the bot on long polling until ``stop`` is set or SIGINT/SIGTERM arrives."""
    poller = Poller(application)

    async def start() -> None:
        await start_application(application)
        await application.bot.delete_webhook(drop_pending_updates=False)
        await poller.start()
        log.info("long polling")

    await serve_until_stopped(start, poller.stop, application, stop)


def run_polling(application: Any) -> None:
    """Blocking entry point for ``partnerbot run``: a fresh loop, as PTB's had."""
    event_loop.run(serve(application))
