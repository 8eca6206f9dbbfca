"""What handlers need, gathered in one object kept in ``application.bot_data``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from telegram import User
from telegram.ext import Application, ContextTypes

from bot.clock import Clock
from bot.features import Registry
from bot.i18n import normalise_language
from bot.metrics import Metrics
from bot.sending import SendPath
from bot.settings import Settings
from bot.surveys.registry import SurveyRegistry
from storage import contacts, flows
from storage.db import Database
from storage.models import Contact

SERVICES_KEY = "services"


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    send_path: SendPath
    surveys: SurveyRegistry = field(default_factory=SurveyRegistry)
    extras: dict[str, Any] = field(default_factory=dict)
    #: what the features declared (``bot.features``), set when the application is built
    registry: Registry = field(default_factory=Registry)
    #: set when the bot begins to stop: the dispatcher takes no new push, and bulk requests not
    #: yet sent are abandoned (``request_stop``)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    #: what the bot counts about itself, for /metrics and /healthz (``bot.ops_server``)
    metrics: Metrics = field(default_factory=Metrics)

    def request_stop(self) -> None:
        """The bot is stopping (SIGTERM): pushes stop going out now, whatever is in flight, so
        the teardown that follows waits for seconds, not for a push to thousands; what was
        claimed and not sent is handed back (``bot.dispatch``)."""
        self.stopping.set()
        self.send_path.stop_bulk()

    async def contact_for(self, user: User | None) -> Contact | None:
        if user is None:
            return None
        async with self.db.sessions() as session:
            return await contacts.by_telegram_id(session, user.id)

    async def language_for(self, user: User | None) -> str:
        """The contact's chosen language, else their Telegram app's language, else the default."""
        contact = await self.contact_for(user)
        if contact is not None and contact.language:
            return contact.language
        if user is None:
            return normalise_language(None)
        return await self.stranger_language(user)

    async def stranger_language(self, user: User) -> str:
        """A stranger's language: the one they picked while joining (kept in their onboarding
        step, even after "Not now"), else their Telegram app's."""
        async with self.db.sessions() as session:
            flow = await flows.get(session, user.id)
        if flow is not None and flow.flow == "onboarding" and flow.data.get("language"):
            return normalise_language(str(flow.data["language"]))
        return normalise_language(user.language_code)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]


def attach(application: Application[Any, Any, Any, Any, Any, Any], svc: Services) -> None:
    application.bot_data[SERVICES_KEY] = svc
