"""Partners' replies to a report-back: the push carries buttons to react (one reaction per
person, the latest counts) or to write a comment; a comment also reaches the staff member who
sent the report-back."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError

from bot import callbacks
from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
from bot.i18n import translator
from bot.replies import send_text
from bot.reports import share_service, share_view
from bot.reports.wording import survey_title
from storage import flows, reportbacks
from storage.models import ChatFlow

PREFIX = "rb"
COMMENT_FLOW = "rb_comment"


async def on_partner_button(update: Update, context: BotContext) -> None:
    """``rb:r:<id>:up|down`` reacts; ``rb:c:<id>`` asks for a comment."""
    svc = context.svc
    person = await context.who()
    query = update.callback_query
    pieces = callbacks.parts(query.data, "rb", minimum=3)
    _ = translator(person.lang)
    if pieces is None or not callbacks.is_number(pieces[2]) or person.contact_id is None:
        await common.expired_button(update, context, person.lang)
        return
    report_id = int(pieces[2])
    async with svc.db.sessions() as session:
        allowed = await reportbacks.was_sent_to(session, report_id, person.contact_id)
    if not allowed:
        await common.expired_button(update, context, person.lang)
        return
    if pieces[1] == "r" and len(pieces) == 4 and pieces[3] in reportbacks.REACTIONS:
        async with svc.db.transaction() as session:
            await reportbacks.react(
                session, report_id, person.contact_id, pieces[3], svc.clock.now()
            )
        await query.answer(_("Thank you! The team will see your reaction."))
        return
    if pieces[1] == "c" and len(pieces) == 3:
        await query.answer()
        async with svc.db.transaction() as session:
            await flows.put(
                session,
                person.user_id,
                COMMENT_FLOW,
                "text",
                {"report_back": report_id},
                svc.clock.now(),
            )
        await context.reply(
            _("Please type your comment. It goes to the NGO team. Send /cancel to leave it.")
        )
        return
    await common.expired_button(update, context, person.lang)


async def on_partner_text(
    update: Update, context: BotContext, person: Person, flow: ChatFlow
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    text = (update.effective_message.text or "").strip()
    report_id = int(flow.data.get("report_back", 0))
    if not text or person.contact_id is None:
        await context.reply(_("Please type your comment."))
        return
    refusal = common.free_text_refusal(text, person.lang)
    if refusal is not None:
        await context.reply(refusal)
        return
    report, author, organisation = await share_service.comment(svc, person, report_id, text)
    await context.reply(_("Thank you! Your comment was passed on to the team."))
    if (
        report is None
        or author is None
        or author.telegram_user_id is None
        or author.role != "staff"
    ):
        return
    with contextlib.suppress(TelegramError):  # staff who blocked the bot still see it in /share
        await send_text(
            context,
            int(author.telegram_user_id),
            share_view.comment_for_staff(
                author.language,
                organisation,
                report.id,
                survey_title(svc, report.survey_id, author.language),
                text[:1000],
            ),
            author.language,
        )
