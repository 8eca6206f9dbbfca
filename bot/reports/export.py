"""/export: survey (or J-PAT) → period → CSV or XLSX → language of the labels → a document.

The same disclosure control as summaries decides what is in the file (``storage.disclosure``):
nothing is exported for fewer than the threshold of people, a question's columns are blank
where /summary would not show it, and each export is recorded as a release. Admins can also
take the raw file (every cell, marked as such). Every export is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from telegram import InputFile, Update

from bot import callbacks
from bot.access import Person, log_staff_action, requires
from bot.context import BotContext
from bot.handlers import common, pickers, wizard
from bot.i18n import LANGUAGES, NATIVE_NAMES, bidi, translator
from bot.keyboards import button, grid
from bot.replies import send_text
from bot.reports import export_file, export_service, export_view
from storage import flows
from storage.disclosure import ONE_ORGANISATION, Release

FLOW = "export"
PREFIX = "exp"
FORMATS = ("csv", "xlsx", "raw")
MAX_DOCUMENT = 50 * 1024 * 1024  # what a bot may upload


@requires("staff")
async def export_command(update: Update, context: BotContext, person: Person) -> None:
    _ = translator(person.lang)
    await pickers.ask_survey(
        update, context, person, FLOW, _("Which survey do you want to export?"), prefix=PREFIX
    )


async def on_button(update: Update, context: BotContext) -> None:
    press = await wizard.staff_press(update, context, PREFIX, FLOW)
    if press is None:
        return
    svc, person, query, flow, _ = press.svc, press.person, press.query, press.flow, press._
    action, arg, chat_id, goto = press.action, press.arg, press.chat_id, press.goto
    if await pickers.survey_chosen(
        context,
        press,
        "period",
        "survey",
        _("Which period?"),
        pickers.periods_keyboard(PREFIX, _, ("this", "last", "all")),
    ):
        return
    if action == "per" and flow.step == "period" and arg in ("this", "last", "all"):
        names = {"this": _("This quarter"), "last": _("Last quarter"), "all": _("All time")}
        await common.close_keyboard(query, names[arg], person.lang)
        if await _refused_early(context, chat_id, person, {**flow.data, "period": arg}):
            return
        await goto("format", {**flow.data, "period": arg})
        choices = [
            button(_("Excel (XLSX)"), callbacks.data(PREFIX, "fmt", "xlsx")),
            button(_("CSV"), callbacks.data(PREFIX, "fmt", "csv")),
        ]
        if person.is_admin:
            choices.append(
                button(_("Raw file (admins only)"), callbacks.data(PREFIX, "fmt", "raw"))
            )
        keyboard = grid([*choices, pickers.cancel_button(PREFIX, _)], 2)
        await send_text(context, chat_id, _("Which file format?"), person.lang, keyboard=keyboard)
        return
    if action == "fmt" and flow.step == "format" and arg in FORMATS:
        if arg == "raw" and not person.is_admin:  # a forged or stale press
            await common.expired_button(update, context, person.lang)
            return
        names = {
            "xlsx": _("Excel (XLSX)"),
            "csv": _("CSV"),
            "raw": _("Raw file (admins only)"),
        }
        await common.close_keyboard(query, names[arg], person.lang)
        await goto("language", {**flow.data, "format": arg})
        survey, _v = svc.surveys.get(flow.data["survey"])
        codes = [person.lang, *[c for c in survey.languages if c != person.lang]]
        buttons = [
            button(NATIVE_NAMES.get(c, c), callbacks.data(PREFIX, "lang", c))
            for c in codes
            if c in LANGUAGES
        ]
        await send_text(
            context,
            chat_id,
            _("In which language should the answers be labelled?"),
            person.lang,
            keyboard=grid([*buttons, pickers.cancel_button(PREFIX, _)], 2),
        )
        return
    if action == "lang" and flow.step == "language" and arg in LANGUAGES:
        await common.close_keyboard(query, NATIVE_NAMES[arg], person.lang)
        async with svc.db.transaction() as session:
            await flows.clear(session, person.user_id)
        await _export(context, chat_id, person, {**flow.data, "lang": arg})
        return
    await common.expired_button(update, context, person.lang)


async def _refused_early(
    context: BotContext, chat_id: int, person: Person, data: dict[str, Any]
) -> bool:
    """Once survey and period are known, say at once when nothing could be exported, rather
    than after the format and language steps. Only counts are read here (no answers leave
    the database), so nothing is released; the export itself decides again."""
    svc = context.svc
    _ = translator(person.lang)
    counts, reason = await export_service.verdict(
        svc, export_service.scope_of(svc, data["survey"], data)
    )
    if reason is None:
        return False
    async with svc.db.transaction() as session:
        await flows.clear(session, person.user_id)
    await log_staff_action(
        svc,
        person,
        "export.refused",
        subject=f"survey:{data['survey']}",
        details={"period": data["period"], "people": counts.people, "reason": reason},
    )
    text = export_view.refusal(reason, counts.people, svc.settings.privacy_threshold, _)
    await send_text(context, chat_id, text, person.lang)
    return True


async def _export(context: BotContext, chat_id: int, person: Person, data: dict[str, Any]) -> None:
    svc = context.svc
    _ = translator(person.lang)
    entry = svc.surveys.get(data["survey"])
    if entry is None:
        return
    survey = entry[0]
    zone = pickers.window_zone(svc)
    scope = export_service.scope_of(svc, survey.id, data)
    period = scope.period
    threshold = svc.settings.privacy_threshold
    raw = data["format"] == "raw" and person.is_admin
    release = Release(
        kind="raw_export" if raw else "export",
        window=pickers.window_name(period),
        audience="all",
        contact_id=person.contact.id if person.contact is not None else None,
    )
    decided = await export_service.decide(svc, survey, scope, release)
    withheld = frozenset(q.key for q in decided.questions if q.suppressed)
    blanked = [q.key for q in decided.questions if q.suppressed and q.answered]
    details = {
        "format": data["format"],
        "language": data["lang"],
        "start": period.start.isoformat() if period.start else None,
        "end": period.end.isoformat() if period.end else None,
        "respondents": decided.respondents,
        "people": decided.people,
        "withheld": sorted(blanked),
    }
    # The J-PAT export is the record of rounds staff took part in; the one-organisation rule
    # protects partners from being singled out among organisations: for the J-PAT it keeps the
    # submissions sheet out of the file.
    reason = decided.suppressed
    if survey.id == "jpat" and reason == ONE_ORGANISATION:
        reason = None
    if reason is not None:
        await log_staff_action(
            svc,
            person,
            "export.refused",
            subject=f"survey:{survey.id}",
            details={**details, "reason": reason},
        )
        await send_text(
            context, chat_id, export_view.refusal(reason, decided.people, threshold, _), person.lang
        )
        return
    slug = "all" if period.start is None else period.start.date().isoformat()
    if raw:
        slug = f"RAW-ADMIN-ONLY-{slug}"
    if survey.id == "jpat":  # both sides, gaps, the agreed J-PAT and its actions
        built = await export_file.build_jpat(
            svc.db,
            survey,
            period,
            data["lang"],
            data["format"],
            f"jpat-{slug}",
            withheld=None if decided.suppressed else withheld,
            blanked=frozenset(blanked),
            raw=raw,
            threshold=threshold,
        )
    else:
        built = await export_file.build(
            svc.db,
            survey,
            scope,
            data["lang"],
            data["format"],
            f"{survey.id}-{slug}",
            withheld=withheld,
            blanked=frozenset(blanked),
            raw=raw,
            threshold=threshold,
        )
    await log_staff_action(
        svc,
        person,
        "export.raw" if raw else "export.create",
        subject=f"survey:{survey.id}",
        details={**details, "rows": built.rows, "bytes": len(built.data)},
    )
    if len(built.data) > MAX_DOCUMENT:
        await send_text(
            context,
            chat_id,
            _("The file is too large for Telegram. Please choose a shorter period."),
            person.lang,
        )
        return
    caption = export_view.caption(
        survey, data["period"], period, zone, built.rows, raw, len(blanked), person.lang
    )
    await context.bot.send_document(
        chat_id,
        InputFile(built.data, filename=built.filename),
        caption=bidi(caption[:1000], person.lang),
    )
