"""Reporting back to partners (/share), the staff side.

/share → a closed campaign or J-PAT round → an optional "what we will do" note → a preview of
exactly what partners will get → send. A campaign whose figures are below the privacy
threshold cannot be shared. "Replies from partners" shows reactions and comments. The
partners' side (reacting, commenting) is ``bot.reports.share_replies``; the push they receive
is ``bot.reports.push``.
"""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update

from bot import callbacks
from bot.access import Person, log_staff_action, requires
from bot.context import BotContext
from bot.handlers import common, pickers, wizard
from bot.handlers.wizard import put_step
from bot.i18n import translator
from bot.keyboards import button, column, grid
from bot.replies import send_text
from bot.reports import pending, share_service, share_view
from bot.reports.chart import bar_panels
from bot.reports.share_service import flow_data, tag
from bot.reports.summary_view import View
from bot.reports.wording import survey_title
from storage.models import ChatFlow, JpatRound

FLOW = "share"
PREFIX = share_view.PREFIX


@requires("staff")
async def share_command(update: Update, context: BotContext, person: Person) -> None:
    svc = context.svc
    closed, rounds = await share_service.start(svc, person, FLOW)
    zone = person.zone(svc.settings.default_timezone)
    text, keyboard = share_view.choices(svc, closed, rounds, person.lang, zone)
    await context.reply(text, keyboard=keyboard)


async def on_button(update: Update, context: BotContext) -> None:
    press = await wizard.staff_press(update, context, PREFIX, FLOW)
    if press is None:
        return
    svc, person, query, flow, _ = press.svc, press.person, press.query, press.flow, press._
    action, arg, chat_id = press.action, press.arg, press.chat_id
    if action == "replies" and flow.step == "campaign":
        await common.close_keyboard(query, _("Replies from partners"), person.lang)
        await share_service.clear(svc, person)
        await _replies(context, chat_id, person)
        return
    if action in ("c", "j") and flow.step == "campaign" and arg and callbacks.is_number(arg):
        key = "round" if action == "j" else "campaign"
        await _chosen(update, context, person, {key: int(arg)})
        return
    if action == "skip" and flow.step == "note" and arg == tag(flow.data):
        await common.close_keyboard(query, _("No note."), person.lang)
        await _preview(context, chat_id, person, {**flow.data, "note": None})
        return
    if action == "go" and flow.step == "confirm" and arg == tag(flow.data):
        await common.close_keyboard(query, _("Sending…"), person.lang)
        await _send(context, chat_id, person, flow.data)
        return
    await common.expired_button(update, context, person.lang)


async def _chosen(update: Update, context: BotContext, person: Person, data: dict) -> None:
    svc = context.svc
    _ = translator(person.lang)
    source = await share_service.load_source(svc, data)
    if source is None:
        await common.expired_button(update, context, person.lang)
        return
    if isinstance(source, JpatRound):
        chosen = _("J-PAT round {n}", n=source.number)
    else:
        chosen = _(
            "Campaign #{id} {title}",
            id=source.id,
            title=survey_title(svc, source.survey_id, person.lang),
        )
    await common.close_keyboard(update.callback_query, chosen, person.lang)
    figures = await share_service.figures(svc, source, person)
    await log_staff_action(
        svc,
        person,
        "reportback.figures",
        subject=share_service.subject(source),
        details={"suppressed": figures.suppressed if figures else "no survey"},
    )
    if figures is None or figures.suppressed:
        await share_service.clear(svc, person)
        reason = (
            View(
                svc.surveys.get(share_service.survey_id(source))[0], person.lang
            ).suppressed_reason(
                figures  # type: ignore[arg-type]
            )
            if figures
            else ""
        )
        cannot = (
            _("This J-PAT round cannot be reported back.")
            if isinstance(source, JpatRound)
            else _("This campaign cannot be reported back to partners.")
        )
        await context.reply(_.paragraphs(cannot, reason))
        return
    await put_step(svc, person.user_id, FLOW, "note", flow_data(source))
    await context.reply(
        _(
            "Would you like to add a short note on what the team will do with what partners said? Type it now, in one language: partners will see which language it is written in. Or press Skip."
        ),
        keyboard=column(
            [button(_("Skip"), callbacks.data(PREFIX, "skip", tag(flow_data(source))))]
        ),
    )


async def on_staff_text(
    update: Update, context: BotContext, person: Person, flow: ChatFlow
) -> None:
    """The typed "what we will do" note."""
    if not person.is_staff or flow.step != "note":
        await pickers.pass_on(update, context, person)
        return
    note = (update.effective_message.text or "").strip()
    refusal = common.free_text_refusal(note, person.lang)  # refused whole, never cut
    if refusal is not None:
        await context.reply(refusal)
        return
    await _preview(context, update.effective_chat.id, person, {**flow.data, "note": note or None})


async def _preview(context: BotContext, chat_id: int, person: Person, data: dict) -> None:
    svc = context.svc
    _ = translator(person.lang)
    source = await share_service.load_source(svc, data)
    if source is None:
        await share_service.clear(svc, person)
        return
    asked = await share_service.count_asked(svc, source)
    figures = await share_service.figures(svc, source, person)
    survey = await svc.surveys.for_version(svc.db, source.survey_version_id)
    if figures is None or survey is None or figures.suppressed:
        await share_service.clear(svc, person)
        return
    await put_step(svc, person.user_id, FLOW, "confirm", data)
    view = View(survey, person.lang)
    await send_text(
        context,
        chat_id,
        _("Preview: this is what each partner will receive, in their own language."),
        person.lang,
    )
    panels = view.panels(figures, partner=True)
    if panels:
        png = await asyncio.to_thread(
            bar_panels, _("What we heard: {title}", title=view.title), "", panels, person.lang
        )
        await context.bot.send_photo(chat_id, InputFile(png, filename="what-we-heard.png"))

    await send_text(
        context,
        chat_id,
        view.partner_text(figures, data.get("note"), person.lang),
        person.lang,
    )
    keyboard = grid(
        [
            button(_("Send to partners"), callbacks.data(PREFIX, "go", tag(data))),
            button(_("Cancel"), callbacks.data(PREFIX, "cancel")),
        ]
    )
    await send_text(
        context,
        chat_id,
        share_view.ask_send(isinstance(source, JpatRound), asked, _),
        person.lang,
        keyboard=keyboard,
    )


async def _send(context: BotContext, chat_id: int, person: Person, data: dict) -> None:
    svc = context.svc
    _ = translator(person.lang)
    source = await share_service.load_source(svc, data)
    figures = await share_service.figures(svc, source, person) if source else None
    if source is None or figures is None or figures.suppressed:
        await share_service.clear(svc, person)
        return
    report_id, recipients = await share_service.send(svc, person, source, figures, data.get("note"))
    await log_staff_action(
        svc,
        person,
        "reportback.send",
        subject=share_service.subject(source),
        details={
            "report_back": report_id,
            "recipients": recipients,
            "note": bool(data.get("note")),
        },
    )
    await send_text(
        context,
        chat_id,
        share_view.sent(isinstance(source, JpatRound), report_id, recipients, _),
        person.lang,
    )
    pending.send_soon(context)


async def _replies(context: BotContext, chat_id: int, person: Person) -> None:
    svc = context.svc
    _ = translator(person.lang)
    found = await share_service.replies(svc)
    await log_staff_action(svc, person, "reportback.replies")
    zone = person.zone(svc.settings.default_timezone)
    await common.send_listing(
        context,
        chat_id,
        person.lang,
        found,
        _("No report-back has been sent yet."),
        lambda shown: (share_view.replies(svc, list(shown), person.lang, zone), None),
    )
