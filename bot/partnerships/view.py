"""What /partnership looks like in chat: the listing, a partnership's card, the wizard's
questions and the keyboards of both.

Buttons carry ``pt:<action>[:<partnership>][:<value>]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import Translator, translator
from bot.jpat.view import day
from bot.keyboards import button, column, grid
from storage import contacts, partnerships
from storage.models import Contact, Organisation, Partnership
from storage.partnerships import PartnershipRow

AREA = "pt"


def stage_name(stage: str, _: Translator) -> str:
    return {
        "inception": _("inception"),
        "ongoing": _("ongoing"),
        "closing": _("closing"),
    }.get(stage, stage)


def cadence_name(cadence: str, _: Translator) -> str:
    return {
        "monthly": _("every month"),
        "quarterly": _("every 3 months"),
        "biannual": _("every 6 months"),
        "annual": _("every year"),
        "none": _("no regular check-ins"),
    }.get(cadence, cadence)


def person_name(contact: Contact, _: Translator) -> str:
    if contact.display_name:
        return contact.display_name
    if contacts.not_started(contact) and contact.telegram_user_id is not None:
        # An admin (or staff added by id) who has not written to the bot yet.
        return _("Telegram user {id}", id=contact.telegram_user_id)
    return _("(no name)")


def no_such(pid: int, lang: str) -> str:
    _ = translator(lang)
    return _("There is no partnership #{id}.", id=pid)


def start_date_line(when: date, lang: str) -> str:
    _ = translator(lang)
    return _("Start date: {date}", date=day(when, _))


def stage_line(stage: str, lang: str) -> str:
    _ = translator(lang)
    return _("Stage: {stage}", stage=stage_name(stage, _))


def cadence_line(cadence: str, lang: str) -> str:
    _ = translator(lang)
    return _("J-PAT check-ins: {cadence}", cadence=cadence_name(cadence, _))


def type_a_date(example: str, lang: str) -> str:
    _ = translator(lang)
    return _("Please type a date, for example {example}.", example=example)


# ------------------------------------------------------------------------------ the listing


def listing_text(rows: Sequence[PartnershipRow], lang: str, zone: str) -> str:
    _ = translator(lang)
    if not rows:
        return _("No partnership yet. Create one with the button below.")
    lines = [_("Partnerships:")]
    for row in rows:
        p = row.partnership
        lines.append(
            _(
                "#{id} {name}: {stage}, J-PAT {cadence}, next check-in {date}; NGO side {ngo}, partner side {partner}",
                id=p.id,
                name=row.organisation,
                stage=stage_name(p.stage, _),
                cadence=cadence_name(p.cadence, _),
                date=day(p.next_round_at, _, zone),
                ngo=row.ngo_members,
                partner=row.partner_members,
            )
        )
    return "\n\n".join(lines)


def listing_keyboard(rows: Sequence[PartnershipRow], lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    buttons = [
        button(
            _("Edit #{id} {name}", id=row.partnership.id, name=row.organisation),
            callbacks.data(AREA, "e", row.partnership.id),
        )
        for row in rows[:12]
    ]
    buttons.append(button(_("New partnership"), callbacks.data(AREA, "new")))
    return column(buttons)


# ------------------------------------------------------------------------------ the card


def card_text(
    partnership: Partnership,
    members: Sequence[tuple[Contact, str]],
    active: bool,
    lang: str,
    zone: str,
) -> str:
    """The partnership and its sides."""
    _ = translator(lang)
    if partnership.next_round_at is not None:
        next_line = _("Next J-PAT check-in: {date}", date=day(partnership.next_round_at, _, zone))
    elif active:
        next_line = _("Next J-PAT check-in: planned once the current round is final")
    else:
        next_line = _("Next J-PAT check-in: none planned")

    def names(side: str) -> str:
        found = [person_name(c, _) for c, s in members if s == side]
        return ", ".join(found) if found else _("nobody yet")

    return "\n".join(
        [
            _("Partnership #{id}: {name}", id=partnership.id, name=partnership.name or ""),
            _("Started: {date}", date=day(partnership.start_date, _)),
            _("Stage: {stage}", stage=stage_name(partnership.stage, _)),
            _("J-PAT check-ins: {cadence}", cadence=cadence_name(partnership.cadence, _)),
            next_line,
            _("NGO side: {names}", names=names("ngo")),
            _("Partner side: {names}", names=names("partner")),
        ]
    )


def card_keyboard(pid: int, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return column(
        [
            button(_("Change the start date"), callbacks.data(AREA, "ed", pid)),
            button(_("Change the stage"), callbacks.data(AREA, "es", pid)),
            button(_("Change the J-PAT interval"), callbacks.data(AREA, "ec", pid)),
            button(_("Add an NGO colleague"), callbacks.data(AREA, "ea", pid)),
            button(_("Remove an NGO colleague"), callbacks.data(AREA, "er", pid)),
        ]
    )


def stage_keyboard(lang: str, *prefix: object) -> InlineKeyboardMarkup:
    """One button per stage: ``pt:<prefix…>:<stage>``."""
    _ = translator(lang)
    return column(
        [button(stage_name(s, _), callbacks.data(AREA, *prefix, s)) for s in partnerships.STAGES]
    )


def cadence_keyboard(lang: str, *prefix: object) -> InlineKeyboardMarkup:
    """One button per J-PAT interval: ``pt:<prefix…>:<cadence>``."""
    _ = translator(lang)
    return column(
        [
            button(cadence_name(c, _), callbacks.data(AREA, *prefix, c))
            for c in partnerships.CADENCES
        ]
    )


def members_keyboard(
    people: Sequence[Contact], action: str, pid: int, lang: str
) -> InlineKeyboardMarkup | None:
    """One button per person (``pt:am|rm:<partnership>:<contact>``); None for nobody."""
    _ = translator(lang)
    buttons = [button(person_name(c, _), callbacks.data(AREA, action, pid, c.id)) for c in people]
    return column(buttons) if buttons else None


# ------------------------------------------------------------------------------ the wizard


def organisations_keyboard(orgs: Sequence[Organisation], lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    buttons = [button(org.name, callbacks.data(AREA, "org", org.id)) for org in orgs]
    buttons.append(button(_("Cancel"), callbacks.data(AREA, "x")))
    return column(buttons)


def start_prompt(example: str, lang: str) -> str:
    _ = translator(lang)
    return _(
        "When did the partnership start? Type the date, for example {example}, or press Today.",
        example=example,
    )


def start_keyboard(lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return grid(
        [
            button(_("Today"), callbacks.data(AREA, "sd", "today")),
            button(_("Cancel"), callbacks.data(AREA, "x")),
        ]
    )


def keep_future_text(when: date, lang: str) -> str:
    _ = translator(lang)
    return _("{date} is in the future. Keep it as the start date?", date=day(when, _))


def keep_future_keyboard(lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return column(
        [
            button(_("Yes, keep it"), callbacks.data(AREA, "fk")),
            button(_("No, type another date"), callbacks.data(AREA, "fn")),
            button(_("Cancel"), callbacks.data(AREA, "x")),
        ]
    )


def created_text(pid: int, name: str | None, partner_side: bool, lang: str) -> str:
    _ = translator(lang)
    lines = [_("Partnership #{id} with {name} created.", id=pid, name=name)]
    if not partner_side:
        lines.append(
            _(
                "Nobody from this organisation has joined the bot yet: they join the partner side when they do."
            )
        )
    return "\n".join(lines)
