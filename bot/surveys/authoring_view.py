"""What the bot says to staff importing and exporting XLSForms, and the preview's buttons."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import Translator
from bot.keyboards import button, column
from bot.surveys.installing import Blocker, Staged
from conversations import Survey
from conversations.xlsform import ImportResult
from conversations.xlsform.messages import render

PREFIX = "sva"
#: Lines of one kind listed in the preview before "and N more" (a chat message, not a report).
LISTED = 12


def language_name(code: str, _: Translator) -> str:
    """A survey language named in the reader's language (``fr`` -> "French" / "français")."""
    try:
        name = Locale.parse(code, sep="-").get_display_name(_.locale)
    except (ValueError, UnknownLocaleError):
        return code
    return f"{name} ({code})" if name else code


def ask_for_file(_: Translator) -> str:
    return _.paragraphs(
        _(
            "Send me the XLSForm now: the .xlsx file as a document (in Telegram: the paper clip, "
            "then File). Forms made for KoBoToolbox or ODK work as they are."
        ),
        _("I will check it and show you a preview before anything is installed."),
        _("Send /cancel to stop."),
    )


def waiting_for_file(_: Translator) -> str:
    return _("I am waiting for the XLSForm file (.xlsx), sent as a document. Send /cancel to stop.")


def not_a_workbook(_: Translator) -> str:
    return _(
        "This is not an XLSForm: please send the .xlsx file (Excel workbook) as a document, "
        "or /cancel to stop."
    )


def too_large(_: Translator, limit_kb: int) -> str:
    return _(
        "This file is too large for a form (the limit is {limit} kB). Please check that you "
        "sent the right file.",
        limit=limit_kb,
    )


def reading(_: Translator) -> str:
    return _("Checking the form…")


def _listed(lines: list[str], _: Translator) -> list[str]:
    shown = [f"• {line}" for line in lines[:LISTED]]
    if len(lines) > LISTED:
        shown.append(_("… and {count} more.", count=len(lines) - LISTED))
    return shown


def refused(result: ImportResult, _: Translator) -> str:
    lines = [render(line, _) for line in result.refusals]
    return _.paragraphs(
        _.ngettext(
            "I cannot run this form. Please fix this problem in the spreadsheet and send it again:",
            "I cannot run this form. Please fix these {count} problems in the spreadsheet and "
            "send it again:",
            len(lines),
            count=len(lines),
        ),
        "\n".join(_listed(lines, _)),
        _("Send /cancel to stop."),
    )


def preview(result: ImportResult, staged: Staged, lang: str, _: Translator) -> str:
    survey = staged.survey
    parts = [
        _(
            "Form read: {title} (id {id}, version {version}).",
            title=survey.text_for(survey.title, lang),
            id=survey.id,
            version=survey.version,
        ),
        _.ngettext(
            "{count} question",
            "{count} questions",
            len(survey.questions),
            count=len(survey.questions),
        )
        + (
            " · "
            + _.ngettext(
                "{count} section",
                "{count} sections",
                len(survey.sections),
                count=len(survey.sections),
            )
            if survey.sections
            else ""
        ),
        _(
            "Languages: {languages}",
            languages=", ".join(language_name(code, _) for code in survey.languages),
        ),
    ]
    missing = result.missing_translations()
    if missing:
        parts.append(
            "\n".join(
                [
                    _("Missing translations (the default language is shown instead):"),
                    *_listed([render(line, _) for line in missing], _),
                ]
            )
        )
    if result.warnings:
        parts.append(
            "\n".join(
                [
                    _("Left out, as they only change how KoBo or ODK show the form:"),
                    *_listed([render(line, _) for line in result.warnings], _),
                ]
            )
        )
    parts.append(blocked(staged, _) if staged.blocker else ready(staged, _))
    return _.paragraphs(*parts)


def ready(staged: Staged, _: Translator) -> str:
    if staged.current_version is not None:
        replaces = _(
            "Installing replaces version {current} for new invitations; answers already given "
            "stay readable under their version.",
            current=staged.current_version,
        )
    else:
        replaces = _("Installing makes it available to /send to partners.")
    return _.paragraphs(
        replaces,
        _("Try it yourself first: your answers are kept apart and never counted in any results."),
    )


def blocked(staged: Staged, _: Translator) -> str:
    if staged.blocker is Blocker.BUILT_IN:
        return _(
            "The J-PAT has rules of its own outside the form, so it cannot be replaced from the "
            "chat. You can still try this form."
        )
    if staged.blocker is Blocker.SAME_VERSION:
        return _("This exact form is already installed. Nothing to do.")
    return _(
        "Version {version} cannot be installed: version {current} is installed. Raise the "
        "version in the settings sheet (e.g. to {next}) and send the form again.",
        version=staged.survey.version,
        current=staged.current_version,
        next=(staged.current_version or 0) + 1,
    )


def preview_keyboard(staged: Staged, _: Translator) -> InlineKeyboardMarkup:
    buttons = [button(_("Try it yourself"), callbacks.data(PREFIX, "try", staged.version_id))]
    if staged.blocker is None:
        buttons.append(button(_("Install"), callbacks.data(PREFIX, "inst", staged.version_id)))
    buttons.append(button(_("Close"), callbacks.data(PREFIX, "close")))
    return column(buttons)


def _named(survey: Survey, lang: str) -> dict[str, object]:
    """The survey's title (in ``lang``) and version, for the texts that name it."""
    return {"title": survey.text_for(survey.title, lang), "version": survey.version}


def installed(survey: Survey, lang: str, _: Translator) -> str:
    return _(
        "Installed: {title} (version {version}). Send /send to invite partners.",
        **_named(survey, lang),
    )


def trial_needs_profile(_: Translator) -> str:
    return _(
        "To try a survey you need a staff profile in the bot. Ask an admin to invite you as "
        "staff, then try again."
    )


def trial_note(_: Translator) -> str:
    return _(
        "This was a trial: your answers are not counted in any results. Install the form from "
        "its preview when it is ready."
    )


def trial_ended(_: Translator) -> str:
    return _("Trial ended. Nothing you answered in it counts anywhere.")


def could_not_fetch(_: Translator) -> str:
    return _("I could not get the file from Telegram. Please send it again.")


def trial_confidential(_: Translator) -> str:
    return _(
        "This is a trial, so nothing is sent to the safeguarding focal point. Partners' words "
        "here go only to the focal point."
    )


def export_question(_: Translator) -> str:
    return _("Which survey do you want as an XLSForm?")


def export_caption(survey: Survey, lang: str, _: Translator) -> str:
    return _(
        "{title}, version {version}, as an XLSForm. Edit it in Excel, KoBoToolbox or ODK, raise "
        "the version, and send it back with /surveys import.",
        **_named(survey, lang),
    )


def unknown_subcommand(_: Translator) -> str:
    return _(
        "/surveys lists the surveys waiting for you. Staff can also send /surveys import "
        "(a new form from an XLSForm file) or /surveys export (a survey as an XLSForm)."
    )
