"""How /mydata and /forget read: the copy of everything stored about a person, what forgetting
erases and what it keeps."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime
from telegram import InlineKeyboardMarkup

from bot import callbacks, timezones
from bot.i18n import NATIVE_NAMES, Translator, translator
from bot.keyboards import button, column
from bot.periods import zone_info
from storage import contacts
from storage.models import Contact, Organisation


def my_data_lines(
    contact: Contact, org: Organisation | None, lang: str, shown_zone: str, sections: list[str]
) -> list[str]:
    """Everything stored about the person, a line each, with each feature's section."""
    _ = translator(lang)
    locale = _.locale

    def when(moment: object) -> str:
        if moment is None:
            return "-"
        return format_datetime(moment, "medium", tzinfo=zone_info(contact.timezone), locale=locale)

    status_names = {
        "active": _("receiving reminders and surveys"),
        "stopped": _("stopped (no reminders or surveys)"),
        "blocked": _("bot blocked in Telegram"),
    }
    lines = [
        _("Everything stored about you"),
        "",
        _("Name: {name}", name=contact.display_name or "-"),
        _("Telegram user id: {id}", id=contact.telegram_user_id),
        _("Organisation: {org}", org=org.name if org else "-"),
        _("Role: {role}", role=_("staff") if contact.role in ("staff", "admin") else _("partner")),
        _("Language: {lang}", lang=NATIVE_NAMES.get(contact.language, contact.language)),
        _("Time zone: {zone}", zone=shown_zone),
        _("Quiet hours: {start}–{end}", start=contact.quiet_start, end=contact.quiet_end),
        _("Reminders: {status}", status=status_names.get(contact.status, contact.status)),
        _(
            "Reports to funders: {choice}",
            choice=_("may name your organisation")
            if contact.attribution == "attributed"
            else _("totals only"),
        ),
        _("Agreed to data use on: {when}", when=when(contact.consent_at)),
        _("Registered on: {when}", when=when(contact.created_at)),
    ]
    for part in sections:
        if part:
            lines += ["", part]
    lines += ["", _("To delete your personal data, send /forget.")]
    return lines


def after_forgetting_text(_: Translator, threshold: int) -> str:
    """What /mydata tells someone the bot no longer knows. Nothing links a Telegram account to
    a forgotten person's answers any more (that is the point), so it cannot say how many were
    kept: it says what forgetting keeps, for anyone who used /forget."""
    return _(
        "If you deleted your data with /forget: we removed your name, your words and your "
        "place in every list. Answers you gave were kept only as numbers and choices, counted "
        "only in totals of at least {k} people, so nobody can trace them to you. Nothing links "
        "them to your Telegram account any more, so I cannot show them to you.",
        k=threshold,
    )


def kept_text(_: Translator, kept: contacts.Kept, threshold: int, *, done: bool) -> str:
    """How many answers stay as numbers and choices, and why nobody can trace them: said
    before the person confirms (``done=False``) and again once it is done."""
    if done:
        if not kept.answers:
            return _("We kept none of your answers.")
        return _.ngettext(
            "We kept {n} answer as a number or a choice, counted only in totals of at least "
            "{k} people, so nobody can trace it to you.",
            "We kept {n} answers as numbers and choices, counted only in totals of at least "
            "{k} people, so nobody can trace them to you.",
            kept.answers,
            k=threshold,
        )
    if not kept.answers:
        return _("None of your answers will be kept.")
    return _.ngettext(
        "We keep {n} answer as a number or a choice, counted only in totals of at least {k} "
        "people, so nobody can trace it to you.",
        "We keep {n} answers as numbers and choices, counted only in totals of at least {k} "
        "people, so nobody can trace them to you.",
        kept.answers,
        k=threshold,
    )


def forget_question(
    lang: str, kept: contacts.Kept, threshold: int
) -> tuple[str, InlineKeyboardMarkup]:
    _ = translator(lang)
    keyboard = column(
        [
            button(_("Yes, delete my data"), callbacks.data("set", "forget", "yes")),
            button(_("No, keep it"), callbacks.data("set", "forget", "no")),
        ]
    )
    words = (
        _.ngettext(
            "Your words are erased: {n} answer you typed or recorded, and any comments you wrote.",
            "Your words are erased: {n} answers you typed or recorded, and any comments you wrote.",
            kept.words,
        )
        if kept.words
        else _("Your words are erased: any comments you wrote.")
    )
    text = _.paragraphs(
        _(
            "This deletes your name, the connection to your Telegram account and your "
            "settings, and takes you off every list that names people (partnerships, "
            "meetings, who has answered)."
        ),
        words,
        kept_text(_, kept, threshold, done=False),
        _("I will not message you again unless you join with a new invitation."),
        _("Do you want to delete your data?"),
    )
    return text, keyboard


def forgotten_text(lang: str, kept: contacts.Kept, threshold: int) -> str:
    _ = translator(lang)
    return _.paragraphs(
        _(
            "Your personal data has been deleted. We removed your name, your words and "
            "your place in every list."
        ),
        kept_text(_, kept, threshold, done=True),
        _("Thank you for the time you gave us."),
    )


def shown_zone(zone: str, lang: str, now: datetime) -> str:
    """The person's time zone as they read it, also one this build no longer knows."""
    return (
        timezones.label(zone, lang, now)
        if timezones.is_zone(zone)
        else timezones.zone_label(zone, lang)
    )
