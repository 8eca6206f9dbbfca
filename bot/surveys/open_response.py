"""Someone at their open survey, as one update finds them: what every answering step works on.

A press or a message loads the response once (with its survey and how far it has got); the
steps it passes through (applying an input, starting or continuing, the long-text offer) are
handed this one object rather than the same six arguments each.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery

from bot.handlers.press import Turn
from conversations import Progress, Survey
from storage.models import Response


@dataclass
class Answering(Turn):
    """The open response this update is about, with its survey and how far it has got."""

    response: Response
    survey: Survey
    progress: Progress

    @property
    def query(self) -> CallbackQuery | None:
        """The button pressed, or None for a typed or recorded message."""
        return self.update.callback_query
