"""/summary: survey (or J-PAT) → period → audience → figures in the staff member's language and
a chart. "Trend by quarter" gives the same survey across the last quarters as a line chart.

All figures come from ``storage.summaries`` (SQL aggregation, privacy rules applied there);
this handler only walks the staff member through the choices and renders the result.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import InputFile, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import callbacks, periods
from bot.access import Person, log_staff_action, requires
from bot.charts import line_chart, line_panels
from bot.handlers import common, pickers, wizard
from bot.i18n import bidi, translator
from bot.replies import send_text
from bot.services import Services, services
from bot.summary_charts import Series, bar_panels
from bot.summary_view import View, specs
from conversations import Survey
from storage import flows, organisations, releases, summaries
from storage.disclosure import Release
from storage.models import ChatFlow
from storage.summaries import Period, Scope, Summary

log = logging.getLogger(__name__)
FLOW = "summary"
PREFIX = "sum"
MAX_TREND_LINES = 6
MAX_NUMBER_PANELS = 4  # one panel each: a taller picture, still readable on a phone


@requires("staff")
async def summary_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        await flows.put(session, person.user_id, FLOW, "survey", {}, svc.clock.now())
    await send_text(
        context,
        update.effective_chat.id,
        _("Which survey do you want to summarise?"),
        person.lang,
        keyboard=pickers.surveys_keyboard(svc, PREFIX, person.lang, _),
    )


def _release(kind: str, person: Person, scope: Scope) -> Release:
    audience = scope.audience if scope.value is None else f"{scope.audience}:{scope.value}"
    return Release(
        kind=kind,
        window=pickers.window_name(scope.period, scope.campaign_id, scope.jpat_round_id),
        audience=audience if scope.side is None else f"{audience}:{scope.side}",
        contact_id=person.contact.id if person.contact is not None else None,
    )


def _example_dates(svc: Services, person: Person) -> dict[str, str]:
    """Last quarter's first and last day, typed the reader's way (28/02/2026, 2/28/2026)."""
    first, last = periods.example_dates(person.lang, svc.clock.now(), pickers.window_zone(svc))
    return {"first": first, "last": last}


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    press = await wizard.staff_press(update, context, PREFIX, FLOW)
    if press is None:
        return
    svc, person, query, flow, _ = press.svc, press.person, press.query, press.flow, press._
    action, arg, chat_id, goto = press.action, press.arg, press.chat_id, press.goto
    if action == "sv" and flow.step == "survey" and arg and svc.surveys.get(arg):
        survey, _v = svc.surveys.get(arg)
        await common.close_keyboard(
            query,
            _("Survey: {title}", title=survey.text_for(survey.title, person.lang)),
            person.lang,
        )
        await goto("period", {"survey": arg})
        choices = (
            ("this", "last", "custom") if arg == "jpat" else ("this", "last", "custom", "trend")
        )
        await send_text(
            context,
            chat_id,
            _("Which period?"),
            person.lang,
            keyboard=pickers.periods_keyboard(PREFIX, _, choices),
        )
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
    if action == "aud" and flow.step == "audience" and arg in ("all", "org", "tag"):
        if arg == "all":
            await common.close_keyboard(query, _("All partners"), person.lang)
            await _finish(context, chat_id, person, {**flow.data, "kind": "all"})
            return
        if arg == "org":
            await common.close_keyboard(query, _("One organisation"), person.lang)
            await goto("organisation", flow.data)
            await send_text(
                context,
                chat_id,
                _("Which organisation?"),
                person.lang,
                keyboard=await pickers.organisations_keyboard(svc, PREFIX, _),
            )
            return
        await common.close_keyboard(query, _("Organisations with a tag"), person.lang)
        found = await pickers.tags(svc)
        await goto("tag", {**flow.data, "tags": found})
        await send_text(
            context,
            chat_id,
            _("Which tag?") if found else _("No organisation has a tag yet."),
            person.lang,
            keyboard=pickers.tags_keyboard(PREFIX, found, _),
        )
        return
    if action == "org" and flow.step == "organisation" and arg and callbacks.is_number(arg):
        async with svc.db.sessions() as session:
            org = await organisations.get(session, int(arg))
        if org is None:
            await common.expired_button(update, context, person.lang)
            return
        await common.close_keyboard(query, _("Organisation: {name}", name=org.name), person.lang)
        data = {**flow.data, "kind": "organisation", "value": str(org.id), "label": org.name}
        await _finish(context, chat_id, person, data)
        return
    found = flow.data.get("tags", [])
    if (
        action == "tag"
        and flow.step == "tag"
        and arg
        and callbacks.is_number(arg)
        and int(arg) < len(found)
    ):
        tag = found[int(arg)]
        await common.close_keyboard(query, _("Tag: {tag}", tag=tag), person.lang)
        await _finish(context, chat_id, person, {**flow.data, "kind": "tag", "value": tag})
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


async def on_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """Typed dates for a custom period."""
    svc = services(context)
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
        await send_text(
            context,
            chat_id,
            _(
                "I could not read two dates. Please type them like this: {first} {last}",
                **_example_dates(svc, person),
            ),
            person.lang,
        )
        return
    data = {**flow.data, "start": period.start.isoformat(), "end": period.end.isoformat()}

    async def goto(step: str, new: dict[str, Any]) -> None:
        async with svc.db.transaction() as session:
            await flows.put(session, person.user_id, FLOW, step, new, svc.clock.now())

    await _ask_audience(context, chat_id, person, data, goto)


def _audience_text(data: dict, _) -> str:  # type: ignore[no-untyped-def]
    kind = data.get("kind", "all")
    if kind == "organisation":
        return _("Organisation: {name}", name=data.get("label") or data.get("value"))
    if kind == "tag":
        return _("Tag: {tag}", tag=data.get("value"))
    return _("All partners")


async def _finish(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, data: dict
) -> None:
    svc = services(context)
    async with svc.db.transaction() as session:
        await flows.clear(session, person.user_id)
    entry = svc.surveys.get(data["survey"])
    if entry is None:
        return
    survey = entry[0]
    zone = pickers.window_zone(svc)
    if data.get("period") == "trend":
        await _trend(context, chat_id, person, survey, data, zone)
        return
    period = pickers.period_of(data["period"], svc.clock.now(), zone, data)
    scope = Scope(survey.id, period, data.get("kind", "all"), data.get("value"))
    await send_summary(context, chat_id, person, survey, scope, data, zone)


async def send_summary(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    survey: Survey,
    scope: Scope,
    data: dict,
    zone: str,
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    view = View(survey, person.lang)
    threshold = svc.settings.privacy_threshold
    questions = specs(survey)
    subtitle = " · ".join(
        [pickers.period_text(data["period"], scope.period, zone, _), _audience_text(data, _)]
    )
    heading = f"📊 {view.title}\n{subtitle}"
    if scope.audience != "all":
        heading += "\n" + view.breakdown_note()
    async with releases.releasing(svc.db) as session:
        if survey.id == "jpat":
            sides = [
                await summaries.summarise(
                    session,
                    _with(scope, side=side),
                    questions,
                    threshold=threshold,
                    release=_release("summary", person, _with(scope, side=side)),
                )
                for side in ("partner", "ngo")
            ]
        else:
            sides = [
                await summaries.summarise(
                    session,
                    scope,
                    questions,
                    threshold=threshold,
                    release=_release("summary", person, scope),
                )
            ]
    if survey.id == "jpat":
        text = view.jpat_text(heading, sides[0], sides[1])
        panels = view.jpat_panel(sides[0], sides[1])
    else:
        text = view.staff_text(sides[0], heading)
        panels = view.panels(sides[0])
    await log_staff_action(
        svc,
        person,
        "summary.read",
        subject=f"survey:{survey.id}",
        details=_details(scope, sides),
    )
    await send_text(context, chat_id, text, person.lang)
    if panels:
        keep = (
            [str(data.get("label") or data.get("value"))]
            if scope.audience == "organisation"
            else []
        )
        png = await asyncio.to_thread(
            bar_panels, view.title, subtitle, panels, person.lang, keep=keep
        )
        await send_chart(context, chat_id, png, f"{survey.id}-summary.png", view.title, person.lang)


def _with(scope: Scope, **changes: Any) -> Scope:
    return Scope(**{**summaries.asdict_shallow(scope), **changes})


def _details(scope: Scope, sides: list[Summary]) -> dict[str, Any]:
    return {
        "start": scope.period.start.isoformat() if scope.period.start else None,
        "end": scope.period.end.isoformat() if scope.period.end else None,
        "audience": scope.audience,
        "value": scope.value,
        "respondents": [s.respondents for s in sides],
        "suppressed": [s.suppressed for s in sides],
        "held": [sorted(q.key for q in s.questions if q.reason) for s in sides],
    }


async def send_chart(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    png: bytes,
    filename: str,
    caption: str,
    lang: str,
) -> None:
    try:
        await context.bot.send_photo(
            chat_id, InputFile(png, filename=filename), caption=bidi(caption[:1000], lang)
        )
    except TelegramError as err:  # the figures were sent already; a chart is a bonus
        log.warning("chart not sent to %s: %s", chat_id, err)


def _has_values(series: list[Series]) -> bool:
    """A chart only where it would draw at least one point."""
    return any(v is not None for one in series for v in one.values)


async def _trend(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    survey: Survey,
    data: dict,
    zone: str,
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    view = View(survey, person.lang)
    quarters = periods.quarters(svc.clock.now(), zone, pickers.TREND_QUARTERS)
    labels = [periods.quarter_label(q, zone, _.locale) for q in quarters]
    keys = [s.key for s in specs(survey) if s.kind in ("scale", "number")]
    scales = [s.key for s in specs(survey) if s.kind == "scale"]
    scope = Scope(survey.id, Period(), data.get("kind", "all"), data.get("value"))
    threshold = svc.settings.privacy_threshold
    async with releases.releasing(svc.db) as session:
        points = await summaries.trend(
            session,
            scope,
            quarters,
            keys,
            threshold=threshold,
            release=_release("trend", person, scope),
        )
    subtitle = " · ".join([_("Trend by quarter"), _audience_text(data, _)])
    heading = f"📈 {view.title}\n{subtitle}"
    if scope.audience != "all":
        heading += "\n" + view.breakdown_note()
    text = view.trend_text(heading, points, labels, keys, threshold)
    await log_staff_action(
        svc,
        person,
        "summary.trend",
        subject=f"survey:{survey.id}",
        details={
            "quarters": labels,
            "audience": scope.audience,
            "value": scope.value,
            "respondents": [p.respondents for p in points],
        },
    )
    await send_text(context, chat_id, text, person.lang)
    scales = scales[:MAX_TREND_LINES]
    series = [Series(view.question_text(k), [p.means.get(k) for p in points]) for k in scales]
    if _has_values(series):
        low = min(view.scale_range(k)[0] for k in scales)
        high = max(view.scale_range(k)[1] for k in scales)
        subtitle = _("Average score by quarter")
        title = f"{view.title} · {subtitle}"
        png = await asyncio.to_thread(
            line_chart,
            labels,
            series,
            title=title,
            lang=person.lang,
            value_range=(low, high),
        )
        await send_chart(context, chat_id, png, f"{survey.id}-trend.png", title, person.lang)
    numbers = [s.key for s in specs(survey) if s.kind == "number"][:MAX_NUMBER_PANELS]
    series = [Series(view.question_text(k), [p.means.get(k) for p in points]) for k in numbers]
    if _has_values(series):
        subtitle = _("Average by quarter")
        title = f"{view.title} · {subtitle}"
        png = await asyncio.to_thread(line_panels, labels, series, title=title, lang=person.lang)
        await send_chart(
            context, chat_id, png, f"{survey.id}-trend-numbers.png", title, person.lang
        )
