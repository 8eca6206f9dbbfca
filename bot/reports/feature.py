"""What the reports feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from typing import Any

from bot.features import Feature
from bot.reports import export, pending, push, share, share_replies, summary
from storage.reportbacks import KIND as REPORTBACK_KIND


async def _remember_bot(application: Any) -> None:
    application.bot_data["services"].extras[push.BOT_KEY] = application.bot


def feature() -> Feature:
    return Feature(
        name="reports",
        commands={
            "summary": summary.summary_command,
            "pending": pending.pending_command,
            "export": export.export_command,
            "share": share.share_command,
        },
        buttons={
            summary.PREFIX: summary.on_button,
            pending.PREFIX: pending.on_button,
            export.PREFIX: export.on_button,
            share.PREFIX: share.on_button,
            share_replies.PREFIX: share_replies.on_partner_button,
        },
        flows={
            summary.FLOW: summary.on_text,
            share.FLOW: share.on_staff_text,
            share_replies.COMMENT_FLOW: share_replies.on_partner_text,
        },
        composers={REPORTBACK_KIND: push.compose},
        on_startup=(_remember_bot,),
    )
