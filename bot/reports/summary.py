"""/summary: survey (or J-PAT) → period → audience → figures in the staff member's language and
a chart. "Trend by quarter" gives the same survey across the last quarters as a line chart.

All figures come from ``storage.summaries`` (SQL aggregation, privacy rules applied there);
this handler only walks the staff member through the choices; ``bot.reports.summary_send``
renders the result.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot import periods
from bot.access import Person, requires
from bot.context import BotContext
from bot.handlers import common, pickers, wizard
from bot.i18n import translator
from bot.replies import send_text
from bot.reports import summary_send
from bot.services import Services
from storage import flows
from storage.models import ChatFlow
from storage.scopes import Scope

FLOW = "summary"
PREFIX = "sum"


@requires("staff")
async def summary_command(update: Update, context: BotContext, person: Person) -> None:
    _ = translator(person.lang)
    await pickers.ask_survey(
        update,
        context,
        person,
        FLOW,
        _("Which survey do you want to summarise?"),
        prefix=PREFIX,
    )


def _example_dates(svc: Services, person: Person) -> dict[str, str]:
    """Last quarter's first and last day, typed the reader's way (28/02/2026, 2/28/2026)."""
    first, last = periods.example_dates(person.lang, svc.clock.now(), pickers.window_zone(svc))
    return {"first": first, "last": last}


async def on_button(update: Update, context: BotContext) -> None:
    press = await wizard.staff_press(update, context, PREFIX, FLOW)
    if press is None:
        return
    svc, person, query, flow, _ = press.svc, press.person, press.query, press.flow, press._
    action, arg, chat_id, goto = press.action, press.arg, press.chat_id, press.goto
    choices = ("this", "last", "custom") if arg == "jpat" else ("this", "last", "custom", "trend")
    if await pickers.survey_chosen(
        context,
        press,
        "period",
        "survey",
        _("Which period?"),
        pickers.periods_keyboard(PREFIX, _, choices),
    ):
        return
    if action == "per" and flow.step == "period" and arg in ("this", "last", "custom", "trend"):
        names = {
            "this": _("This quarter"),
            "last": _("Last quarter"),
            "custom": _("Choose dates"),
            "trend": _("Trend by quarter"),
        }
        await common.close_keyboard(query, names[arg], person.lang)
        data = {**flow.data, "period": arg}
        if arg == "custom":
            await goto("dates", data)
            await send_text(
                context,
                chat_id,
                _(
                    "Type the first and the last day of the period, for example: {first} {last}. Figures always cover whole quarters, so the period is widened to the quarters these days fall in.",
                    **_example_dates(svc, person),
                ),
                person.lang,
            )
            return
        await _ask_audience(context, chat_id, person, data, goto)
        return
    handled, data = await pickers.audience_press(update, context, press, PREFIX)
    if data is not None:
        await _finish(context, chat_id, person, data)
    if handled:
        return
    await common.expired_button(update, context, person.lang)


async def _ask_audience(context, chat_id: int, person: Person, data: dict, goto) -> None:  # type: ignore[no-untyped-def]
    _ = translator(person.lang)
    await goto("audience", data)
    await send_text(
        context,
        chat_id,
        _("Whose answers?"),
        person.lang,
        keyboard=pickers.audience_keyboard(PREFIX, _),
    )


async def on_text(update: Update, context: BotContext, person: Person, flow: ChatFlow) -> None:
    """Typed dates for a custom period."""
    svc = context.svc
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    if not person.is_staff or flow.step != "dates":
        await pickers.pass_on(update, context, person, hint=person.is_staff)
        return
    period = periods.parse_dates(
        update.effective_message.text or "",
        pickers.window_zone(svc),
        person.lang,
        periods.day_in(svc.clock.now(), person.zone(svc.settings.default_timezone)),
    )
    if period is None or period.start is None or period.end is None:
        await context.reply(
            _(
                "I could not read two dates. Please type them like this: {first} {last}",
                **_example_dates(svc, person),
            )
        )
        return
    data = {**flow.data, "start": period.start.isoformat(), "end": period.end.isoformat()}

    async def goto(step: str, new: dict[str, Any]) -> None:
        async with svc.db.transaction() as session:
            await flows.put(session, person.user_id, FLOW, step, new, svc.clock.now())

    await _ask_audience(context, chat_id, person, data, goto)


async def _finish(context: BotContext, chat_id: int, person: Person, data: dict) -> None:
    svc = context.svc
    async with svc.db.transaction() as session:
        await flows.clear(session, person.user_id)
    entry = svc.surveys.get(data["survey"])
    if entry is None:
        return
    survey = entry[0]
    zone = pickers.window_zone(svc)
    if data.get("period") == "trend":
        await summary_send.send_trend(context, chat_id, person, survey, data, zone)
        return
    period = pickers.period_of(data["period"], svc.clock.now(), zone, data)
    scope = Scope(survey.id, period, data.get("kind", "all"), data.get("value"))
    await summary_send.send_summary(context, chat_id, person, survey, scope, data, zone)
