"""/share's texts and keyboards: the closed campaigns and J-PAT rounds to choose from, the
question before sending, what was sent, the replies partners gave, and a partner's comment as
the staff member who sent the report-back reads it."""

from __future__ import annotations

from babel.dates import format_date
from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import Translator, translator
from bot.keyboards import button, column
from bot.periods import day_in
from bot.reports.wording import survey_title
from bot.services import Services
from storage.models import Campaign, JpatRound

PREFIX = "shr"


def choices(
    svc: Services,
    closed: list[Campaign],
    rounds: list[tuple[JpatRound, str]],
    lang: str,
    zone: str,
) -> tuple[str, InlineKeyboardMarkup]:
    """What to report back on: the question and its buttons."""
    _ = translator(lang)
    buttons = [
        button(
            _(
                "#{id} {title} (closed {date})",
                id=c.id,
                title=survey_title(svc, c.survey_id, lang),
                date=format_date(day_in(c.closed_at or c.due_at, zone), "medium", locale=_.locale),
            ),
            callbacks.data(PREFIX, "c", c.id),
        )
        for c in closed
    ]
    buttons += [
        button(
            round_title(round_, organisation, lang, zone),
            callbacks.data(PREFIX, "j", round_.id),
        )
        for round_, organisation in rounds
    ]
    buttons += [
        button(_("Replies from partners"), callbacks.data(PREFIX, "replies")),
        button(_("Cancel"), callbacks.data(PREFIX, "cancel")),
    ]
    text = (
        _(
            "Which closed campaign or J-PAT round do you want to report back to the people "
            "who were asked?"
        )
        if closed or rounds
        else _(
            "No campaign or J-PAT round is closed yet. A report-back can be sent once one "
            "has closed."
        )
    )
    return text, column(buttons)


def round_title(round_: JpatRound, organisation: str, lang: str, zone: str) -> str:
    _ = translator(lang)
    return _(
        "J-PAT round {n} · {organisation} (closed {date})",
        n=round_.number,
        organisation=organisation,
        date=format_date(
            day_in(round_.closed_at or round_.deadline, zone), "medium", locale=_.locale
        ),
    )


def ask_send(is_round: bool, asked: int, _: Translator) -> str:
    if is_round:
        return _.ngettext(
            "Send it to {n} person who was asked in this round, on either side?",
            "Send it to the {n} people who were asked in this round, on both sides?",
            asked,
        )
    return _.ngettext(
        "Send it to {n} partner who was asked?",
        "Send it to the {n} partners who were asked?",
        asked,
    )


def sent(is_round: bool, report_id: int, recipients: int, _: Translator) -> str:
    if is_round:
        return _.ngettext(
            "Report-back #{id} is on its way to {n} person who was asked in this round (later for anyone in their quiet hours). Reactions and comments will appear under /share.",
            "Report-back #{id} is on its way to the {n} people who were asked in this round, on both sides (later for anyone in their quiet hours). Reactions and comments will appear under /share.",
            recipients,
            id=report_id,
        )
    return _.ngettext(
        "Report-back #{id} is on its way to {n} partner (later for anyone in their quiet hours). Their reactions and comments will appear under /share.",
        "Report-back #{id} is on its way to {n} partners (later for anyone in their quiet hours). Their reactions and comments will appear under /share.",
        recipients,
        id=report_id,
    )


def replies(svc: Services, found: list, lang: str, zone: str) -> str:
    """Reactions and comments, per report-back sent."""
    _ = translator(lang)
    parts = []
    for entry in found:
        report = entry.report
        lines = [
            _(
                "#{id} {title}, sent to {n} on {date}",
                id=report.id,
                title=survey_title(svc, report.survey_id, lang),
                n=report.recipients,
                date=format_date(day_in(report.created_at, zone), "medium", locale=_.locale),
            ),
            _(
                "👍 {up} · 👎 {down} · 💬 {comments}",
                up=entry.reactions.get("up", 0),
                down=entry.reactions.get("down", 0),
                comments=len(entry.comments),
            ),
        ]
        for comment in entry.comments:
            who = comment.organisation or _("a partner")
            lines.append(_("{who}: “{text}”", who=who, text=comment.text))
        parts.append("\n".join(lines))
    return _.paragraphs(*parts)


def comment_for_staff(
    lang: str, organisation: str | None, report_id: int, title: str, text: str
) -> str:
    """The comment as the staff member who sent the report-back reads it, in their language."""
    _ = translator(lang)
    return _(
        "{who} commented on report-back #{id} ({title}): “{text}”",
        who=organisation or _("A partner"),
        id=report_id,
        title=title,
        text=text,
    )
