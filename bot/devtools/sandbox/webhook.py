"""Webhook delivery: POST each update to the bot's URL, in order, retrying on failure.

Telegram re-delivers an update the webhook did not accept (non-2xx or no answer) and records
the last error in getWebhookInfo. The bot must answer quickly, check the secret-token header
and tolerate the same update arriving again; this loop makes all of that observable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.devtools.sandbox.clock import WallClock
from bot.devtools.sandbox.stats import Stats
from bot.devtools.sandbox.updates import QueuedUpdate, UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class WebhookConfig:
    """What setWebhook configured, plus the last delivery error."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class WebhookDelivery:
    """Background task delivering the update queue to the configured URL.

    Retries use exponential backoff (``base_delay`` doubling up to ``max_delay``) and give up on
    an update after ``max_attempts`` failed attempts (recorded in :attr:`gave_up`), so one
    poisoned update cannot block the queue forever.
    """

    def __init__(
        self,
        queue: UpdateQueue,
        stats: Stats,
        wall: WallClock,
        on_delivered: Callable[[QueuedUpdate], None] | None = None,
    ) -> None:
        self.config = WebhookConfig()
        self.queue = queue
        self.stats = stats
        self._wall = wall
        self.max_attempts = 6
        self.base_delay = 0.05
        self.max_delay = 2.0
        self.request_timeout = 10.0
        self.gave_up: list[int] = []
        self.delivered: list[int] = []  # update ids accepted by the webhook, in order
        self._task: asyncio.Task[None] | None = None
        self._on_delivered = on_delivered

    @property
    def active(self) -> bool:
        """Whether a webhook URL is set."""
        return bool(self.config.url)

    def info(self) -> dict[str, Any]:
        """Bot API ``WebhookInfo``."""
        result: dict[str, Any] = {
            "url": self.config.url,
            "has_custom_certificate": False,
            "pending_update_count": self.queue.pending_count,
        }
        if self.config.url:
            result["max_connections"] = self.config.max_connections
            if self.config.ip_address:
                result["ip_address"] = self.config.ip_address
            if self.config.allowed_updates is not None:
                result["allowed_updates"] = self.config.allowed_updates
        if self.config.last_error_date is not None:
            result["last_error_date"] = self.config.last_error_date
            result["last_error_message"] = self.config.last_error_message
        return result

    def configure(self, config: WebhookConfig) -> None:
        """Set (or replace) the webhook and (re)start delivery."""
        config.last_error_date = self.config.last_error_date
        config.last_error_message = self.config.last_error_message
        self.config = config
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def clear(self) -> None:
        """Remove the webhook and stop delivering."""
        self.config = WebhookConfig()
        await self.stop()

    async def stop(self) -> None:
        """Stop the delivery task (configuration kept)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _record_error(self, message: str) -> None:
        self.config.last_error_date = int(self._wall())
        self.config.last_error_message = message
        self.stats.webhook_failures += 1

    async def _post(self, session: aiohttp.ClientSession, entry: QueuedUpdate) -> bool:
        headers = {"Content-Type": "application/json"}
        if self.config.secret_token:
            headers[SECRET_HEADER] = self.config.secret_token
        self.stats.webhook_attempts += 1
        try:
            async with session.post(
                self.config.url,
                data=json.dumps(entry.payload, ensure_ascii=False).encode(),
                headers=headers,
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return True
                self._record_error(
                    f"Wrong response from the webhook: {response.status} {response.reason}"
                )
        except aiohttp.ClientConnectorError:
            self._record_error("Connection refused")
        except TimeoutError:
            self._record_error("Read timeout expired")
        except aiohttp.ClientError as exc:
            self._record_error(f"Connection error: {exc.__class__.__name__}")
        return False

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.request_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            current: QueuedUpdate | None = None
            attempts = 0
            while self.active:
                entry = self.queue.first()
                if entry is None:
                    await self.queue.notifier.wait(None)
                    continue
                if entry is not current:
                    current, attempts = entry, 0
                if await self._post(session, entry):
                    self.queue.mark_handed_out(entry)
                    self.queue.remove(entry)
                    self.delivered.append(entry.update_id)
                    if self._on_delivered is not None:
                        self._on_delivered(entry)
                    continue
                attempts += 1
                if attempts >= self.max_attempts:
                    self.queue.remove(entry)
                    self.gave_up.append(entry.update_id)
                    continue
                await asyncio.sleep(min(self.max_delay, self.base_delay * 2 ** (attempts - 1)))
