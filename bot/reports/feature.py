"""What the reports feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from typing import Any

from bot import reportback_push
from bot.features import Feature
from bot.handlers import exports, pending, reportbacks, summaries
from storage.reportbacks import KIND as REPORTBACK_KIND


async def _remember_bot(application: Any) -> None:
    application.bot_data["services"].extras[reportback_push.BOT_KEY] = application.bot


def feature() -> Feature:
    return Feature(
        name="reports",
        commands={
            "summary": summaries.summary_command,
            "pending": pending.pending_command,
            "export": exports.export_command,
            "share": reportbacks.share_command,
        },
        buttons={
            summaries.PREFIX: summaries.on_button,
            pending.PREFIX: pending.on_button,
            exports.PREFIX: exports.on_button,
            reportbacks.PREFIX: reportbacks.on_button,
            "rb": reportbacks.on_partner_button,
        },
        flows={
            summaries.FLOW: summaries.on_text,
            reportbacks.FLOW: reportbacks.on_staff_text,
            reportbacks.COMMENT_FLOW: reportbacks.on_partner_text,
        },
        composers={REPORTBACK_KIND: reportback_push.compose},
        on_startup=(_remember_bot,),
    )
