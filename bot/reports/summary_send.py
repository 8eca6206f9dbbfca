"""/summary's results: the figures (or the trend by quarter) in the staff member's language,
then the charts. The figures come from ``bot.reports.summary_service``; this module renders
them, writes the audit entry and sends."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import InputFile
from telegram.error import TelegramError

from bot import periods
from bot.access import Person, log_staff_action
from bot.charts import line_chart, line_panels
from bot.context import BotContext
from bot.handlers import pickers
from bot.i18n import bidi, translator
from bot.replies import send_text
from bot.reports import summary_service
from bot.reports.chart import Series, bar_panels
from bot.reports.summary_view import View
from bot.reports.wording import specs
from conversations import Survey
from storage.scopes import Period, Scope
from storage.summary_figures import Summary

log = logging.getLogger(__name__)
MAX_TREND_LINES = 6
MAX_NUMBER_PANELS = 4  # one panel each: a taller picture, still readable on a phone


def audience_text(data: dict, _) -> str:  # type: ignore[no-untyped-def]
    kind = data.get("kind", "all")
    if kind == "organisation":
        return _("Organisation: {name}", name=data.get("label") or data.get("value"))
    if kind == "tag":
        return _("Tag: {tag}", tag=data.get("value"))
    return _("All partners")


async def send_summary(
    context: BotContext,
    chat_id: int,
    person: Person,
    survey: Survey,
    scope: Scope,
    data: dict,
    zone: str,
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    view = View(survey, person.lang)
    subtitle = " · ".join(
        [pickers.period_text(data["period"], scope.period, zone, _), audience_text(data, _)]
    )
    heading = f"📊 {view.title}\n{subtitle}"
    if scope.audience != "all":
        heading += "\n" + view.breakdown_note()
    sides = await summary_service.figures(svc, person, scope, specs(survey))
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
    context: BotContext,
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


async def send_trend(
    context: BotContext,
    chat_id: int,
    person: Person,
    survey: Survey,
    data: dict,
    zone: str,
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    view = View(survey, person.lang)
    quarters = periods.quarters(svc.clock.now(), zone, pickers.TREND_QUARTERS)
    labels = [periods.quarter_label(q, zone, _.locale) for q in quarters]
    keys = [s.key for s in specs(survey) if s.kind in ("scale", "number")]
    scales = [s.key for s in specs(survey) if s.kind == "scale"]
    scope = Scope(survey.id, Period(), data.get("kind", "all"), data.get("value"))
    threshold = svc.settings.privacy_threshold
    points = await summary_service.trend(svc, person, scope, quarters, keys)
    subtitle = " · ".join([_("Trend by quarter"), audience_text(data, _)])
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
