"""What the safeguarding feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.features import Feature
from bot.safeguarding import answers, buttons, reading, report, service
from bot.safeguarding.view import AREA
from bot.surveys import confidential as surveys


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
        # How a survey goes on past its confidential question once the report is sent or
        # cannot be: the survey's own functions, reached through the registry so that
        # bot.safeguarding.report need not import the survey (which imports it). They belong
        # in bot/surveys/feature.py; they are declared here until its owner moves them.
        calls={
            report.SKIP: surveys.skip_confidential,
            report.RESUME: surveys.continue_after_confidential,
        },
    )
