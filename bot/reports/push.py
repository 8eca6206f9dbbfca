"""The report-back push a partner receives: a chart, what was heard, the team's note, and
buttons to react or comment — in the partner's own language.

It is a ``deliveries`` row of kind ``reportback`` sent by ``bot.dispatch`` like every other push
(claimed once, held back in quiet hours, paced, 403 handled). The dispatcher sends text; this
composer sends the chart image first, itself, because a photo caption is too short for the
figures. The figures come from the report-back's frozen copy, so every partner reads the same
numbers whenever the push reaches them.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile
from telegram.error import TelegramError

from bot import callbacks
from bot.i18n import bidi, translator
from bot.keyboards import button, grid
from bot.reports.chart import bar_panels
from bot.reports.summary_view import View
from bot.services import Services
from storage import reportbacks
from storage.models import Contact, Delivery
from storage.summary_figures import from_json

log = logging.getLogger(__name__)
BOT_KEY = "bot"  # Services.extras: the application's bot, set when handlers are registered
PHOTOS_KEY = "reportback_photos"  # (report-back id, language) -> Telegram file id, reused


def reactions_keyboard(report_back_id: int, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return grid(
        [
            button(_("👍 This matches"), callbacks.data("rb", "r", report_back_id, "up")),
            button(_("👎 Something is missing"), callbacks.data("rb", "r", report_back_id, "down")),
            button(_("💬 Write a comment"), callbacks.data("rb", "c", report_back_id)),
        ],
        2,
    )


async def compose(
    svc: Services, delivery: Delivery, lang: str, zone: str
) -> tuple[str, InlineKeyboardMarkup | None, str | None]:
    report_id = reportbacks.report_back_id_of(delivery.dedupe_key)
    async with svc.db.sessions() as session:
        report = await reportbacks.get(session, report_id) if report_id else None
        contact = await session.get(Contact, delivery.contact_id)
    survey = await svc.surveys.for_version(svc.db, report.survey_version_id) if report else None
    if report is None or survey is None or contact is None:
        return translator(lang)("Thank you for your answers."), None, None
    summary = from_json(report.figures)
    view = View(survey, lang)
    panels = view.panels(summary, partner=True)
    if panels and contact.telegram_user_id is not None:
        await _send_chart(svc, report.id, int(contact.telegram_user_id), view, panels, lang)
    text = view.partner_text(summary, report.note, report.note_language)
    return text, reactions_keyboard(report.id, lang), None


async def _send_chart(
    svc: Services, report_id: int, chat_id: int, view: View, panels: list[Any], lang: str
) -> None:
    """Upload the chart once per language, then reuse Telegram's file id."""
    bot = svc.extras.get(BOT_KEY)
    if bot is None:
        return
    cache: dict[tuple[int, str], Any] = svc.extras.setdefault(PHOTOS_KEY, {})
    photo = cache.get((report_id, lang))
    _ = translator(lang)
    if photo is None:
        png = await asyncio.to_thread(
            bar_panels, _("What we heard: {title}", title=view.title), "", panels, lang
        )
        photo = InputFile(png, filename="what-we-heard.png")
    try:
        message = await bot.send_photo(
            chat_id,
            photo,
            caption=bidi(_("What we heard: {title}", title=view.title), lang),
            rate_limit_args={"priority": "bulk"},
        )
    except TelegramError as err:  # the text still goes out; a 403 is handled by the dispatcher
        log.warning("report-back chart not sent to %s: %s", chat_id, err)
        return
    if message.photo:
        cache[(report_id, lang)] = message.photo[-1].file_id
