"""What confidential reports look like in chat: to the partner who writes one, to the focal
point who reads it, and to the admin who names focal points.

Kept apart from the handlers so every sentence a partner reads about who sees their words is
in one place, and so that what a focal point sees of an anonymous report (no name, no
organisation, no chat id) can be checked by reading one function.
"""

from __future__ import annotations

import html
from datetime import datetime

from babel.dates import format_datetime
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode

from bot import callbacks
from bot.i18n import N_, translator
from bot.periods import zone_info
from storage.safeguarding import ERASED, FOCAL_POINT, Entry, FocalPoint

AREA = "sg"
HTML = {"parse_mode": ParseMode.HTML}  # the texts of a report and its thread are HTML


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _button(text: str, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text[:64], callback_data=callbacks.data(AREA, *parts))


def focal_point_line(point: FocalPoint, lang: str) -> str:
    _ = translator(lang)
    return _("{name}, safeguarding focal point", name=point.name)


def who_reads(points: list[FocalPoint], lang: str) -> str:
    """Under the confidential question, before the partner writes a word: who will read it."""
    _ = translator(lang)
    lines = [
        "🔒 "
        + _.ngettext(
            "Confidential. Only this person will read what you send here:",
            "Confidential. Only these people will read what you send here:",
            len(points),
        )
    ]
    lines += [f"• {_e(focal_point_line(p, lang))}" for p in points]
    lines.append(
        _e(
            _(
                "The staff who run your partnership will not see it, unless they are that "
                "person. It never goes into summaries, exports or reports."
            )
        )
    )
    lines.append(
        "<i>"
        + _e(
            _(
                "Type or record your message. Nothing is sent until you choose: "
                "with your name, or anonymously."
            )
        )
        + "</i>"
    )
    return "\n".join(lines)


def names(points: list[FocalPoint]) -> str:
    return ", ".join(p.name for p in points)


def confirm_text(points: list[FocalPoint], lang: str) -> str:
    _ = translator(lang)
    return _.paragraphs(
        _("Nothing has been sent yet. Send your message to {names}?", names=names(points)),
        _(
            "With your name, they see your name and organisation. Anonymously, they see "
            "neither, nor your Telegram account; they can still reply to you here, through "
            "the bot."
        ),
        _("To add more first, type or record again."),
    )


def confirm_keyboard(report_id: int, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return InlineKeyboardMarkup(
        [
            [_button(_("Send with my name"), "s", report_id, "n")],
            [_button(_("Send anonymously"), "s", report_id, "a")],
            [_button(_("Don't send"), "x", report_id)],
        ]
    )


def acknowledgement(reference: str, anonymous: bool, points: list[FocalPoint], lang: str) -> str:
    _ = translator(lang)
    return _.paragraphs(
        _("Sent. Your reference is {reference}.", reference=reference),
        _("Sent anonymously: your name and organisation were not shared.")
        if anonymous
        else _("Sent with your name."),
        _(
            "Only {names} will read it. Any reply comes here, through the bot.",
            names=names(points),
        ),
    )


def answered_mark(reference: str, lang: str) -> str:
    """What stays under the question once the report is sent."""
    _ = translator(lang)
    return _("🔒 Sent confidentially · {reference}", reference=reference)


def not_sent(lang: str) -> str:
    _ = translator(lang)
    return _("Not sent. Nothing of it was kept.")


def unavailable(lang: str) -> str:
    """Under the confidential question when nobody is named to read it."""
    _ = translator(lang)
    return _(
        "Confidential reports cannot be received right now: no safeguarding focal point is "
        "named yet. Nothing you write here would be stored. Please press Skip, and try again "
        "later."
    )


def not_received(lang: str) -> str:
    """After the partner wrote anyway (or every focal point was removed meanwhile)."""
    _ = translator(lang)
    return _(
        "Confidential reports cannot be received right now: no safeguarding focal point is "
        "named yet. What you wrote was not stored, and this question is skipped."
    )


def admins_no_focal_point(lang: str) -> str:
    _ = translator(lang)
    return _(
        "Partners cannot send confidential reports: no safeguarding focal point is named. "
        "Name one with /staff safeguarding add followed by their Telegram user id."
    )


def thanks_note(lang: str) -> str:
    """The end of a survey with a confidential question: who reads which answers."""
    _ = translator(lang)
    return _(
        "The NGO team reads your answers, except a confidential report: only the safeguarding "
        "focal point reads that. Send /surveys to see if anything else is waiting."
    )


# ---------------------------------------------------------------- the focal point's side


def _when(at: datetime | None, lang: str, zone: str) -> str:
    if at is None:
        return ""
    return format_datetime(at, "short", tzinfo=zone_info(zone), locale=translator(lang).locale)


def words(entry: Entry, lang: str) -> str:
    """A message's words as the focal point reads them (erased and voice-only shown in words)."""
    _ = translator(lang)
    if entry.text == ERASED:
        return _("[removed at the person's request]")
    parts = []
    if entry.text:
        parts.append(entry.text)
    if entry.voice_file_id:
        parts.append(_("🎤 voice message, {seconds} s", seconds=entry.voice_duration or 0))
    return "\n".join(parts)


def report_text(
    *,
    reference: str,
    anonymous: bool,
    sender: str | None,
    organisation: str | None,
    survey_title: str | None,
    submitted_at: datetime | None,
    status: str,
    entries: list[Entry],
    lang: str,
    zone: str,
) -> str:
    """A whole report for a focal point. An anonymous one carries no name, organisation or
    chat id: ``sender`` and ``organisation`` are never passed for it."""
    _ = translator(lang)
    title = _("Confidential report {reference}", reference=reference)
    lines = [f"<b>🔒 {_e(title)}</b>"]
    if anonymous:
        lines.append(_e(_("From: anonymous (no name or organisation shared)")))
    else:
        who = sender or _("a partner")
        if organisation:
            who = _("{name}, {organisation}", name=who, organisation=organisation)
        lines.append(_e(_("From: {who}", who=who)))
    if survey_title:
        lines.append(_e(_("Asked in: {survey}", survey=survey_title)))
    lines.append(_e(_("Sent: {when}", when=_when(submitted_at, lang, zone))))
    if status == "handled":
        lines.append(_e(_("Status: handled")))
    for index, entry in enumerate(entries):
        lines.append("")
        if index > 0 or entry.author == FOCAL_POINT:
            label = (
                _("Reply from a focal point, {when}:", when=_when(entry.at, lang, zone))
                if entry.author == FOCAL_POINT
                else _("The person wrote, {when}:", when=_when(entry.at, lang, zone))
            )
            lines.append(f"<i>{_e(label)}</i>")
        lines.append(_e(words(entry, lang)))
    return "\n".join(lines)


def new_message_text(reference: str, entry: Entry, lang: str) -> str:
    _ = translator(lang)
    title = _("New message about confidential report {reference}", reference=reference)
    return _.paragraphs(f"<b>🔒 {_e(title)}</b>", _e(words(entry, lang)))


def focal_keyboard(report_id: int, status: str, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    row = [_button(_("Reply"), "rp", report_id)]
    if status == "open":
        row.append(_button(_("Mark handled"), "hd", report_id))
    return InlineKeyboardMarkup([row])


def listing(lines: list[tuple[str, datetime | None, bool]], handled: int, lang: str, zone: str):
    """/reports: the open reports (reference, sent, anonymous), and how many are handled."""
    _ = translator(lang)
    if not lines:
        text = _("There are no open confidential reports.")
    else:
        rows = [_("Open confidential reports (newest first):")]
        for reference, at, anonymous in lines:
            kind = _("anonymous") if anonymous else _("with name")
            rows.append(f"• {reference} · {_when(at, lang, zone)} · {kind}")
        text = "\n".join(rows)
    if handled:
        text = _.paragraphs(
            text, _.ngettext("{n} report is handled.", "{n} reports are handled.", handled)
        )
    return text


def listing_keyboard(reports: list[tuple[int, str]], lang: str) -> InlineKeyboardMarkup | None:
    _ = translator(lang)
    if not reports:
        return None
    return InlineKeyboardMarkup(
        [[_button(_("Open {reference}", reference=ref), "op", rid)] for rid, ref in reports]
    )


# ---------------------------------------------------------------- the partner's side of a thread


def reply_to_partner(reference: str, text: str, lang: str) -> str:
    _ = translator(lang)
    title = _(
        "Reply from the safeguarding focal point about your report {reference}:",
        reference=reference,
    )
    return _.paragraphs(f"<b>🔒 {_e(title)}</b>", _e(text))


def answer_keyboard(report_id: int, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return InlineKeyboardMarkup([[_button(_("Answer"), "an", report_id)]])


# ---------------------------------------------------------------- notices naming one report
# Each names the report by its reference alone (never by who sent it); ``about`` shows one.

#: to the focal point
REPLY_PROMPT = N_(
    "Type your reply about {reference}. The person reads it here, from the bot; they do "
    "not see your Telegram account. Send /cancel to stop."
)
REPLY_SENT = N_("Your reply about {reference} was sent.")
HANDLED_DONE = N_("{reference} is marked handled.")
ALREADY_HANDLED = N_("{reference} was already marked handled.")
#: to the person who reported
ANSWER_PROMPT = N_(
    "Type or record your answer about {reference}. Only the safeguarding focal point "
    "reads it. Send /cancel to stop."
)
ANSWER_SENT = N_("Sent to the safeguarding focal point ({reference}).")
HANDLED_TO_PARTNER = N_(
    "The safeguarding focal point has marked your report {reference} as handled. "
    "If there is more to say, press Answer."
)


def about(notice: str, reference: str, lang: str) -> str:
    """One of the notices above, in ``lang``, naming the report ``reference``."""
    _ = translator(lang)
    return _(notice, reference=reference)
