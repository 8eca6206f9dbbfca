"""Wiring: one Application with our send path, update processor, handlers and services.

Every handler the bot has is registered in ``register_handlers`` — start there to find which
function answers a command or a button.
"""

from __future__ import annotations

import logging
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

from bot import dispatch, i18n, jpat_push, meeting_push, wakeups
from bot.clock import Clock
from bot.dedupe import drop_repeated_update
from bot.handlers import (
    basic,
    campaigns,
    common,
    errors,
    invites,
    jpat,
    jpat_consolidate,
    meetings,
    membership,
    onboarding,
    partnerships,
    router,
    safeguarding,
    selfservice,
    staff,
    surveys,
)
from bot.menus import publish_command_menus
from bot.mydata_meetings import meetings_section
from bot.mydata_surveys import make_section
from bot.sending import SendPath
from bot.services import Services, attach
from bot.settings import Settings
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
        .concurrent_updates(PerChatUpdateProcessor(UPDATES_AT_ONCE))
        .connection_pool_size(64)
        .pool_timeout(30)
        .post_init(on_startup)
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
    """Every command, button prefix and message kind the bot answers, and who answers it."""
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, membership.heard_from), group=-3)
    application.add_handler(TypeHandler(Update, drop_repeated_update), group=-1)

    commands = {
        # everyone
        "start": onboarding.start,
        "help": selfservice.help_command,
        "cancel": basic.cancel_command,
        # partner self-service
        "language": selfservice.language_command,
        "timezone": selfservice.timezone_command,
        "quiet": selfservice.quiet_command,
        "privacy": selfservice.privacy_command,
        "mydata": selfservice.mydata_command,
        "forget": selfservice.forget_command,
        "stop": selfservice.stop_command,
        "resume": selfservice.resume_command,
        "surveys": surveys.surveys_command,
        # staff
        "send": campaigns.send_command,
        "campaigns": campaigns.campaigns_command,
        "invite": invites.invite_command,
        "invites": invites.invites_command,
        "meeting": meetings.meeting_command,
        "meetings": meetings.meetings_command,
        "partnership": partnerships.partnership_command,
        # J-PAT check-ins (partners and staff; staff-only parts refuse others)
        "jpat": jpat.jpat_command,
        # admin
        "staff": staff.staff_command,
        "audit": staff.audit_command,
        # safeguarding focal points only (refused to everyone else)
        "reports": safeguarding.reports_command,
    }
    commands.update(EXTRA_COMMANDS)
    buttons = {
        "ob": onboarding.on_button,
        "set": selfservice.on_button,
        "help": selfservice.on_help_button,
        "inv": invites.on_button,
        "stf": staff.on_button,
        "sv": surveys.on_button,
        "snd": campaigns.on_button,
        "mtg": meetings.on_button,
        "rsvp": meetings.on_rsvp,
        "pt": partnerships.on_button,
        "jp": jpat.on_button,
        safeguarding.PREFIX: safeguarding.on_button,
    }
    buttons.update(EXTRA_BUTTONS)
    from bot import reports  # issue 7: /summary /pending /export /share and report-backs

    reports.register(application, commands, buttons)
    router.FLOW_TEXT.update(
        {
            onboarding.FLOW: onboarding.on_text,
            selfservice.FLOW: selfservice.on_text,
            invites.FLOW: invites.on_text,
            meetings.FLOW: meetings.on_text,
            meetings.EDIT_FLOW: meetings.on_edit_text,
            partnerships.FLOW: partnerships.on_text,
            jpat_consolidate.FLOW: jpat_consolidate.on_text,
            jpat_consolidate.DISPUTE_FLOW: jpat_consolidate.on_dispute_text,
        }
    )
    router.FLOW_TEXT[safeguarding.FLOW_REPLY] = safeguarding.on_reply_text
    router.FLOW_TEXT[safeguarding.FLOW_ANSWER] = safeguarding.on_answer_text
    router.FLOW_FORWARD[staff.FLOW] = staff.on_forward
    dispatch.COMPOSERS.update(meeting_push.COMPOSERS)
    dispatch.GUARDS.update(meeting_push.GUARDS)
    if meetings_section not in selfservice.MYDATA_SECTIONS:
        selfservice.MYDATA_SECTIONS.append(meetings_section)
    dispatch.COMPOSERS.update(dict.fromkeys(jpat_push.KINDS, jpat_push.compose))
    if jpat_push.on_tick not in dispatch.TICK_HOOKS:
        dispatch.TICK_HOOKS.append(jpat_push.on_tick)
    if jpat_push.on_response_completed not in surveys.COMPLETION_HOOKS:
        surveys.COMPLETION_HOOKS.append(jpat_push.on_response_completed)
    if safeguarding.on_voice not in router.FALLBACKS:  # before a survey takes the voice
        router.FALLBACKS.insert(0, safeguarding.on_voice)
    if surveys.on_message not in router.FALLBACKS:
        router.FALLBACKS.append(surveys.on_message)
    if surveys.cancel_hook not in basic.CANCEL_HOOKS:
        basic.CANCEL_HOOKS.append(surveys.cancel_hook)
    router.FLOW_TEXT[meetings.ASK_FLOW] = meetings.on_question_text
    router.FLOW_TEXT[meetings.REPLY_FLOW] = meetings.on_reply_text
    if meetings.cancel_hook not in basic.CANCEL_HOOKS:  # a typed question before a survey
        basic.CANCEL_HOOKS.insert(0, meetings.cancel_hook)

    application.add_handler(
        ChatMemberHandler(membership.chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    for prefix, callback in buttons.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=f"^{prefix}:"))
    application.add_handler(CallbackQueryHandler(_unknown_button))
    application.add_handler(MessageHandler(filters.COMMAND & private, basic.unknown_command))
    application.add_handler(
        MessageHandler(private & ~filters.StatusUpdate.ALL & ~filters.COMMAND, router.on_message)
    )
    application.add_error_handler(errors.on_error)


# Later features register their commands and button prefixes here.
EXTRA_COMMANDS: dict[str, Any] = {}
EXTRA_BUTTONS: dict[str, Any] = {}


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
    selfservice.MYDATA_SECTIONS[:] = [
        s for s in selfservice.MYDATA_SECTIONS if getattr(s, "__name__", "") != "section"
    ]
    selfservice.MYDATA_SECTIONS.append(make_section(svc.surveys))
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
    await dispatch.tick(context.application)
