"""``partnerbot run``: the bot against Telegram (or any Bot API server), polling or webhook."""

from __future__ import annotations

import asyncio
import logging

from telegram.error import InvalidToken

from bot.app import build_application
from bot.polling import run_polling
from bot.settings import Settings
from bot.webhook import run_webhook
from storage.db import Database
from storage.migrate import upgrade

log = logging.getLogger(__name__)


async def _migrate(url: str) -> None:
    """Migrate with an engine that is made, used and disposed in one event loop: disposing
    asyncpg connections from another loop logged an ERROR traceback at every start-up."""
    db = Database.connect(url)
    try:
        await upgrade(db.engine)
    finally:
        await db.close()


def run(settings: Settings, *, webhook: bool = False) -> int:
    """Blocks until SIGINT or SIGTERM; both ways of receiving stop cleanly on either."""
    asyncio.run(_migrate(settings.resolved_database_url))
    # A fresh engine for the bot's own loop: connections must not cross event loops.
    db = Database.connect(settings.resolved_database_url)
    application = build_application(settings, db)
    if webhook and not settings.webhook_url:
        raise SystemExit("PARTNERBOT_WEBHOOK_URL: needed for --webhook (the public https URL)")
    if webhook and not settings.webhook_secret:
        raise SystemExit("PARTNERBOT_WEBHOOK_SECRET: needed for --webhook (1-256 of A-Za-z0-9_-)")
    if webhook and settings.ops_port and settings.ops_port == settings.webhook_port:
        raise SystemExit("PARTNERBOT_OPS_PORT: must differ from PARTNERBOT_WEBHOOK_PORT")
    try:
        if webhook:
            log.info("webhook mode on %s:%s", settings.webhook_listen, settings.webhook_port)
            # Our own server (bot.webhook), not PTB's run_webhook: it checks the secret before
            # reading, limits the body size and answers malformed bodies 400 instead of 500.
            run_webhook(
                application,
                url=settings.webhook_url or "",
                secret=settings.webhook_secret or "",
                listen=settings.webhook_listen,
                port=settings.webhook_port,
            )
        else:
            run_polling(application)
    except InvalidToken:
        # One line, and never the token itself (PTB's message quotes it).
        log.error("Telegram refused PARTNERBOT_TOKEN: check it with @BotFather")
        return 2
    return 0
