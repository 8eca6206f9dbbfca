"""/export's texts: why nothing was exported, and what the file is (its caption)."""

from __future__ import annotations

from bot.handlers import pickers
from bot.i18n import Translator, translator
from conversations import Survey
from storage.disclosure import TOO_FEW
from storage.scopes import Period


def refusal(reason: str, people: int, threshold: int, _: Translator) -> str:
    if reason == TOO_FEW:
        return _.ngettext(
            "Nothing was exported: only {n} person answered in this period, fewer than {threshold}, so their answers could be traced back to them.",
            "Nothing was exported: only {n} people answered in this period, fewer than {threshold}, so their answers could be traced back to them.",
            people,
            threshold=threshold,
        )
    return _(
        "Nothing was exported: all answers in this period come from one organisation, and some of its partners asked to be counted only in totals together with other organisations."
    )


def caption(
    survey: Survey,
    choice: str,
    period: Period,
    zone: str,
    rows: int,
    raw: bool,
    blanked: int,
    lang: str,
) -> str:
    """What the file is, said under it."""
    _ = translator(lang)
    if survey.id == "jpat":
        caption = _(
            "J-PAT ({period}): both sides, the gaps, the agreed scores and actions. A partnership is named only where its partners agreed to it.",
            period=pickers.period_text(choice, period, zone, _),
        )
    else:
        # Values first: Babel's extractor loses a plural call that passes `_` as an argument.
        period_label = pickers.period_text(choice, period, zone, _)
        caption = _.ngettext(
            "{title}: {n} response ({period}). Organisations are named only for partners who agreed to it.",
            "{title}: {n} responses ({period}). Organisations are named only for partners who agreed to it.",
            rows,
            title=survey.text_for(survey.title, lang),
            period=period_label,
        )
    if raw:
        caption = (
            _("Raw file for admins only: do not share it. Its creation is in the audit log.")
            + "\n"
            + caption
        )
    elif blanked:
        caption += "\n" + _.ngettext(
            "{n} question is left blank: too few answers to keep them anonymous.",
            "{n} questions are left blank: too few answers to keep them anonymous.",
            blanked,
        )
    return caption
