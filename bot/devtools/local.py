"""The bot and the sandbox in one event loop: for the demo, the end-to-end tests and benchmarks.

Nothing here talks to Telegram. The sandbox is a Bot API server on loopback and the bot is the
real Application, pointed at it with ``base_url`` and speaking real HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.app import AnyApplication, build_application
from bot.clock import Clock
from bot.devtools.sandbox import Limits, Sandbox
from bot.lifecycle import start_application, stop_application
from bot.polling import Poller
from bot.services import Services
from bot.settings import Settings, load_settings
from bot.update_processor import PerChatUpdateProcessor
from storage.db import Database
from storage.migrate import upgrade

SANDBOX_TOKEN = "100000001:sandbox-token-not-valid-on-telegram"
SANDBOX_BOT_USERNAME = "partner_sandbox_bot"


def sandbox_settings(base_url: str, database_url: str, **overrides: Any) -> Settings:
    """Settings that point the bot at a sandbox's Bot API ``base_url`` with the sandbox token.

    The demo, the end-to-end tests and the benchmarks (whose sandbox lives in another process,
    known only by its URL) all configure the bot this one way; file downloads are served by
    the same sandbox under ``/file/bot``.
    """
    return load_settings(
        token=SANDBOX_TOKEN,
        bot_api_url=base_url,
        bot_api_file_url=base_url.replace("/bot", "/file/bot"),
        database_url=database_url,
        **overrides,
    )


@dataclass
class RunningBot:
    application: AnyApplication
    services: Services
    poller: Poller

    async def stop(self) -> None:
        """As ``partnerbot run`` stops: no new updates first, then the handlers finish."""
        await self.poller.stop()
        await stop_application(self.application)


async def start_bot(
    settings: Settings, db: Database, *, clock: Clock | None = None, poll_timeout: int = 10
) -> RunningBot:
    """Start polling in the running loop, the way ``partnerbot run`` does (the inbox first,
    then getUpdates); returns once the bot is taking updates."""
    app = build_application(settings, db, clock=clock)
    await start_application(app)  # post_init: on_startup
    poller = Poller(app, timeout=poll_timeout)
    await poller.start()
    return RunningBot(application=app, services=app.bot_data["services"], poller=poller)


@dataclass
class LocalWorld:
    """A sandbox, a database and a bot; the bot can be restarted while the rest stays."""

    sandbox: Sandbox
    db: Database
    settings: Settings
    clock: Clock | None
    bot: RunningBot | None = None

    @property
    def services(self) -> Services:
        assert self.bot is not None
        return self.bot.services

    def busy_with(self, chat_id: int) -> bool:
        """The bot is still handling an update from this chat (for the sandbox's ``settle``)."""
        if self.bot is None:
            return False
        processor = self.bot.application.update_processor
        return isinstance(processor, PerChatUpdateProcessor) and processor.busy_with(chat_id)

    async def start_bot(self) -> RunningBot:
        self.bot = await start_bot(self.settings, self.db, clock=self.clock)
        return self.bot

    async def stop_bot(self) -> None:
        if self.bot is not None:
            await self.bot.stop()
            self.bot = None

    async def restart_bot(self) -> RunningBot:
        await self.stop_bot()
        return await self.start_bot()


@asynccontextmanager
async def local_world(
    database_url: str,
    *,
    clock: Clock | None = None,
    limits: Limits | None = None,
    start: bool = True,
    **settings_overrides: Any,
) -> AsyncIterator[LocalWorld]:
    sandbox = Sandbox(
        token=SANDBOX_TOKEN, bot_username=SANDBOX_BOT_USERNAME, limits=limits or Limits()
    )
    await sandbox.start(host="127.0.0.1", port=0)
    db = Database.connect(database_url)
    try:
        await upgrade(db.engine)
        settings = sandbox_settings(sandbox.base_url, database_url, **settings_overrides)
        world = LocalWorld(sandbox=sandbox, db=db, settings=settings, clock=clock)
        sandbox.bot_busy = world.busy_with
        if start:
            await world.start_bot()
        try:
            yield world
        finally:
            await world.stop_bot()
    finally:
        await db.close()
        await sandbox.stop()
