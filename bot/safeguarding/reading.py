"""The focal points' side of confidential reports: a new report pushed to each of them, /reports,
opening one, replying through the bot and marking it handled.

Only a named focal point who is still staff or admin gets here (``bot.safeguarding.buttons``
checks on every press, since buttons can be forged). Every time a focal point is shown a
report (pushed, opened, listed) the audit log says so.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, TelegramError

from bot.access import Person, log_staff_action, refuse
from bot.context import BotContext
from bot.handlers.wizard import leave_steps
from bot.i18n import translator
from bot.replies import send_text
from bot.safeguarding import service, view
from bot.safeguarding.view import HTML
from bot.services import Services
from storage.models import ChatFlow, SafeguardingReport
from storage.safeguarding import FocalPoint

log = logging.getLogger(__name__)


async def push_report(context: BotContext, report_id: int, points: list[FocalPoint]) -> None:
    """A new report to every focal point, each in their own language and time zone."""
    svc = context.svc
    for point in points:
        if point.telegram_user_id is None:
            continue
        try:
            reference = await _show_report(context, report_id, point, point.telegram_user_id)
        except TelegramError as err:
            log.warning("could not push a confidential report to a focal point: %s", err)
            continue
        await service.audit_read(svc, point, "safeguarding.delivered", reference)


async def _show_report(context: BotContext, report_id: int, point: FocalPoint, chat_id: int) -> str:
    svc = context.svc
    shown = await service.reading(svc, report_id)
    report = shown.report
    survey_title = None
    if report.survey_id:
        entry = svc.surveys.get(report.survey_id)
        if entry is not None:
            survey_title = entry[0].text_for(entry[0].title, point.language)
    text = view.report_text(
        reference=report.reference,
        anonymous=report.anonymous,
        sender=None if report.anonymous else shown.sender,
        organisation=None if report.anonymous else shown.organisation,
        survey_title=survey_title,
        submitted_at=report.submitted_at,
        status=report.status,
        entries=shown.entries,
        lang=point.language,
        zone=point.timezone,
    )
    await send_text(
        context,
        chat_id,
        text,
        point.language,
        keyboard=view.focal_keyboard(report.id, report.status, point.language),
        **HTML,
    )
    for item in shown.entries:
        if item.voice_file_id:
            await send_voice(context, chat_id, item.voice_file_id, point.language)
    return report.reference


async def send_voice(context: BotContext, chat_id: int, file_id: str, lang: str) -> None:
    try:
        await context.bot.send_voice(chat_id, voice=file_id)
    except TelegramError as err:
        log.info("could not forward a voice message of a report: %s", err)
        _ = translator(lang)
        await send_text(
            context,
            chat_id,
            _("The voice message could not be played here. Please open the report again later."),
            lang,
        )


async def reports_command(update: Update, context: BotContext) -> None:
    """/reports: the open confidential reports, for focal points only."""
    svc = context.svc
    person = await context.who()
    if not await service.is_focal_point(svc, person):
        await refuse(update, context, person)
        return
    reports, handled = await service.open_reports(svc)
    await log_staff_action(
        svc,
        person,
        "safeguarding.list",
        details={"open": len(reports), "references": [r.reference for r in reports]},
    )
    zone = person.zone(svc.settings.default_timezone)
    text = view.listing(
        [(r.reference, r.submitted_at, r.anonymous) for r in reports], handled, person.lang, zone
    )
    markup = view.listing_keyboard([(r.id, r.reference) for r in reports], person.lang)
    await context.reply(text, keyboard=markup)


async def on_button(
    update: Update,
    context: BotContext,
    person: Person,
    action: str,
    report: SafeguardingReport,
) -> None:
    """A focal point's press: open (``op``), reply (``rp``) or mark handled (``hd``)."""
    svc = context.svc
    query = update.callback_query
    lang = person.lang
    chat_id = update.effective_chat.id
    if action == "op":
        await query.answer()
        await _show_report(context, report.id, _as_point(svc, person), chat_id)
        await log_staff_action(svc, person, "safeguarding.open", subject=report.reference)
        return
    if action == "rp":
        await query.answer()
        await service.wait_for_text(svc, person.user_id, service.FLOW_REPLY, report.id)
        await send_text(
            context, chat_id, view.about(view.REPLY_PROMPT, report.reference, lang), lang
        )
        return
    # "hd": mark handled
    changed, reporter = await service.mark_handled(svc, report.id, person.contact_id)
    if not changed:
        await query.answer(view.about(view.ALREADY_HANDLED, report.reference, lang)[:190])
        return
    await log_staff_action(svc, person, "safeguarding.handled", subject=report.reference)
    await query.answer()
    try:
        await query.edit_message_reply_markup(
            reply_markup=view.focal_keyboard(report.id, "handled", lang)
        )
    except BadRequest as err:
        log.info("could not redraw a report's buttons: %s", err)
    await send_text(context, chat_id, view.about(view.HANDLED_DONE, report.reference, lang), lang)
    if reporter is not None and reporter.telegram_user_id is not None:
        await _to_reporter(
            context,
            reporter.telegram_user_id,
            view.about(view.HANDLED_TO_PARTNER, report.reference, reporter.language),
            reporter.language,
            report.id,
        )


def _as_point(svc: Services, person: Person) -> FocalPoint:
    """A focal point who opened a report, as the one it is shown to."""
    contact = person.contact
    assert contact is not None
    return FocalPoint(
        contact_id=contact.id,
        telegram_user_id=person.user_id,
        name=contact.display_name or str(person.user_id),
        language=person.lang,
        timezone=person.zone(svc.settings.default_timezone),
        role=person.role,
    )


async def _to_reporter(
    context: BotContext, chat_id: int, text: str, lang: str, report_id: int
) -> bool:
    try:
        await send_text(
            context, chat_id, text, lang, keyboard=view.answer_keyboard(report_id, lang), **HTML
        )
    except TelegramError as err:
        log.info("could not reach the person who reported: %s", err)
        return False
    return True


async def on_reply_text(
    update: Update, context: BotContext, person: Person, flow: ChatFlow
) -> None:
    """A focal point's reply: stored with the report, sent to the person by the bot (their
    chat id never shown), with a button to answer."""
    svc = context.svc
    lang = person.lang
    _ = translator(lang)
    chat_id = update.effective_chat.id
    await leave_steps(svc, person.user_id)
    if not await service.is_focal_point(svc, person):
        await refuse(update, context, person)
        return
    text = (update.effective_message.text or "").strip()
    if not text:
        await send_text(context, chat_id, _("Please type your reply."), lang)
        return
    sent = await service.add_reply(svc, int(flow.data.get("report", 0)), person.contact_id, text)
    if sent is None:
        await send_text(context, chat_id, _("That report no longer exists."), lang)
        return
    await log_staff_action(svc, person, "safeguarding.reply", subject=sent.reference)
    delivered = False
    reporter = sent.reporter
    if reporter is not None and reporter.telegram_user_id is not None:
        delivered = await _to_reporter(
            context,
            reporter.telegram_user_id,
            view.reply_to_partner(sent.reference, text, reporter.language),
            reporter.language,
            sent.report_id,
        )
    if delivered:
        await send_text(context, chat_id, view.about(view.REPLY_SENT, sent.reference, lang), lang)
    else:
        await send_text(
            context,
            chat_id,
            _(
                "Your reply is kept with {reference}, but the person cannot be reached through the bot.",
                reference=sent.reference,
            ),
            lang,
        )
