"""The choices staff reports share — survey, period, audience — as button keyboards.

Each staff command passes its own callback prefix, so a button names the wizard and step it
answers (``sum:per:last``, ``exp:per:last``) and an old keyboard is recognised as such.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup, Update

from bot import callbacks, periods
from bot.access import Person
from bot.context import BotContext
from bot.handlers import basic, common, router
from bot.i18n import Translator, translator
from bot.keyboards import button, column, grid
from bot.replies import send_text
from bot.services import Services
from storage import flows, organisations
from storage.scopes import Period

if TYPE_CHECKING:
    from bot.handlers.wizard import Press

TREND_QUARTERS = 6


async def pass_on(
    update: Update, context: BotContext, person: Person, *, hint: bool = False
) -> None:
    """Typed text while a staff wizard waits for a button: it is probably meant for something
    else (a J-PAT answer on the NGO side), so let the other handlers have it; if none does,
    ``hint`` says the wizard is waiting for a button rather than "I didn't understand"."""
    if await router.try_fallbacks(update, context, person):
        return
    if hint:
        _ = translator(person.lang)
        await context.reply(_("Please choose with the buttons above, or send /cancel to stop."))
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


async def ask_survey(
    update: Update,
    context: BotContext,
    person: Person,
    flow: str,
    question: str,
    *,
    prefix: str,
    jpat: bool = True,
) -> None:
    """A staff wizard's first step: remember the wizard, then ask which survey."""
    svc = context.svc
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        await flows.put(session, person.user_id, flow, "survey", {}, svc.clock.now())
    await context.reply(question, keyboard=surveys_keyboard(svc, prefix, person.lang, _, jpat=jpat))


async def survey_chosen(
    context: BotContext,
    press: Press,
    step: str,
    key: str,
    question: str,
    keyboard: InlineKeyboardMarkup,
) -> bool:
    """A survey button pressed in the survey step (else False): say which survey it was, keep
    it as ``key``, move on to ``step`` and ask ``question`` with ``keyboard``."""
    _, lang, arg = press._, press.person.lang, press.arg
    if press.action != "sv" or press.flow.step != "survey" or not arg:
        return False
    if not press.svc.surveys.get(arg):
        return False
    survey, _v = press.svc.surveys.get(arg)
    await common.close_keyboard(
        press.query, _("Survey: {title}", title=survey.text_for(survey.title, lang)), lang
    )
    await press.goto(step, {key: arg})
    await send_text(context, press.chat_id, question, lang, keyboard=keyboard)
    return True


async def audience_press(
    update: Update, context: BotContext, press: Press, prefix: str
) -> tuple[bool, dict[str, Any] | None]:
    """The audience steps staff wizards share: all partners, one organisation, or
    organisations with a tag. (False, None): not an audience press. (True, None): handled here
    (asked which organisation or tag, or answered as expired). (True, data): the audience is
    chosen, in ``data`` ("kind", "value", for an organisation its "label") with the wizard's."""
    svc, person, query, flow, _ = press.svc, press.person, press.query, press.flow, press._
    action, arg, lang = press.action, press.arg, person.lang
    if action == "aud" and flow.step == "audience" and arg in ("all", "org", "tag"):
        if arg == "all":
            await common.close_keyboard(query, _("All partners"), lang)
            return True, {**flow.data, "kind": "all", "value": None}
        if arg == "org":
            await common.close_keyboard(query, _("One organisation"), lang)
            await press.goto("organisation", flow.data)
            keyboard = await organisations_keyboard(svc, prefix, _)
            await send_text(
                context, press.chat_id, _("Which organisation?"), lang, keyboard=keyboard
            )
            return True, None
        await common.close_keyboard(query, _("Organisations with a tag"), lang)
        found = await tags(svc)
        await press.goto("tag", {**flow.data, "tags": found})
        text = _("Which tag?") if found else _("No organisation has a tag yet.")
        await send_text(
            context, press.chat_id, text, lang, keyboard=tags_keyboard(prefix, found, _)
        )
        return True, None
    if action == "org" and flow.step == "organisation" and arg and callbacks.is_number(arg):
        async with svc.db.sessions() as session:
            org = await organisations.get(session, int(arg))
        if org is None:
            await common.expired_button(update, context, lang)
            return True, None
        await common.close_keyboard(query, _("Organisation: {name}", name=org.name), lang)
        return True, {**flow.data, "kind": "organisation", "value": str(org.id), "label": org.name}
    found = flow.data.get("tags", [])
    if action == "tag" and flow.step == "tag" and arg and callbacks.is_number(arg):
        if int(arg) < len(found):
            tag = found[int(arg)]
            await common.close_keyboard(query, _("Tag: {tag}", tag=tag), lang)
            return True, {**flow.data, "kind": "tag", "value": tag}
    return False, None


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
