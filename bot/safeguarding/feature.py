"""What the safeguarding feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.features import Feature
from bot.safeguarding import answers, buttons, reading, service
from bot.safeguarding.view import AREA


def feature() -> Feature:
    return Feature(
        name="safeguarding",
        commands={"reports": reading.reports_command},  # focal points only
        buttons={AREA: buttons.on_button},
        flows={
            service.FLOW_REPLY: reading.on_reply_text,
            service.FLOW_ANSWER: answers.on_answer_text,
        },
        fallbacks=(answers.on_voice,),  # before a survey takes the voice message
    )
