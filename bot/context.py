"""What a handler is given besides the update: the bot's services, who is talking, their language.

python-telegram-bot makes one context per update and hands it to every handler the update
reaches, so the person looked up here is looked up once per update. It is looked up again only
after this process committed a change (``Database.generation``): a handler that has just stored
a new language or role reads the person as they are now.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.access import Person, who
from bot.replies import send_text
from bot.services import SERVICES_KEY, Services


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._person: Person | None = None
        self._person_generation = -1
        self._update: Update | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> BotContext:
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context._update = update
        return context

    @property
    def svc(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]

    async def who(self) -> Person:
        """The person this update is from (cached for the update; see the module docstring)."""
        generation = self.svc.db.generation
        if self._person is None or self._person_generation != generation:
            assert self._update is not None and self._update.effective_user is not None
            self._person = await who(self.svc, self._update.effective_user)
            self._person_generation = generation
        return self._person

    @property
    def person(self) -> Person:
        """The person as ``who()`` last found them in this update."""
        if self._person is None:
            raise RuntimeError("await context.who() before reading context.person")
        return self._person

    @property
    def lang(self) -> str:
        return self.person.lang

    async def reply(
        self, text: str, *, keyboard: InlineKeyboardMarkup | None = None, **kwargs: Any
    ) -> Message:
        """Send ``text`` to this update's chat in the person's language direction."""
        assert self._update is not None and self._update.effective_chat is not None
        return await send_text(
            self, self._update.effective_chat.id, text, self.lang, keyboard=keyboard, **kwargs
        )


CONTEXT_TYPES = ContextTypes(context=BotContext)
