"""What the people feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.features import Feature
from bot.handlers import basic, invites, onboarding, selfservice, staff


def feature() -> Feature:
    return Feature(
        name="people",
        commands={
            # everyone
            "start": onboarding.start,
            "help": selfservice.help_command,
            "cancel": basic.cancel_command,
            # each person's own settings and data
            "language": selfservice.language_command,
            "timezone": selfservice.timezone_command,
            "quiet": selfservice.quiet_command,
            "privacy": selfservice.privacy_command,
            "mydata": selfservice.mydata_command,
            "forget": selfservice.forget_command,
            "stop": selfservice.stop_command,
            "resume": selfservice.resume_command,
            # staff
            "invite": invites.invite_command,
            "invites": invites.invites_command,
            # admin
            "staff": staff.staff_command,
            "audit": staff.audit_command,
        },
        buttons={
            "ob": onboarding.on_button,
            "set": selfservice.on_button,
            "help": selfservice.on_help_button,
            "inv": invites.on_button,
            "stf": staff.on_button,
        },
        flows={
            onboarding.FLOW: onboarding.on_text,
            selfservice.FLOW: selfservice.on_text,
            invites.FLOW: invites.on_text,
        },
        forwards={staff.FLOW: staff.on_forward},
    )
