"""Confidential reports: a partner writes one at a confidential survey question, only the
named safeguarding focal points read it (/reports), reply through the bot and mark it handled.

Who may do what is checked on every press, since buttons can be forged: the partner's
buttons (send, don't send, answer) only for the person who wrote the report; the focal
point's (open, reply, mark handled) only for a named focal point who is still staff or admin.
Anyone else gets the same refusal as an unknown command, written to the audit log. Every
time a focal point is shown a report (pushed, opened, listed) the audit log says so.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import callbacks
from bot import safeguarding_view as view
from bot.access import Person, log_staff_action, person_of, refuse
from bot.handlers import common
from bot.i18n import bidi, translator
from bot.replies import send_text
from bot.services import Services, services
from bot.survey_view import refusal_text
from conversations import Question, Refusal, Survey, UserInput
from conversations.validation import FREE_TEXT_LIMIT
from storage import audit, contacts, flows
from storage import safeguarding as store
from storage import surveys as survey_store
from storage.models import ChatFlow, Response, SafeguardingReport
from storage.safeguarding import FocalPoint

log = logging.getLogger(__name__)

PREFIX = view.AREA
FLOW_REPLY = "sg_reply"  # a focal point typing a reply to the person who reported
FLOW_ANSWER = "sg_answer"  # the person who reported typing an answer to that reply
HTML = {"parse_mode": ParseMode.HTML}


async def focal_points(svc: Services) -> list[FocalPoint]:
    """The focal points who may read now: named, and still staff or an admin. Someone removed
    from the staff is neither named to partners nor sent reports."""
    async with svc.db.sessions() as session:
        named = await store.focal_points(session)
    return [p for p in named if may_read(svc, p)]


def may_read(svc: Services, point: FocalPoint) -> bool:
    return point.role == "staff" or point.telegram_user_id in svc.settings.admins


async def is_focal_point(svc: Services, person: Person) -> bool:
    """Named, and still staff or admin: a focal point who leaves the staff reads nothing."""
    if person.contact is None or not person.is_staff:
        return False
    async with svc.db.sessions() as session:
        return await store.is_focal_point(session, person.contact.id)


async def _audit_read(svc: Services, point: FocalPoint, action: str, reference: str) -> None:
    """A report shown to a focal point who did not ask for it (a push) is a read too."""
    async with svc.db.transaction() as session:
        await audit.record(
            session,
            at=svc.clock.now(),
            actor_telegram_id=point.telegram_user_id,
            actor_contact_id=point.contact_id,
            action=action,
            subject=reference,
        )


# ---------------------------------------------------------------- nobody to receive it


async def tell_unavailable(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> None:
    """Tell the partner their words could not be received (none were kept), and the admins."""
    await send_text(context, chat_id, view.not_received(lang), lang)
    await notify_admins_once(context)


async def notify_admins_once(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins learn once that partners cannot report, until a focal point is named."""
    svc = services(context)
    async with svc.db.transaction() as session:
        first = await store.claim_no_focal_point_notice(session, svc.clock.now())
    if not first:
        return
    for admin_id in svc.settings.admins:
        async with svc.db.sessions() as session:
            contact = await contacts.by_telegram_id(session, admin_id)
        lang = contact.language if contact is not None else svc.settings.default_language
        try:
            await send_text(context, admin_id, view.admins_no_focal_point(lang), lang)
        except TelegramError as err:
            log.info("could not tell admin %s that no focal point is named: %s", admin_id, err)


# ---------------------------------------------------------------- the partner writes


async def take_report_input(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    response: Response,
    survey: Survey,
    question: Question,
    user_input: UserInput,
) -> None:
    """Words typed or recorded at a confidential question: kept as an unsent draft (in the
    confidential table only, read by nobody), then the partner chooses how to send it."""
    svc = services(context)
    lang = response.language
    chat_id = update.effective_chat.id
    points = await focal_points(svc)
    if not points:
        await tell_unavailable(context, chat_id, lang)
        from bot.handlers import surveys

        await surveys.skip_confidential(context, chat_id, response.id)
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
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        report = await store.add_to_draft(
            session,
            contact_id=person.contact.id,  # type: ignore[union-attr]
            response_id=response.id,
            survey_id=survey.id,
            language=lang,
            text=text,
            voice_file_id=user_input.voice_file_id if user_input.kind == "voice" else None,
            voice_duration=user_input.voice_duration if user_input.kind == "voice" else None,
            now=now,
        )
        report_id = report.id
        await survey_store.update_response(session, response.id, updated_at=now)
    await send_text(
        context,
        chat_id,
        view.confirm_text(points, lang),
        lang,
        keyboard=view.confirm_keyboard(report_id, lang),
    )


async def _partner_button(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    action: str,
    report: SafeguardingReport,
    arg: str | None,
) -> None:
    svc = services(context)
    query = update.callback_query
    lang = person.lang
    _ = translator(lang)
    if action == "an":
        if report.status == "draft":
            await common.expired_button(update, context, lang)
            return
        await query.answer()
        async with svc.db.transaction() as session:
            await flows.put(
                session, person.user_id, FLOW_ANSWER, "text", {"report": report.id}, svc.clock.now()
            )
        await send_text(
            context, update.effective_chat.id, view.answer_prompt(report.reference, lang), lang
        )
        return
    if report.status != "draft":
        await query.answer(_("This report was already sent."))
        return
    if action == "x":
        async with svc.db.transaction() as session:
            draft = await store.get(session, report.id)
            if draft is not None:
                await store.discard(session, draft)
        await common.close_keyboard(query, view.not_sent(lang), lang)
        return
    if arg not in ("n", "a"):
        await common.expired_button(update, context, lang)
        return
    await _submit(update, context, person, report, anonymous=arg == "a")


async def _submit(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    report: SafeguardingReport,
    *,
    anonymous: bool,
) -> None:
    svc = services(context)
    query = update.callback_query
    chat_id = update.effective_chat.id
    lang = report.language
    points = await focal_points(svc)
    if not points:  # every focal point was removed since the partner started writing
        async with svc.db.transaction() as session:
            draft = await store.get(session, report.id)
            if draft is not None:
                await store.discard(session, draft)
        await _edit(query, view.not_sent(lang), lang)
        await tell_unavailable(context, chat_id, lang)
        await _continue_survey(update, context, person, report.response_id, None)
        return
    async with svc.db.transaction() as session:
        row = await store.get(session, report.id)
        sent = row is not None and await store.submit(
            session, row, anonymous=anonymous, now=svc.clock.now()
        )
    if not sent:  # a second press while the first was being sent: already on its way
        await query.answer()
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
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    response_id: int | None,
    mark: str | None,
) -> None:
    """The survey goes on past the confidential question (a wordless row is stored for it),
    if the partner is still on that question; the button press is answered either way."""
    from bot.handlers import surveys

    answered = False
    if response_id is not None:
        answered = await surveys.continue_after_confidential(
            update, context, person, response_id, mark
        )
    if not answered and update.callback_query is not None:
        await update.callback_query.answer()


# ---------------------------------------------------------------- the focal point reads


async def push_report(
    context: ContextTypes.DEFAULT_TYPE, report_id: int, points: list[FocalPoint]
) -> None:
    """A new report to every focal point, each in their own language and time zone."""
    svc = services(context)
    for point in points:
        if point.telegram_user_id is None:
            continue
        try:
            reference = await _show_report(context, report_id, point, point.telegram_user_id)
        except TelegramError as err:
            log.warning("could not push a confidential report to a focal point: %s", err)
            continue
        await _audit_read(svc, point, "safeguarding.delivered", reference)


async def _show_report(
    context: ContextTypes.DEFAULT_TYPE, report_id: int, point: FocalPoint, chat_id: int
) -> str:
    svc = services(context)
    async with svc.db.sessions() as session:
        report = await store.get(session, report_id)
        assert report is not None
        entries = await store.thread(session, report_id)
        sender, organisation = await store.named_sender(session, report)
    survey_title = None
    if report.survey_id:
        entry = svc.surveys.get(report.survey_id)
        if entry is not None:
            survey_title = entry[0].text_for(entry[0].title, point.language)
    text = view.report_text(
        reference=report.reference,
        anonymous=report.anonymous,
        sender=None if report.anonymous else sender,
        organisation=None if report.anonymous else organisation,
        survey_title=survey_title,
        submitted_at=report.submitted_at,
        status=report.status,
        entries=entries,
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
    for item in entries:
        if item.voice_file_id:
            await _send_voice(context, chat_id, item.voice_file_id, point.language)
    return report.reference


async def _send_voice(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, file_id: str, lang: str
) -> None:
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


async def reports_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reports: the open confidential reports, for focal points only."""
    svc = services(context)
    person = await person_of(update, context)
    if not await is_focal_point(svc, person):
        await refuse(update, context, person)
        return
    async with svc.db.sessions() as session:
        reports = await store.open_reports(session)
        handled = await store.count_handled(session)
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
    await send_text(context, update.effective_chat.id, text, person.lang, keyboard=markup)


async def _focal_button(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    action: str,
    report: SafeguardingReport,
) -> None:
    svc = services(context)
    query = update.callback_query
    lang = person.lang
    chat_id = update.effective_chat.id
    if action == "op":
        await query.answer()
        point = await _as_point(svc, person)
        await _show_report(context, report.id, point, chat_id)
        await log_staff_action(svc, person, "safeguarding.open", subject=report.reference)
        return
    if action == "rp":
        await query.answer()
        async with svc.db.transaction() as session:
            await flows.put(
                session, person.user_id, FLOW_REPLY, "text", {"report": report.id}, svc.clock.now()
            )
        await send_text(context, chat_id, view.reply_prompt(report.reference, lang), lang)
        return
    # "hd": mark handled
    async with svc.db.transaction() as session:
        row = await store.get(session, report.id)
        assert row is not None
        changed = await store.mark_handled(session, row, by=person.contact_id, now=svc.clock.now())
        reporter = await store.reporter_of(session, row)
    if not changed:
        await query.answer(view.already_handled(report.reference, lang)[:190])
        return
    await log_staff_action(svc, person, "safeguarding.handled", subject=report.reference)
    await query.answer()
    try:
        await query.edit_message_reply_markup(
            reply_markup=view.focal_keyboard(report.id, "handled", lang)
        )
    except BadRequest as err:
        log.info("could not redraw a report's buttons: %s", err)
    await send_text(context, chat_id, view.handled_done(report.reference, lang), lang)
    if reporter is not None and reporter.telegram_user_id is not None:
        await _to_reporter(
            context,
            reporter.telegram_user_id,
            view.handled_to_partner(report.reference, reporter.language),
            reporter.language,
            report.id,
        )


async def _as_point(svc: Services, person: Person) -> FocalPoint:
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
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str, lang: str, report_id: int
) -> bool:
    try:
        await send_text(
            context, chat_id, text, lang, keyboard=view.answer_keyboard(report_id, lang), **HTML
        )
    except TelegramError as err:
        log.info("could not reach the person who reported: %s", err)
        return False
    return True


# ---------------------------------------------------------------- buttons


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
    pieces = callbacks.parts(update.callback_query.data, PREFIX, minimum=3)
    if pieces is None or not callbacks.is_number(pieces[2]):
        await refuse(update, context, person)
        return
    action, arg = pieces[1], (pieces[3] if len(pieces) > 3 else None)
    async with svc.db.sessions() as session:
        report = await store.get(session, int(pieces[2]))
    if action in ("op", "rp", "hd"):
        if not await is_focal_point(svc, person):
            await refuse(update, context, person)
            return
        if report is None or report.status == "draft":
            await common.expired_button(update, context, person.lang)
            return
        await _focal_button(update, context, person, action, report)
        return
    owner = (
        report is not None and person.contact is not None and report.contact_id == person.contact.id
    )
    if action not in ("s", "x", "an") or not owner:
        await refuse(update, context, person)
        return
    assert report is not None
    await _partner_button(update, context, person, action, report, arg)


# ---------------------------------------------------------------- typed replies, both ways


async def on_reply_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """A focal point's reply: stored with the report, sent to the person by the bot (their
    chat id never shown), with a button to answer."""
    svc = services(context)
    lang = person.lang
    _ = translator(lang)
    chat_id = update.effective_chat.id
    async with svc.db.transaction() as session:
        await flows.clear(session, person.user_id)
    if not await is_focal_point(svc, person):
        await refuse(update, context, person)
        return
    text = (update.effective_message.text or "").strip()
    if not text:
        await send_text(context, chat_id, _("Please type your reply."), lang)
        return
    async with svc.db.transaction() as session:
        report = await store.get(session, int(flow.data.get("report", 0)))
        if report is None or report.status == "draft":
            reporter = None
        else:
            await store.add_message(
                session,
                report,
                author=store.FOCAL_POINT,
                author_contact_id=person.contact_id,
                text=text,
                now=svc.clock.now(),
            )
            reporter = await store.reporter_of(session, report)
        reference = report.reference if report is not None else ""
        report_id = report.id if report is not None else 0
    if report_id == 0:
        await send_text(context, chat_id, _("That report no longer exists."), lang)
        return
    await log_staff_action(svc, person, "safeguarding.reply", subject=reference)
    delivered = False
    if reporter is not None and reporter.telegram_user_id is not None:
        delivered = await _to_reporter(
            context,
            reporter.telegram_user_id,
            view.reply_to_partner(reference, text, reporter.language),
            reporter.language,
            report_id,
        )
    if delivered:
        await send_text(context, chat_id, view.reply_sent(reference, lang), lang)
    else:
        await send_text(
            context,
            chat_id,
            _(
                "Your reply is kept with {reference}, but the person cannot be reached through the bot.",
                reference=reference,
            ),
            lang,
        )


async def on_answer_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    await _take_answer(update, context, person, flow)


async def on_voice(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> bool:
    """A voice message while answering a focal point (text goes through ``on_answer_text``)."""
    message = update.effective_message
    if message is None or message.voice is None:
        return False
    svc = services(context)
    async with svc.db.sessions() as session:
        flow = await flows.get(session, person.user_id)
    if flow is None or flow.flow not in (FLOW_ANSWER, FLOW_REPLY):
        return False
    if flow.flow == FLOW_REPLY:
        _ = translator(person.lang)
        await send_text(
            context, update.effective_chat.id, _("Please type your reply."), person.lang
        )
        return True
    await _take_answer(update, context, person, flow)
    return True


async def _take_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """The person who reported answers a reply: stored, and pushed to every focal point."""
    svc = services(context)
    lang = person.lang
    _ = translator(lang)
    chat_id = update.effective_chat.id
    message = update.effective_message
    async with svc.db.transaction() as session:
        await flows.clear(session, person.user_id)
        report = await store.get(session, int(flow.data.get("report", 0)))
        owner = (
            report is not None
            and person.contact is not None
            and report.contact_id == person.contact.id
            and report.status != "draft"
        )
        if owner:
            assert report is not None
            voice = message.voice
            await store.add_message(
                session,
                report,
                author=store.REPORTER,
                author_contact_id=person.contact_id,
                text=(message.text or "").strip() or None,
                voice_file_id=voice.file_id if voice is not None else None,
                voice_duration=_seconds(voice) if voice is not None else None,
                now=svc.clock.now(),
            )
            entries = await store.thread(session, report.id)
    if not owner or report is None:
        await send_text(context, chat_id, _("That report no longer exists."), lang)
        return
    points = await focal_points(svc)
    latest = entries[-1]
    for point in points:
        if point.telegram_user_id is None:
            continue
        try:
            await send_text(
                context,
                point.telegram_user_id,
                view.new_message_text(report.reference, latest, point.language),
                point.language,
                keyboard=view.focal_keyboard(report.id, report.status, point.language),
                **HTML,
            )
            if latest.voice_file_id:
                await _send_voice(
                    context, point.telegram_user_id, latest.voice_file_id, point.language
                )
        except TelegramError as err:
            log.warning("could not push an answer to a focal point: %s", err)
            continue
        await _audit_read(svc, point, "safeguarding.delivered", report.reference)
    await send_text(context, chat_id, view.answer_sent(report.reference, lang), lang)


def _seconds(voice: Any) -> int:
    """PTB 22 warns that durations will become timedelta; accept either, without the noise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        duration = voice.duration
    if hasattr(duration, "total_seconds"):
        return int(duration.total_seconds())
    return int(duration or 0)
