"""Wiring of the staff report commands (issue 7): one call from ``bot.app.register_handlers``.

Kept here so the application module only grows by one line: the commands, button prefixes,
typed-text steps and the report-back push composer are listed in one place.
"""

from __future__ import annotations

from typing import Any

from bot import dispatch, reportback_push
from bot.handlers import exports, pending, reportbacks, router, summaries
from storage.reportbacks import KIND as REPORTBACK_KIND


def register(application: Any, commands: dict[str, Any], buttons: dict[str, Any]) -> None:
    commands.update(
        {
            "summary": summaries.summary_command,
            "pending": pending.pending_command,
            "export": exports.export_command,
            "share": reportbacks.share_command,
        }
    )
    buttons.update(
        {
            summaries.PREFIX: summaries.on_button,
            pending.PREFIX: pending.on_button,
            exports.PREFIX: exports.on_button,
            reportbacks.PREFIX: reportbacks.on_button,
            "rb": reportbacks.on_partner_button,
        }
    )
    router.FLOW_TEXT.update(
        {
            summaries.FLOW: summaries.on_text,
            reportbacks.FLOW: reportbacks.on_staff_text,
            reportbacks.COMMENT_FLOW: reportbacks.on_partner_text,
        }
    )
    dispatch.COMPOSERS[REPORTBACK_KIND] = reportback_push.compose
    application.bot_data["services"].extras[reportback_push.BOT_KEY] = application.bot
