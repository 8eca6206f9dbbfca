"""What the survey feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.features import Feature
from bot.handlers import surveys
from bot.mydata_surveys import surveys_section


def feature() -> Feature:
    return Feature(
        name="surveys",
        commands={"surveys": surveys.surveys_command},
        buttons={"sv": surveys.on_button},
        flows={surveys.FLOW_LONG: surveys.on_long_text_part},
        joins_parts=frozenset({surveys.FLOW_LONG}),
        fallbacks=(surveys.on_message,),  # a message while a survey is open answers it
        cancel_hooks=(surveys.cancel_hook,),
        mydata_sections=(surveys_section,),
    )
