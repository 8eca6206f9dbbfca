"""Wiring: one Application with our send path, update processor, handlers and services.

Every handler the bot has is registered in ``register_handlers`` — start there to find which
function answers a command or a button.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import i18n
from bot.clock import Clock
from bot.dedupe import drop_repeated_update
from bot.handlers import basic, errors, membership
from bot.menus import publish_command_menus
from bot.sending import SendPath
from bot.services import Services, attach
from bot.settings import Settings
from bot.update_processor import PerChatUpdateProcessor
from storage import contacts
from storage.db import Database

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(
    settings: Settings,
    db: Database,
    *,
    clock: Clock | None = None,
    send_path: SendPath | None = None,
) -> AnyApplication:
    if settings.token is None:
        raise ValueError("a bot token is needed to build the application")
    clock = clock or Clock()
    i18n.set_default_language(settings.default_language)

    async def on_blocked(chat_id: int) -> None:
        async with db.transaction() as session:
            await contacts.mark_blocked(session, chat_id, clock.now())

    if send_path is None:
        send_path = SendPath(
            global_rate_per_s=settings.global_rate_per_s,
            chat_burst=settings.chat_burst,
            chat_rate_per_s=settings.chat_rate_per_s,
            on_blocked=on_blocked,
        )
    elif send_path.on_blocked is None:
        send_path.on_blocked = on_blocked

    builder = (
        Application.builder()
        .token(settings.token)
        .rate_limiter(send_path)
        .concurrent_updates(PerChatUpdateProcessor(256))
        .connection_pool_size(64)
        .pool_timeout(30)
        .post_init(_post_init)
    )
    if settings.bot_api_url:
        builder = builder.base_url(settings.bot_api_url)
        file_url = settings.bot_api_file_url or settings.bot_api_url.replace("/bot", "/file/bot")
        builder = builder.base_file_url(file_url)
    application = builder.build()
    attach(application, Services(settings=settings, db=db, clock=clock, send_path=send_path))
    register_handlers(application)
    return application


def register_handlers(application: AnyApplication) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, drop_repeated_update), group=-1)
    application.add_handlers(
        [
            ChatMemberHandler(membership.chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER),
            CommandHandler("start", basic.help_command, filters=private),
            CommandHandler("help", basic.help_command, filters=private),
            MessageHandler(filters.COMMAND & private, basic.unknown_command),
            MessageHandler(private & ~filters.StatusUpdate.ALL, basic.not_understood),
        ]
    )
    application.add_error_handler(errors.on_error)


async def _post_init(application: AnyApplication) -> None:
    svc: Services = application.bot_data["services"]
    async with svc.db.sessions() as session:
        for chat_id in await contacts.blocked_telegram_ids(session):
            svc.send_path.blocked_chats.add(chat_id)
    await publish_command_menus(application.bot)
