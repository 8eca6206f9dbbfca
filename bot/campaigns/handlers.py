"""Staff send a survey to partners (/send: survey → audience → due date → confirm) and follow
the response figures (/campaigns)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from babel.dates import format_date
from telegram import Update

from bot import callbacks
from bot.access import Person, log_staff_action, requires
from bot.context import BotContext
from bot.handlers import common, pickers, wizard
from bot.i18n import translator
from bot.keyboards import button, grid
from bot.periods import day_in
from bot.replies import send_text
from bot.services import Services
from storage import campaigns, flows
from storage.campaigns import CampaignFigures

log = logging.getLogger(__name__)
FLOW = "send"
PREFIX = "snd"
DUE_DAYS = (7, 14, 30)


@requires("staff")
async def send_command(update: Update, context: BotContext, person: Person) -> None:
    _ = translator(person.lang)
    await pickers.ask_survey(
        update,
        context,
        person,
        FLOW,
        _("Which survey do you want to send?"),
        prefix=PREFIX,
        jpat=False,
    )


async def on_button(update: Update, context: BotContext) -> None:
    press = await wizard.staff_press(update, context, PREFIX, FLOW)
    if press is None:
        return
    person, query, flow, _ = press.person, press.query, press.flow, press._
    action, arg, chat_id, goto = press.action, press.arg, press.chat_id, press.goto
    if await pickers.survey_chosen(
        context,
        press,
        "audience",
        "survey_id",
        _("Who should receive it?"),
        pickers.audience_keyboard(PREFIX, _),
    ):
        return
    handled, data = await pickers.audience_press(update, context, press, PREFIX)
    if data is not None:
        await goto("due", data)
        await _ask_due(context, chat_id, person.lang)
    if handled:
        return
    if (
        action == "due"
        and flow.step == "due"
        and arg
        and callbacks.is_number(arg)
        and int(arg) in DUE_DAYS
    ):
        days = int(arg)
        await common.close_keyboard(
            query, _.ngettext("Due in {n} day", "Due in {n} days", days), person.lang
        )
        data = {**flow.data, "days": days}
        await goto("confirm", data)
        await _confirm(context, chat_id, person, data)
        return
    if action == "go" and flow.step == "confirm":
        await common.close_keyboard(query, _("Sending…"), person.lang)
        await _launch(context, chat_id, person, flow.data)
        return
    await common.expired_button(update, context, person.lang)


async def _ask_due(context: BotContext, chat_id: int, lang: str) -> None:
    _ = translator(lang)
    buttons = [
        button(_.ngettext("In {n} day", "In {n} days", d), callbacks.data(PREFIX, "due", d))
        for d in DUE_DAYS
    ]
    buttons.append(pickers.cancel_button(PREFIX, _))
    await send_text(
        context, chat_id, _("By when should partners answer?"), lang, keyboard=grid(buttons, 3)
    )


async def _confirm(context: BotContext, chat_id: int, person: Person, data: dict) -> None:
    svc = context.svc
    _ = translator(person.lang)
    survey, _v = svc.surveys.get(data["survey_id"])
    async with svc.db.sessions() as session:
        counts = await campaigns.count_audience(session, data["kind"], data.get("value"))
    due = svc.clock.now() + timedelta(days=int(data["days"]))
    lines = [
        _("Survey: {title}", title=survey.text_for(survey.title, person.lang)),
        _.ngettext("Recipients: {n} partner", "Recipients: {n} partners", counts.reachable),
    ]
    if counts.stopped or counts.blocked:
        lines.append(
            _(
                "Skipped: {stopped} who stopped reminders, {blocked} who blocked the bot.",
                stopped=counts.stopped,
                blocked=counts.blocked,
            )
        )
    lines.append(_("Answers due by {date}.", date=format_date(due, "long", locale=_.locale)))
    lines.append(
        _(
            "Partners who have not answered get at most 2 reminders, 3 days apart, never during their quiet hours."
        )
    )
    keyboard = grid(
        [
            button(_("Send now"), callbacks.data(PREFIX, "go")),
            pickers.cancel_button(PREFIX, _),
        ]
    )
    await send_text(context, chat_id, "\n".join(lines), person.lang, keyboard=keyboard)


async def _launch(context: BotContext, chat_id: int, person: Person, data: dict) -> None:
    svc = context.svc
    _ = translator(person.lang)
    survey, version_id = svc.surveys.get(data["survey_id"])
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        launched = await campaigns.launch(
            session,
            survey_id=survey.id,
            survey_version_id=version_id,
            audience_kind=data["kind"],
            audience_value=data.get("value"),
            due_at=now + timedelta(days=int(data["days"])),
            created_by=person.contact_id,
            now=now,
        )
        await flows.clear(session, person.user_id)
    await log_staff_action(
        svc,
        person,
        "campaign.send",
        subject=f"campaign:{launched.campaign.id}",
        details={
            "survey": survey.id,
            "audience": data["kind"],
            "value": data.get("value"),
            "invited": launched.invited,
        },
    )
    await send_text(
        context,
        chat_id,
        _.ngettext(
            "Campaign #{id} started: the invitation is going out to {n} partner now. Follow it with /campaigns.",
            "Campaign #{id} started: invitations are going out to {n} partners now. Follow it with /campaigns.",
            launched.invited,
            id=launched.campaign.id,
        ),
        person.lang,
    )
    from bot.wakeups import tick_soon

    tick_soon(context.application)


@requires("staff")
async def campaigns_command(update: Update, context: BotContext, person: Person) -> None:
    svc = context.svc
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        rows = await campaigns.figures(session, limit=10)
    await log_staff_action(svc, person, "campaign.list")
    empty = _("No campaign yet. Send a survey with /send.")
    await common.send_listing(
        context,
        update.effective_chat.id,
        person.lang,
        rows,
        empty,
        lambda shown: (_campaign_lines(svc, shown, person), None),
    )


def _campaign_lines(svc: Services, rows: Sequence[CampaignFigures], person: Person) -> str:
    """/campaigns: each campaign with how far its answers have come."""
    _ = translator(person.lang)
    lines = [_("Campaigns (newest first):")]
    for row in rows:
        entry = svc.surveys.get(row.campaign.survey_id)
        title = entry[0].text_for(entry[0].title, person.lang) if entry else row.campaign.survey_id
        status = _("open") if row.campaign.status == "open" else _("closed")
        lines.append(
            _(
                "#{id} {title} ({status}, due {date}): sent {sent} of {recipients}, started {started}, completed {completed}, response rate {rate}",
                id=row.campaign.id,
                title=title,
                status=status,
                date=format_date(
                    day_in(row.campaign.due_at, person.zone(svc.settings.default_timezone)),
                    "medium",
                    locale=_.locale,
                ),
                sent=row.sent,
                recipients=row.recipients,
                started=row.started,
                completed=row.completed,
                rate=f"{round(row.response_rate * 100)}%",
            )
        )
    return "\n\n".join(lines)
