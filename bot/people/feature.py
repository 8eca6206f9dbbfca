"""What the people feature adds to the bot (see ``bot.features``)."""

from __future__ import annotations

from bot.features import Feature
from bot.handlers import basic
from bot.people import audit, help, invites, joining, joining_steps, settings, staff


def feature() -> Feature:
    return Feature(
        name="people",
        commands={
            # everyone
            "start": joining.start,
            "help": help.help_command,
            "cancel": basic.cancel_command,
            # each person's own settings and data: the same as /help's buttons
            **help.ACTIONS,
            # staff
            "invite": invites.invite_command,
            "invites": invites.invites_command,
            # admin
            "staff": staff.staff_command,
            "audit": audit.audit_command,
        },
        buttons={
            "ob": joining_steps.on_button,
            "set": settings.on_button,
            "help": help.on_help_button,
            "inv": invites.on_button,
            "stf": staff.on_button,
        },
        flows={
            joining.FLOW: joining_steps.on_text,
            settings.FLOW: settings.on_text,
            invites.FLOW: invites.on_text,
        },
        forwards={staff.FLOW: staff.on_forward},
    )
