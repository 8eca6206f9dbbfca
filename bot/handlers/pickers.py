"""The choices staff reports share — survey, period, audience — as button keyboards.

Each staff command passes its own callback prefix, so a button names the wizard and step it
answers (``sum:per:last``, ``exp:per:last``) and an old keyboard is recognised as such.
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import callbacks, periods
from bot.access import Person
from bot.handlers import basic, router
from bot.i18n import Translator, translator
from bot.keyboards import button, column, grid
from bot.replies import send_text
from bot.services import Services
from storage import organisations
from storage.summaries import Period

TREND_QUARTERS = 6


async def pass_on(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, *, hint: bool = False
) -> None:
    """Typed text while a staff wizard waits for a button: it is probably meant for something
    else (a J-PAT answer on the NGO side), so let the other handlers have it; if none does,
    ``hint`` says the wizard is waiting for a button rather than "I didn't understand"."""
    if await router.try_fallbacks(update, context, person):
        return
    if hint:
        _ = translator(person.lang)
        await send_text(
            context,
            update.effective_chat.id,
            _("Please choose with the buttons above, or send /cancel to stop."),
            person.lang,
        )
        return
    await basic.not_understood(update, context)


def cancel_button(prefix: str, _: Translator):  # type: ignore[no-untyped-def]
    return button(_("Cancel"), callbacks.data(prefix, "cancel"))


def surveys_keyboard(
    svc: Services, prefix: str, lang: str, _: Translator, *, jpat: bool = True
) -> InlineKeyboardMarkup:
    buttons = [
        button(survey.text_for(survey.title, lang), callbacks.data(prefix, "sv", survey_id))
        for survey_id, (survey, _v) in sorted(svc.surveys.current.items())
        if jpat or survey_id != "jpat"
    ]
    return column([*buttons, cancel_button(prefix, _)])


def periods_keyboard(prefix: str, _: Translator, choices: tuple[str, ...]) -> InlineKeyboardMarkup:
    names = {
        "this": _("This quarter"),
        "last": _("Last quarter"),
        "all": _("All time"),
        "custom": _("Choose dates"),
        "trend": _("Trend by quarter"),
    }
    buttons = [button(names[c], callbacks.data(prefix, "per", c)) for c in choices]
    return grid([*buttons, cancel_button(prefix, _)], 2)


def audience_keyboard(prefix: str, _: Translator) -> InlineKeyboardMarkup:
    return column(
        [
            button(_("All partners"), callbacks.data(prefix, "aud", "all")),
            button(_("One organisation"), callbacks.data(prefix, "aud", "org")),
            button(_("Organisations with a tag"), callbacks.data(prefix, "aud", "tag")),
            cancel_button(prefix, _),
        ]
    )


async def organisations_keyboard(svc: Services, prefix: str, _: Translator) -> InlineKeyboardMarkup:
    async with svc.db.sessions() as session:
        orgs = await organisations.listing(session, limit=20)
    buttons = [button(org.name, callbacks.data(prefix, "org", org.id)) for org, _n in orgs]
    return column([*buttons, cancel_button(prefix, _)])


async def tags(svc: Services) -> list[str]:
    async with svc.db.sessions() as session:
        return await organisations.all_tags(session, limit=20)


def tags_keyboard(prefix: str, found: list[str], _: Translator) -> InlineKeyboardMarkup:
    buttons = [button(tag, callbacks.data(prefix, "tag", i)) for i, tag in enumerate(found)]
    return grid([*buttons, cancel_button(prefix, _)], 2)


def period_of(choice: str, now: datetime, zone: str | None, data: dict) -> Period:
    """The period a wizard's choice stands for (custom dates are kept as ISO strings)."""
    if choice == "this":
        return periods.quarter(now, zone, 0)
    if choice == "last":
        return periods.quarter(now, zone, 1)
    if choice == "custom" and data.get("start") and data.get("end"):
        typed = Period(datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"]))
        return periods.whole_quarters(typed, zone)
    return Period()


def window_zone(svc: Services) -> str:
    """Release windows are quarters in the organisation's zone, the same for every reader
    (disclosure rule 5): two staff members in different zones asking for "this quarter" must
    not get windows a few hours apart."""
    return svc.settings.default_timezone


def window_name(period: Period, campaign_id: int | None = None, round_id: int | None = None) -> str:
    """How the release record names a window."""
    if round_id is not None:
        return f"round:{round_id}"
    if campaign_id is not None:
        return f"campaign:{campaign_id}"
    if period.start is None and period.end is None:
        return "all"
    start = period.start.date().isoformat() if period.start else ""
    end = period.end.date().isoformat() if period.end else ""
    return f"{start}/{end}"


def period_text(choice: str, period: Period, zone: str | None, _: Translator) -> str:
    if choice == "all" or period.start is None:
        return _("All time")
    return periods.label(period, zone, _.locale)
