"""What the J-PAT feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.features import Feature
from bot.jpat import command, consolidate, push, signoff


def feature() -> Feature:
    return Feature(
        name="jpat",
        commands={
            "jpat": command.jpat_command
        },  # partners and staff; staff-only parts refuse others
        buttons={"jp": command.on_button},
        flows={
            consolidate.FLOW: consolidate.on_text,
            signoff.DISPUTE_FLOW: signoff.on_dispute_text,
        },
        composers=dict.fromkeys(push.KINDS, push.compose),
        tick_hooks=(push.on_tick,),
        completion_hooks=(push.on_response_completed,),
    )
