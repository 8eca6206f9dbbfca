"""What the partnerships feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.features import Feature
from bot.handlers import partnerships


def feature() -> Feature:
    return Feature(
        name="partnerships",
        commands={"partnership": partnerships.partnership_command},
        buttons={"pt": partnerships.on_button},
        flows={partnerships.FLOW: partnerships.on_text},
    )
