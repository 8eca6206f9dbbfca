"""What the partnerships feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.features import Feature
from bot.partnerships import entry, service, wizard


def feature() -> Feature:
    return Feature(
        name="partnerships",
        commands={"partnership": entry.partnership_command},
        buttons={"pt": entry.on_button},
        flows={service.FLOW: wizard.on_text},
    )
