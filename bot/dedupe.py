"""Apply each update once, even when Telegram (or the sandbox) delivers it twice."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.log_formats import describe_update
from bot.services import services
from storage.updates import claim_update

log = logging.getLogger(__name__)


async def drop_repeated_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    if log.isEnabledFor(logging.DEBUG):  # ids and kind only: never what was typed
        log.debug("%s", describe_update(update))
    if not await claim_update(svc.db, update.update_id, svc.clock.now()):
        log.info("update %s already processed; ignored", update.update_id)
        raise ApplicationHandlerStop
