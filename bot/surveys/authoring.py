"""/surveys import and /surveys export: staff bring a form from KoBo, ODK or Excel into the bot,
try it, install it; and take any survey out again as an XLSForm to edit.

    staff:  /surveys import
    bot:    send me the .xlsx
    staff:  [the file]
    bot:    the problems, line by line (send it again)  — or —
            a preview: questions, languages, missing translations  [Try it] [Install] [Close]
    staff:  Try it  → the survey, as a partner sees it; the answers never count in results
            Install → /send offers it from now on (audited)

The preview's buttons name the stored version they act on, so they keep working after the
trial (which leaves the import step) and after a restart.
"""

from __future__ import annotations

import logging

from telegram import InputFile, Update
from telegram.error import NetworkError

from bot import callbacks
from bot.access import Person, refuse
from bot.context import BotContext
from bot.handlers import common, pickers, wizard
from bot.i18n import bidi, translator
from bot.surveys import authoring_view as view
from bot.surveys import installing, service
from bot.surveys.asking import ask
from storage.models import ChatFlow

log = logging.getLogger(__name__)

FLOW = "survey_import"
EXPORT_FLOW = "survey_export"
XLSX_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/octet-stream",  # what some phones send for any file
        "application/zip",
    }
)


async def subcommand(update: Update, context: BotContext, person: Person, word: str) -> None:
    """/surveys import | export, for staff; anyone else is refused like a staff command."""
    if not person.is_staff:
        await refuse(update, context, person)
        return
    _ = translator(person.lang)
    if word == "import":
        await wizard.put_step(context.svc, person.user_id, FLOW, "file", {})
        await context.reply(view.ask_for_file(_))
    elif word == "export":
        await pickers.ask_survey(
            update, context, person, EXPORT_FLOW, view.export_question(_), prefix=view.PREFIX
        )
    else:
        await context.reply(view.unknown_subcommand(_))


async def on_text(update: Update, context: BotContext, person: Person, flow: ChatFlow) -> None:
    """Typed text while the bot waits for the file."""
    if await wizard.staff_typing(update, context, person) is None:
        return
    await context.reply(view.waiting_for_file(translator(person.lang)))


async def on_file(
    update: Update, context: BotContext, person: Person, flow: ChatFlow | None
) -> None:
    """The form arrives: read it, and show either its problems or its preview."""
    svc = context.svc
    _ = translator(person.lang)
    if not person.is_staff:  # a role taken away while the bot waited
        await wizard.leave_steps(svc, person.user_id)
        await refuse(update, context, person)
        return
    document = update.effective_message.document
    name = document.file_name or "form.xlsx"
    if not name.lower().endswith(".xlsx") or (
        document.mime_type is not None and document.mime_type not in XLSX_TYPES
    ):
        await context.reply(view.not_a_workbook(_))
        return
    if document.file_size is not None and document.file_size > installing.MAX_UPLOAD_BYTES:
        await context.reply(view.too_large(_, installing.MAX_UPLOAD_BYTES // 1024))
        return
    try:
        telegram_file = await context.bot.get_file(document.file_id)
        data = bytes(await telegram_file.download_as_bytearray())
    except NetworkError:  # TimedOut included: still waiting for the file, nothing lost
        await context.reply(view.could_not_fetch(_))
        return
    if len(data) > installing.MAX_UPLOAD_BYTES:
        await context.reply(view.too_large(_, installing.MAX_UPLOAD_BYTES // 1024))
        return
    result = await installing.read_upload(data, name)
    if not result.ok or result.survey is None:
        log.info("xlsform refused: %d problems", len(result.refusals))
        await context.reply(view.refused(result, _))
        return  # still waiting for a corrected file
    staged = await installing.stage(svc, result.survey)
    if flow is not None:  # the import step is done (an unprompted file leaves other steps be)
        await wizard.leave_steps(svc, person.user_id)
    log.info("xlsform staged as survey version %s", staged.version_id)
    await context.reply(
        view.preview(result, staged, person.lang, _),
        keyboard=view.preview_keyboard(staged, _),
    )


async def on_unprompted_file(update: Update, context: BotContext, person: Person) -> bool:
    """A staff member sends an .xlsx without /surveys import first: that is what they meant."""
    document = update.effective_message.document if update.effective_message else None
    if document is None or not person.is_staff:
        return False
    if not (document.file_name or "").lower().endswith(".xlsx"):
        return False
    await on_file(update, context, person, None)
    return True


async def on_button(update: Update, context: BotContext) -> None:
    """The preview's Try / Install / Close, and the export's survey picker."""
    press = await wizard.staff_button(update, context, view.PREFIX)
    if press is None:
        return
    svc, person, _ = press.svc, press.person, press._
    if press.action == "close":
        await common.close_keyboard(press.query, _("Closed."), person.lang)
        return
    if press.action in ("sv", "cancel"):
        await _export_press(update, context)
        return
    version_id = callbacks.number(press.arg)  # the stored version the preview is about
    survey = await svc.surveys.for_version(svc.db, version_id) if version_id is not None else None
    if survey is None or version_id is None or press.action not in ("try", "inst"):
        await press.expired()
        return
    if press.action == "inst":
        why, _current = installing.blocker(svc, survey, version_id)
        if why is not None:  # installed meanwhile, or a forged id
            await press.expired()
            return
        if not await installing.install(svc, person, survey, version_id):
            await press.expired()  # a version as high was installed since the preview
            return
        await common.close_keyboard(
            press.query, view.installed(survey, person.lang, _), person.lang
        )
        return
    if person.contact is None:
        await press.query.answer()
        await context.reply(view.trial_needs_profile(_))
        return
    await press.query.answer()
    trial = await installing.start_trial(svc, person, survey, version_id)
    await service.start(svc, trial.id, person.user_id, trial.language, svc.clock.now())
    loaded = await service.load(svc, trial.id)
    if loaded is not None:
        await ask(context, press.chat_id, *loaded, intro=True)


async def _export_press(update: Update, context: BotContext) -> None:
    press = await wizard.staff_press(update, context, view.PREFIX, EXPORT_FLOW)
    if press is None:  # refused, stale or cancelled: answered
        return
    person, _ = press.person, press._
    entry = press.svc.surveys.get(press.arg or "") if press.action == "sv" else None
    if entry is None or press.flow.step != "survey":
        await press.expired()
        return
    survey, _version = entry
    await common.close_keyboard(
        press.query,
        _("Survey: {title}", title=survey.text_for(survey.title, person.lang)),
        person.lang,
    )
    await press.end()
    data = await installing.export(press.svc, person, survey)
    await context.bot.send_document(
        press.chat_id,
        InputFile(data, filename=f"{survey.id}-v{survey.version}.xlsx"),
        caption=bidi(view.export_caption(survey, person.lang, _)[:1000], person.lang),
    )


async def leave_on_cancel(update: Update, context: BotContext, person: Person) -> bool:
    """/cancel while the bot waits for a form: nothing was installed."""
    if await wizard.step_of(context.svc, person.user_id, FLOW) is None:
        return False
    await wizard.leave_steps(context.svc, person.user_id)
    _ = translator(person.lang)
    await context.reply(_("Cancelled. Nothing was installed."))
    return True
