"""What the meetings feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot import meeting_push
from bot.features import Feature
from bot.handlers import meetings
from bot.mydata_meetings import meetings_section


def feature() -> Feature:
    return Feature(
        name="meetings",
        commands={"meeting": meetings.meeting_command, "meetings": meetings.meetings_command},
        buttons={"mtg": meetings.on_button, "rsvp": meetings.on_rsvp},
        flows={
            meetings.FLOW: meetings.on_text,
            meetings.EDIT_FLOW: meetings.on_edit_text,
            meetings.ASK_FLOW: meetings.on_question_text,
            meetings.REPLY_FLOW: meetings.on_reply_text,
        },
        cancel_hooks=(meetings.cancel_hook,),  # a typed question is left before a survey
        composers=meeting_push.COMPOSERS,
        guards=meeting_push.GUARDS,
        mydata_sections=(meetings_section,),
    )
