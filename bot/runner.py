"""``partnerbot run``: the bot against Telegram (or any Bot API server), polling or webhook."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.app import build_application
from bot.settings import Settings
from bot.webhook import run_webhook
from storage.db import Database
from storage.migrate import upgrade

log = logging.getLogger(__name__)


def run(settings: Settings, *, webhook: bool = False) -> int:
    """Blocks until SIGINT or SIGTERM; PTB's run_polling and our run_webhook stop cleanly on
    both."""
    db = Database.connect(settings.resolved_database_url)
    asyncio.run(upgrade(db.engine))
    # A fresh engine for the bot's own loop: connections must not cross event loops.
    asyncio.run(db.close())
    db = Database.connect(settings.resolved_database_url)
    application = build_application(settings, db)
    if webhook:
        if not settings.webhook_url:
            raise SystemExit("PARTNERBOT_WEBHOOK_URL: needed for --webhook (the public https URL)")
        if not settings.webhook_secret:
            raise SystemExit(
                "PARTNERBOT_WEBHOOK_SECRET: needed for --webhook (1-256 of A-Za-z0-9_-)"
            )
        log.info("webhook mode on %s:%s", settings.webhook_listen, settings.webhook_port)
        # Our own server (bot.webhook), not PTB's run_webhook: it checks the secret before
        # reading, limits the body size and answers malformed bodies 400 instead of 500.
        run_webhook(
            application,
            url=settings.webhook_url,
            secret=settings.webhook_secret,
            listen=settings.webhook_listen,
            port=settings.webhook_port,
        )
    else:
        log.info("long polling")
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
