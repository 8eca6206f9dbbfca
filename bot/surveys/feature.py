"""What the survey feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.features import Feature
from bot.safeguarding import report
from bot.surveys import (
    answering,
    authoring,
    authoring_view,
    confidential,
    listing,
    recovery,
    registry,
)
from bot.surveys.mydata import surveys_section
from bot.surveys.service import FLOW_LONG


def feature() -> Feature:
    return Feature(
        name="surveys",
        commands={"surveys": listing.surveys_command},
        buttons={"sv": answering.on_button, authoring_view.PREFIX: authoring.on_button},
        flows={FLOW_LONG: answering.on_long_text_part, authoring.FLOW: authoring.on_text},
        documents={authoring.FLOW: authoring.on_file},
        joins_parts=frozenset({FLOW_LONG}),
        # An .xlsx from staff is a form to import; a message while a survey is open answers it.
        fallbacks=(authoring.on_unprompted_file, answering.on_message),
        cancel_hooks=(authoring.leave_on_cancel, listing.cancel_hook),
        mydata_sections=(surveys_section,),
        on_startup=(recovery.on_startup,),  # what a crash left owed to partners
        tick_hooks=(registry.refresh_on_tick,),  # installs another bot process made
        # How a survey goes on past its confidential question once the report is sent or
        # cannot be: reached through the registry, so that bot.safeguarding.report (which
        # the survey imports) need not import the survey.
        calls={
            report.SKIP: confidential.skip_confidential,
            report.RESUME: confidential.continue_after_confidential,
        },
    )
