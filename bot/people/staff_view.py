"""How the staff side reads: the /invite questions, the invitation made, /invites, and the
lists of staff and of safeguarding focal points."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from telegram import InlineKeyboardMarkup

from bot import callbacks, countries
from bot.i18n import translator
from bot.keyboards import button, column, grid
from storage.models import Contact, Invite, Organisation

USES = (1, 3, 5, 10)
DAYS = (7, 14, 30)


# ---------------------------------------------------------------- invitations


def organisation_question(
    lang: str, orgs: list[tuple[Organisation, int]]
) -> tuple[str, InlineKeyboardMarkup]:
    _ = translator(lang)
    buttons = [button(org.name, callbacks.data("inv", "org", org.id)) for org, _n in orgs]
    buttons.append(button(_("+ New organisation"), callbacks.data("inv", "new")))
    buttons.append(button(_("Cancel"), callbacks.data("inv", "cancel")))
    return _("Which organisation is this invitation for?"), column(buttons)


def uses_question(lang: str) -> tuple[str, InlineKeyboardMarkup]:
    _ = translator(lang)
    buttons = [button(str(n), callbacks.data("inv", "uses", n)) for n in USES]
    buttons.append(button(_("Cancel"), callbacks.data("inv", "cancel")))
    text = _("How many people may use this link? (Usually one: the focal person.)")
    return text, grid(buttons, 4)


def days_question(lang: str) -> tuple[str, InlineKeyboardMarkup]:
    _ = translator(lang)
    buttons = [
        button(_.ngettext("{n} day", "{n} days", n), callbacks.data("inv", "days", n)) for n in DAYS
    ]
    keyboard = grid([*buttons, button(_("Cancel"), callbacks.data("inv", "cancel"))], 3)
    return _("How long should the link stay valid?"), keyboard


def country_question(lang: str) -> str:
    _ = translator(lang)
    return _(
        "Which country does it work in? Send the country's name or its two-letter code (for example KE)."
    )


def unknown_country_text(lang: str, suggestions: list[str]) -> str:
    _ = translator(lang)
    hint = ", ".join(f"{countries.name(c, lang)} ({c})" for c in suggestions)
    message = _("I don't know that country. Please try again.")
    if hint:
        message = _.paragraphs(message, _("Did you mean: {names}?", names=hint))
    return message


def tags_question(lang: str, code: str) -> tuple[str, InlineKeyboardMarkup]:
    _ = translator(lang)
    keyboard = column([button(_("Skip"), callbacks.data("inv", "skip"))])
    text = _.paragraphs(
        _("Country: {country}", country=countries.name(code, lang)),
        _(
            "Send tags for this organisation, separated by commas (for example: refugee-led, women, health), or press Skip."
        ),
    )
    return text, keyboard


def invitation_text(lang: str, org_name: str, link: str, uses: int, until: date) -> str:
    _ = translator(lang)
    last_day = format_date(until, "long", locale=_.locale)
    return _.paragraphs(
        _("Here is the invitation for {name}:", name=org_name),
        link,
        _.ngettext(
            "It can be used once, until {date}. Forward it to the partner's focal person.",
            "It can be used {n} times, until {date}. Forward it to the partner's focal person.",
            uses,
            date=last_day,
        ),
    )


def open_invites_listing(
    lang: str, rows: list[tuple[Invite, str | None, date]]
) -> tuple[str, InlineKeyboardMarkup]:
    """Each open invitation (with the last day it is valid), and a Revoke button for it."""
    _ = translator(lang)
    lines = [_("Invitations that can still be used:")]
    buttons = []
    for invite, org_name, last_day in rows:
        lines.append(
            _(
                "#{id} {who}: {used} of {max} uses, valid until {date}",
                id=invite.id,
                who=org_name or _("staff"),
                used=invite.uses,
                max=invite.max_uses,
                date=format_date(last_day, "medium", locale=_.locale),
            )
        )
        buttons.append(
            button(_("Revoke #{id}", id=invite.id), callbacks.data("inv", "revoke", invite.id))
        )
    return "\n".join(lines), grid(buttons, 2)


# ---------------------------------------------------------------- staff, focal points


def staff_invite_text(lang: str, link: str) -> str:
    _ = translator(lang)
    return _.paragraphs(
        _("To add a staff member, send them this link (valid for 7 days, one person):"),
        link,
        _(
            "Or forward me any message they wrote, or send /staff add followed by their Telegram user id."
        ),
    )


def staff_listing(lang: str, members: list[Contact]) -> tuple[str, InlineKeyboardMarkup]:
    _ = translator(lang)
    lines = [_("Staff members:")]
    buttons = []
    for member in members:
        lines.append(f"• {member.display_name or '-'} ({member.telegram_user_id})")
        buttons.append(
            button(
                _("Remove {who}", who=member.display_name or member.telegram_user_id),
                callbacks.data("stf", "rm", member.telegram_user_id),
            )
        )
    return "\n".join(lines), column(buttons)


def focal_points_listing(
    lang: str, points: list[tuple[str, int, bool]]
) -> tuple[str, InlineKeyboardMarkup]:
    """(name, Telegram user id, whether they may still read reports) for each focal point."""
    _ = translator(lang)
    lines = [_("Safeguarding focal points (only they read confidential reports):")]
    buttons = []
    for name, user_id, may_read in points:
        line = f"• {name} ({user_id})"
        if not may_read:
            line += " " + _("(no longer staff: receives nothing)")
        lines.append(line)
        buttons.append(button(_("Remove {who}", who=name), callbacks.data("stf", "sgrm", user_id)))
    return "\n".join(lines), column(buttons)
