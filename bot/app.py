"""Wiring: one Application with our send path, update processor, handlers and services.

Every handler the bot has is registered in ``register_handlers`` — start there to find which
function answers a command or a button.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import dispatch, i18n, wakeups
from bot.campaigns import feature as campaigns
from bot.clock import Clock
from bot.context import CONTEXT_TYPES
from bot.dedupe import drop_repeated_update
from bot.features import Feature, Registry
from bot.handlers import basic, common, errors, router
from bot.jpat import feature as jpat
from bot.meetings import feature as meetings
from bot.menus import publish_command_menus
from bot.metrics import Metrics, note_error
from bot.partnerships import feature as partnerships
from bot.people import feature as people
from bot.people import membership
from bot.reports import feature as reports
from bot.safeguarding import feature as safeguarding
from bot.sending import SendPath
from bot.services import Services, attach
from bot.settings import Settings
from bot.surveys import feature as surveys
from bot.telegram_http import AiohttpRequest
from bot.update_processor import PerChatUpdateProcessor
from storage import contacts
from storage.db import Database

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
# Updates handled at once: enough to keep the database busy, few enough that each holds a
# connection only briefly; the rest wait in order rather than time out in the pool.
UPDATES_AT_ONCE = 16


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
    metrics = Metrics()
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
    send_path.before_request = db.settle
    send_path.metrics = metrics

    builder = (
        Application.builder()
        .token(settings.token)
        .rate_limiter(send_path)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(
            PerChatUpdateProcessor(UPDATES_AT_ONCE, around=db.unit, metrics=metrics)
        )
        # Both clients note when the Bot API last answered (the health check's "Telegram").
        .request(
            AiohttpRequest(connection_pool_size=64, pool_timeout=30, heartbeat=metrics.telegram)
        )
        .get_updates_request(AiohttpRequest(connection_pool_size=1, heartbeat=metrics.telegram))
        .post_init(on_startup)
        .post_stop(on_stop)
        # Updates come through the inbox (bot.polling, bot.webhook), not PTB's Updater, which
        # acknowledged them to Telegram before they were applied.
        .updater(None)
    )
    if settings.bot_api_url:
        builder = builder.base_url(settings.bot_api_url)
        file_url = settings.bot_api_file_url or settings.bot_api_url.replace("/bot", "/file/bot")
        builder = builder.base_file_url(file_url)
    application = builder.build()
    attach(
        application,
        Services(settings=settings, db=db, clock=clock, send_path=send_path, metrics=metrics),
    )
    register_handlers(application)
    return application


# The features, in the order they are asked where order matters: a confidential voice report is
# offered to safeguarding before an open survey takes it, and /cancel leaves a typed meeting
# question before it leaves a survey.
FEATURES: tuple[Callable[[], Feature], ...] = (
    people.feature,
    safeguarding.feature,
    meetings.feature,
    surveys.feature,
    jpat.feature,
    campaigns.feature,
    partnerships.feature,
    reports.feature,
)


def register_handlers(application: AnyApplication) -> None:
    """Every command, button prefix and message kind the bot answers, and who answers it: the
    features declare theirs (``bot.<feature>/feature.py``), the rest is the same for all."""
    private = filters.ChatType.PRIVATE
    registry = Registry.of(make() for make in FEATURES)
    application.bot_data["services"].registry = registry
    application.add_handler(TypeHandler(Update, membership.heard_from), group=-3)
    application.add_handler(TypeHandler(Update, drop_repeated_update), group=-1)
    application.add_handler(
        ChatMemberHandler(membership.chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    for name, callback in registry.commands.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    for prefix, callback in registry.buttons.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=f"^{prefix}:"))
    application.add_handler(CallbackQueryHandler(_unknown_button))
    application.add_handler(MessageHandler(filters.COMMAND & private, basic.unknown_command))
    application.add_handler(
        MessageHandler(private & ~filters.StatusUpdate.ALL & ~filters.COMMAND, router.on_message)
    )
    application.add_error_handler(note_error)  # first: counts the update as an error
    application.add_error_handler(errors.on_error)


async def _unknown_button(update: Update, context: Any) -> None:
    svc: Services = context.application.bot_data["services"]
    await common.expired_button(update, context, await svc.language_for(update.effective_user))


async def on_startup(application: AnyApplication) -> None:
    """Run once the bot is initialised (PTB's post_init under run_polling/run_webhook)."""
    svc: Services = application.bot_data["services"]
    await ensure_admin_contacts(svc)
    async with svc.db.sessions() as session:
        for chat_id in await contacts.blocked_telegram_ids(session):
            svc.send_path.blocked_chats.add(chat_id)
    await svc.surveys.load(svc.db, svc.settings.surveys_dir)
    for hook in svc.registry.on_startup:
        await hook(application)
    await publish_command_menus(application.bot)
    if application.job_queue is not None and svc.settings.tick_seconds > 0:
        application.job_queue.run_repeating(
            _tick_job, interval=svc.settings.tick_seconds, first=1, name="dispatch"
        )
    await wakeups.rebuild(application)  # catch up at once, then wake when the next push is due


async def ensure_admin_contacts(svc: Services) -> None:
    """Admins named in the settings are staff from the start: each gets a contact (if they
    have none), so they can be put on a partnership's NGO side before they ever write."""
    for attempt in (1, 2):  # a second process starting at the same moment may win a row
        try:
            async with svc.db.transaction() as session:
                made = await contacts.ensure_admins(
                    session,
                    list(svc.settings.admins),
                    language=svc.settings.default_language,
                    timezone=svc.settings.default_timezone,
                    now=svc.clock.now(),
                )
        except IntegrityError:
            if attempt == 2:
                raise
            continue
        if made:
            log.info("made a contact for %d admin(s) from the settings", len(made))
        return


async def _tick_job(context: Any) -> None:
    """The periodic safety net: a tick, or one more round of the one running, in a task of its
    own, so a push to thousands does not hold the job (APScheduler would skip and warn every
    interval). It re-arms too: the dispatcher's role may have just come to this process (its
    holder died), and the wake-ups were not armed while another process held it."""
    if context.application.running:  # not while stopping: shutdown waits for nothing new
        wakeups.tick_soon(context.application)


async def on_stop(application: AnyApplication) -> None:
    """PTB's post_stop: no tick runs any more; let another process be the dispatcher."""
    await dispatch.on_stop(application.bot_data["services"])
