"""One update being answered (a ``Turn``), and a button press once its area has read it.

Every feature's dispatcher parses ``<area>:<action>[:<arg>…]``, checks who may press it, and
hands the rest to the handler of that action. Handing over one ``Press`` (rather than the
update, the context, the person, the action and the arguments one by one) keeps those handlers
about the conversation: what was pressed and what to say back. Steps that run for a press and
for typed text alike (a survey's answer, a wizard's step) build on ``Turn`` the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from telegram import CallbackQuery, Update

from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
from bot.i18n import Translator, translator
from bot.services import Services


@dataclass
class Turn:
    """Who sent this update, and where the answer to it goes."""

    update: Update
    context: BotContext
    person: Person

    @property
    def svc(self) -> Services:
        return self.context.svc

    @property
    def chat_id(self) -> int:
        """The chat the update came from: where the answer to it goes."""
        return self.update.effective_chat.id

    @property
    def lang(self) -> str:
        return self.person.lang

    @cached_property
    def _(self) -> Translator:
        """The person's language, for what is said back."""
        return translator(self.person.lang)


@dataclass
class Press(Turn):
    """One press on an inline button, already parsed by its area's dispatcher."""

    action: str
    args: list[str]

    @property
    def query(self) -> CallbackQuery:
        return self.update.callback_query

    @property
    def arg(self) -> str | None:
        """The first argument, when the button carries one."""
        return self.args[0] if self.args else None

    async def expired(self) -> None:
        """An old keyboard or forged data: the "no longer active" notice, nothing changes."""
        await common.expired_button(self.update, self.context, self.person.lang)
