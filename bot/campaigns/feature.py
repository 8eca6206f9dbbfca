"""What the campaigns feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.campaigns import handlers, push
from bot.features import Feature


def feature() -> Feature:
    return Feature(
        name="campaigns",
        commands={"send": handlers.send_command, "campaigns": handlers.campaigns_command},
        buttons={handlers.PREFIX: handlers.on_button},
        composers=dict.fromkeys(push.KINDS, push.compose),
    )
