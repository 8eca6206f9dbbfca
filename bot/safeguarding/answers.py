"""The person who reported answers a focal point's reply, typed or recorded; and the voice
fallback: a voice message while a reply or an answer is awaited never reaches a survey.

Each answer is stored with the report and pushed to every focal point, and to nobody else.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from telegram import Update
from telegram.error import TelegramError

from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.wizard import step_of
from bot.i18n import translator
from bot.replies import send_text
from bot.safeguarding import service, view
from bot.safeguarding.reading import send_voice
from bot.safeguarding.view import HTML
from storage.models import ChatFlow, SafeguardingReport

log = logging.getLogger(__name__)


async def on_answer_button(
    update: Update,
    context: BotContext,
    person: Person,
    report: SafeguardingReport,
) -> None:
    """The "Answer" button under a reply (``an``): the next message is the answer."""
    lang = person.lang
    if report.status == "draft":
        await common.expired_button(update, context, lang)
        return
    await update.callback_query.answer()
    await service.wait_for_text(context.svc, person.user_id, service.FLOW_ANSWER, report.id)
    await send_text(
        context,
        update.effective_chat.id,
        view.about(view.ANSWER_PROMPT, report.reference, lang),
        lang,
    )


async def on_answer_text(
    update: Update, context: BotContext, person: Person, flow: ChatFlow
) -> None:
    await _take_answer(update, context, person, flow)


async def on_voice(update: Update, context: BotContext, person: Person) -> bool:
    """A voice message while answering a focal point (text goes through ``on_answer_text``)."""
    message = update.effective_message
    if message is None or message.voice is None:
        return False
    flow = await step_of(context.svc, person.user_id)
    if flow is None or flow.flow not in (service.FLOW_ANSWER, service.FLOW_REPLY):
        return False
    if flow.flow == service.FLOW_REPLY:
        _ = translator(person.lang)
        await context.reply(_("Please type your reply."))
        return True
    await _take_answer(update, context, person, flow)
    return True


async def _take_answer(update: Update, context: BotContext, person: Person, flow: ChatFlow) -> None:
    """The person who reported answers a reply: stored, and pushed to every focal point."""
    svc = context.svc
    lang = person.lang
    _ = translator(lang)
    chat_id = update.effective_chat.id
    message = update.effective_message
    voice = message.voice
    sent = await service.add_answer(
        svc,
        person,
        int(flow.data.get("report", 0)),
        text=(message.text or "").strip() or None,
        voice_file_id=voice.file_id if voice is not None else None,
        voice_duration=_seconds(voice) if voice is not None else None,
    )
    if sent is None:
        await send_text(context, chat_id, _("That report no longer exists."), lang)
        return
    points = await service.focal_points(svc)
    latest = sent.entries[-1]
    for point in points:
        if point.telegram_user_id is None:
            continue
        try:
            await send_text(
                context,
                point.telegram_user_id,
                view.new_message_text(sent.reference, latest, point.language),
                point.language,
                keyboard=view.focal_keyboard(sent.report_id, sent.status, point.language),
                **HTML,
            )
            if latest.voice_file_id:
                await send_voice(
                    context, point.telegram_user_id, latest.voice_file_id, point.language
                )
        except TelegramError as err:
            log.warning("could not push an answer to a focal point: %s", err)
            continue
        await service.audit_read(svc, point, "safeguarding.delivered", sent.reference)
    await send_text(context, chat_id, view.about(view.ANSWER_SENT, sent.reference, lang), lang)


def _seconds(voice: Any) -> int:
    """PTB 22 warns that durations will become timedelta; accept either, without the noise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        duration = voice.duration
    if hasattr(duration, "total_seconds"):
        return int(duration.total_seconds())
    return int(duration or 0)
