"""What the meetings feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.features import Feature
from bot.meetings import card, listing, push, relay, rsvp, schedule
from bot.meetings.chat import ASK_FLOW, EDIT_FLOW, FLOW, REPLY_FLOW
from bot.meetings.mydata import meetings_section


def feature() -> Feature:
    return Feature(
        name="meetings",
        commands={"meeting": schedule.meeting_command, "meetings": listing.meetings_command},
        buttons={"mtg": schedule.on_button, "rsvp": rsvp.on_rsvp},
        flows={
            FLOW: schedule.on_text,
            EDIT_FLOW: card.on_edit_text,
            ASK_FLOW: relay.on_question_text,
            REPLY_FLOW: relay.on_reply_text,
        },
        cancel_hooks=(relay.cancel_hook,),  # a typed question is left before a survey
        composers=push.COMPOSERS,
        guards=push.GUARDS,
        mydata_sections=(meetings_section,),
    )
