"""Last line of defence: log with context, tell the person politely in their language, and
tell the admins (an error id and where, no personal data: ``bot.error_reports``)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden

from bot import error_reports
from bot.context import BotContext
from bot.i18n import translator
from bot.replies import send_text

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    if isinstance(context.error, Forbidden):
        log.info("user blocked the bot: %s", context.error)
        return
    error = context.error
    if error is None:
        return
    error_id = error_reports.new_error_id()  # in the log line and in the admins' notice
    if not isinstance(update, Update):
        log.error(
            "error %s outside an update", error_id, exc_info=error, extra={"error_id": error_id}
        )
        error_reports.report(context.application, error, error_id=error_id)
        return
    user = update.effective_user
    log.error(
        "error %s handling update %s from user %s (%s)",
        error_id,
        update.update_id,
        user.id if user else None,
        type(error).__name__,
        exc_info=error,
        extra={"error_id": error_id},
    )
    error_reports.report(context.application, error, error_id=error_id)
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return
    try:
        lang = await context.svc.language_for(user)
    except Exception:  # the database may be what failed
        lang = translator(user.language_code if user else None).lang
    _ = translator(lang)
    try:
        await send_text(
            context,
            chat.id,
            _(
                "Sorry, something went wrong on our side. What you sent before is saved. "
                "Please try again in a moment."
            ),
            lang,
        )
    except Exception:
        log.exception("could not tell user %s about the error", chat.id)
