"""What the J-PAT feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot import jpat_push
from bot.features import Feature
from bot.handlers import jpat, jpat_consolidate


def feature() -> Feature:
    return Feature(
        name="jpat",
        commands={"jpat": jpat.jpat_command},  # partners and staff; staff-only parts refuse others
        buttons={"jp": jpat.on_button},
        flows={
            jpat_consolidate.FLOW: jpat_consolidate.on_text,
            jpat_consolidate.DISPUTE_FLOW: jpat_consolidate.on_dispute_text,
        },
        composers=dict.fromkeys(jpat_push.KINDS, jpat_push.compose),
        tick_hooks=(jpat_push.on_tick,),
        completion_hooks=(jpat_push.on_response_completed,),
    )
