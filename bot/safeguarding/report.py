"""A partner's confidential report, taken during a survey: the words typed or recorded at a
confidential question are kept as an unsent draft in the confidential tables only (never with
the survey's answers, read by nobody), until the partner sends them, with their name or
anonymously, to the focal points, or drops them.

The survey (``bot.surveys``) hands the words over here and asks who reads
(``focal_points``); when the report is sent, or cannot be, the survey goes on past its
confidential question through the functions the registry holds under ``SKIP`` and ``RESUME``
(``bot.features``): this module never imports the survey.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import BadRequest, TelegramError

from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
from bot.i18n import bidi, translator
from bot.replies import send_text
from bot.safeguarding import service, view
from bot.safeguarding.reading import push_report
from bot.safeguarding.service import focal_points
from bot.surveys.refusals import refusal_text
from conversations import Question, Refusal, Survey, UserInput
from conversations.validation import FREE_TEXT_LIMIT
from storage.models import Response, SafeguardingReport

log = logging.getLogger(__name__)

#: skip(context, chat_id, response_id): past a confidential question nobody can receive
SKIP = "surveys.skip_confidential"
#: resume(update, context, person, response_id, answered_as) -> True when it answered the press
RESUME = "surveys.continue_after_confidential"


async def tell_unavailable(context: BotContext, chat_id: int, lang: str) -> None:
    """Tell the partner their words could not be received (none were kept), and the admins."""
    await send_text(context, chat_id, view.not_received(lang), lang)
    await notify_admins_once(context)


async def notify_admins_once(context: BotContext) -> None:
    """Admins learn once that partners cannot report, until a focal point is named."""
    svc = context.svc
    if not await service.claim_no_focal_point_notice(svc):
        return
    for admin_id in svc.settings.admins:
        lang = await service.language_of(svc, admin_id)
        try:
            await send_text(context, admin_id, view.admins_no_focal_point(lang), lang)
        except TelegramError as err:
            log.info("could not tell admin %s that no focal point is named: %s", admin_id, err)


async def take_report_input(
    update: Update,
    context: BotContext,
    person: Person,
    response: Response,
    survey: Survey,
    question: Question,
    user_input: UserInput,
) -> None:
    """Words typed or recorded at a confidential question: kept as an unsent draft (in the
    confidential table only, read by nobody), then the partner chooses how to send it."""
    svc = context.svc
    lang = response.language
    chat_id = update.effective_chat.id
    points = await focal_points(svc)
    if not points:
        await tell_unavailable(context, chat_id, lang)
        await svc.registry.calls[SKIP](context, chat_id, response.id)
        return
    text = (user_input.value or "").strip() or None
    refusal: Refusal | None = None
    if user_input.kind == "voice" and not question.allows_voice:
        refusal = Refusal("voice_not_allowed")
    elif user_input.kind == "text" and text is None:
        refusal = Refusal("empty")
    elif text is not None and len(text) > FREE_TEXT_LIMIT:  # the one limit for free text
        refusal = Refusal("too_long", {"max_length": FREE_TEXT_LIMIT, "length": len(text)})
    if refusal is not None:
        await send_text(context, chat_id, refusal_text(refusal, lang), lang)
        return
    voice = user_input.kind == "voice"
    report_id = await service.add_to_draft(
        svc,
        contact_id=person.contact.id,  # type: ignore[union-attr]
        response_id=response.id,
        survey_id=survey.id,
        language=lang,
        text=text,
        voice_file_id=user_input.voice_file_id if voice else None,
        voice_duration=user_input.voice_duration if voice else None,
    )
    await send_text(
        context,
        chat_id,
        view.confirm_text(points, lang),
        lang,
        keyboard=view.confirm_keyboard(report_id, lang),
    )


async def on_button(
    update: Update,
    context: BotContext,
    person: Person,
    action: str,
    report: SafeguardingReport,
    arg: str | None,
) -> None:
    """The partner's press on their draft: send (``s``, with ``n``ame or ``a``nonymously) or
    don't (``x``)."""
    query = update.callback_query
    lang = person.lang
    _ = translator(lang)
    if report.status != "draft":
        await query.answer(_("This report was already sent."))
        return
    if action == "x":
        await service.discard(context.svc, report.id)
        await common.close_keyboard(query, view.not_sent(lang), lang)
        return
    if arg not in ("n", "a"):
        await common.expired_button(update, context, lang)
        return
    await _submit(update, context, person, report, anonymous=arg == "a")


async def _submit(
    update: Update,
    context: BotContext,
    person: Person,
    report: SafeguardingReport,
    *,
    anonymous: bool,
) -> None:
    svc = context.svc
    query = update.callback_query
    chat_id = update.effective_chat.id
    lang = report.language
    points = await focal_points(svc)
    if not points:  # every focal point was removed since the partner started writing
        await service.discard(svc, report.id)
        await _edit(query, view.not_sent(lang), lang)
        await tell_unavailable(context, chat_id, lang)
        await _continue_survey(update, context, person, report.response_id, None)
        return
    if not await service.submit(svc, report.id, anonymous=anonymous):
        await query.answer()  # a second press while the first was being sent: on its way
        return
    await _edit(query, view.acknowledgement(report.reference, anonymous, points, lang), lang)
    await push_report(context, report.id, points)
    mark = view.answered_mark(report.reference, lang)
    await _continue_survey(update, context, person, report.response_id, mark)


async def _edit(query: Any, text: str, lang: str) -> None:
    """Turn the confirmation into what happened, without its buttons (no double send)."""
    try:
        await query.edit_message_text(bidi(text, lang))
    except BadRequest as err:
        if "not modified" not in str(err).lower():
            log.info("could not close the confirmation: %s", err)


async def _continue_survey(
    update: Update,
    context: BotContext,
    person: Person,
    response_id: int | None,
    mark: str | None,
) -> None:
    """The survey goes on past the confidential question (a wordless row is stored for it),
    if the partner is still on that question; the button press is answered either way."""
    answered = False
    if response_id is not None:
        resume = context.svc.registry.calls[RESUME]
        answered = await resume(update, context, person, response_id, mark)
    if not answered and update.callback_query is not None:
        await update.callback_query.answer()
