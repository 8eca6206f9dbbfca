"""Both sides' answers side by side once a round has closed (never before: the blind phase),
with a chart; the agreed scores across rounds and the open actions, and marking one done."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardMarkup, InputFile, Update

from bot import callbacks, charts
from bot.access import Person, log_staff_action
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.press import Press
from bot.i18n import bidi, translator
from bot.jpat import service, status, view, view_agreed
from bot.jpat.access import Seat, ack, say, today_for, zone_of
from bot.keyboards import button, column
from bot.services import Services
from storage.jpat_rules import CONSOLIDATABLE_STATUSES, VIEWABLE_STATUSES
from storage.models import JpatRound

AREA = "jp"


async def _looked(
    svc: Services, person: Person, action: str, place: Seat, round_: JpatRound
) -> None:
    """A staff member's look at a round's answers (allowed or not) goes in the audit log; a
    partner's does not (the log is of staff actions)."""
    if person.is_staff:
        await log_staff_action(
            svc,
            person,
            action,
            subject=f"partnership:{place.partnership.id}",
            details={"round": round_.id},
        )


async def refuse_blind(
    update: Update,
    context: BotContext,
    person: Person,
    place: Seat,
    round_: JpatRound,
) -> None:
    """A look at the answers while the round is open: politely no, for everyone."""
    svc = context.svc
    _ = translator(person.lang)
    await _looked(svc, person, "jpat.view_refused", place, round_)
    await ack(update)
    await say(
        update,
        context,
        person,
        _(
            "The answers of round {n} can be seen once the round closes on {date}. "
            "Until then nobody, staff included, sees them: each side answers on its own. "
            "You can check whether your side has submitted with /jpat status.",
            n=round_.number,
            date=view.day(round_.deadline, _, zone_of(person)),
        ),
    )


async def comparison(update: Update, context: BotContext, person: Person, place: Seat) -> None:
    svc = context.svc
    _ = translator(person.lang)
    round_ = await service.current_round(svc, place.partnership.id)
    if round_ is None:
        await status.no_round(update, context, person, place)
        return
    if round_.status not in VIEWABLE_STATUSES:
        await refuse_blind(update, context, person, place, round_)
        return
    survey = await service.survey_of(svc, round_)
    if survey is None:
        await common.expired_button(update, context, person.lang)
        return
    found = await service.comparison(
        svc,
        round_.id,
        view.item_keys(survey),
        view.element_of(survey),
        view.open_keys(survey),
    )
    await _looked(svc, person, "jpat.view", place, round_)
    await ack(update)
    text = view.comparison_text(
        survey,
        name=place.name,
        round_=round_,
        figures=found.figures,
        averages=found.averages,
        answers=found.answers,
        counts=found.counts,
        lang=person.lang,
        zone=zone_of(person),
    )
    keyboard = None
    if person.is_staff and round_.status in CONSOLIDATABLE_STATUSES:
        keyboard = column(
            [button(_("Record the agreed J-PAT"), callbacks.data(AREA, "cs", place.partnership.id))]
        )
    await say(update, context, person, text, keyboard)
    titles, ngo, partner = view.chart_series(survey, found.averages, person.lang)
    png = await asyncio.to_thread(
        charts.jpat_comparison_chart,
        titles,
        ngo,
        partner,
        side_labels=(_("NGO side"), _("Partner side")),
        title=view.heading(place.name, round_, _),
        value_label=_("Average score (1 = strongly disagree, 5 = strongly agree)"),
        lang=person.lang,
    )
    await send_photo(
        context,
        update.effective_chat.id,
        png,
        _("Average per element, NGO side and partner side."),
        person.lang,
    )


async def send_photo(
    context: BotContext, chat_id: int, png: bytes, caption: str, lang: str
) -> None:
    await context.bot.send_photo(
        chat_id, photo=InputFile(png, filename="j-pat.png"), caption=bidi(caption, lang)[:1024]
    )


async def history(update: Update, context: BotContext, person: Person, place: Seat) -> None:
    svc = context.svc
    _ = translator(person.lang)
    entry = svc.surveys.get("jpat")
    if entry is None:
        await common.expired_button(update, context, person.lang)
        return
    survey, _version = entry
    pid = place.partnership.id
    trend, actions = await service.history(svc, pid, view.element_of(survey))
    if person.is_staff:
        await log_staff_action(svc, person, "jpat.history", subject=f"partnership:{pid}")
    text = view_agreed.history_text(
        survey,
        name=place.name,
        trend=trend,
        actions=actions,
        today=today_for(svc, zone_of(person)),
        lang=person.lang,
    )
    keyboard: InlineKeyboardMarkup | None = None
    if person.is_staff and actions:
        keys = view.item_keys(survey)
        keyboard = column(
            [
                button(
                    _(
                        "Done: {item} (round {n})",
                        item=view.item_code(a.key),
                        n=a.round_number,
                    ),
                    callbacks.data(AREA, "dn", a.round_id, keys.index(a.key)),
                )
                for a in actions[:10]
                if a.key in keys
            ]
        )
    await ack(update)
    await say(update, context, person, text, keyboard)
    rounds, per_element = view_agreed.trend_series(survey, trend, person.lang)
    if rounds:
        png = await asyncio.to_thread(
            charts.trend_chart,
            [_("Round {n}", n=n) for n in rounds],
            [
                charts.Series(view.element_label(survey, element, person.lang), values)
                for element, values in per_element.items()
            ],
            title=_("Agreed J-PAT scores · {name}", name=place.name),
            value_label=_("Agreed score (1–5)"),
            lang=person.lang,
        )
        await send_photo(
            context,
            update.effective_chat.id,
            png,
            _("Agreed score per element, round by round."),
            person.lang,
        )


async def action_done(press: Press, round_id: int) -> None:
    """The "Done" button on an open action of the history (``press.args``: the statement's index)."""
    svc, person, _, rest = press.svc, press.person, press._, press.args
    entry = svc.surveys.get("jpat")
    keys = view.item_keys(entry[0]) if entry else []
    if not rest or not callbacks.is_number(rest[0]) or int(rest[0]) >= len(keys):
        await press.expired()
        return
    key = keys[int(rest[0])]
    round_ = await service.mark_action_done(svc, round_id, key)
    if round_ is None:
        await press.expired()
        return
    await log_staff_action(
        svc,
        person,
        "jpat.action_done",
        subject=f"partnership:{round_.partnership_id}",
        details={"round": round_id, "item": key},
    )
    await press.query.answer(_("Action {item} marked as done.", item=view.item_code(key)))
