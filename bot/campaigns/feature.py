"""What the campaigns feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.features import Feature
from bot.handlers import campaigns


def feature() -> Feature:
    return Feature(
        name="campaigns",
        commands={"send": campaigns.send_command, "campaigns": campaigns.campaigns_command},
        buttons={"snd": campaigns.on_button},
    )
