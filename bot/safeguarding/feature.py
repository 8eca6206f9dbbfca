"""What the safeguarding feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.features import Feature
from bot.handlers import safeguarding


def feature() -> Feature:
    return Feature(
        name="safeguarding",
        commands={"reports": safeguarding.reports_command},  # focal points only
        buttons={safeguarding.PREFIX: safeguarding.on_button},
        flows={
            safeguarding.FLOW_REPLY: safeguarding.on_reply_text,
            safeguarding.FLOW_ANSWER: safeguarding.on_answer_text,
        },
        fallbacks=(safeguarding.on_voice,),  # before a survey takes the voice message
    )
