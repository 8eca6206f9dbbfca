"""The list of partnerships, a partnership's card, and the card's edits: the stage, the J-PAT
interval and who is on the NGO side (the start date is typed: ``bot.partnerships.start_date``).

Edit buttons name the partnership and the change (``pt:<action>:<partnership>[:<value>]``),
and apply only if the change still makes sense.
"""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.access import Person, log_staff_action
from bot.context import BotContext
from bot.handlers import common
from bot.i18n import translator
from bot.partnerships import service, view
from bot.replies import send_text
from storage import partnerships
from storage.models import Partnership


async def show_list(context: BotContext, chat_id: int, person: Person) -> None:
    svc = context.svc
    rows = await service.listing(svc)
    await log_staff_action(svc, person, "partnership.list")
    text = view.listing_text(rows, person.lang, person.zone("UTC"))
    keyboard = view.listing_keyboard(rows, person.lang)
    await send_text(context, chat_id, text, person.lang, keyboard=keyboard)


async def show_card(context: BotContext, chat_id: int, person: Person, partnership_id: int) -> bool:
    """The partnership, its sides and the buttons to change it; False if it does not exist."""
    svc = context.svc
    found = await service.card(svc, partnership_id)
    if found is None:
        await send_text(context, chat_id, view.no_such(partnership_id, person.lang), person.lang)
        return False
    await log_staff_action(svc, person, "partnership.view", subject=f"partnership:{partnership_id}")
    text = view.card_text(
        found.partnership, found.members, found.active, person.lang, person.zone("UTC")
    )
    keyboard = view.card_keyboard(found.partnership.id, person.lang)
    await send_text(context, chat_id, text, person.lang, keyboard=keyboard)
    return True


async def on_button(
    update: Update,
    context: BotContext,
    person: Person,
    partnership: Partnership,
    action: str,
    args: list[str],
) -> None:
    """A press on the card or on one of its questions."""
    svc = context.svc
    _ = translator(person.lang)
    query = update.callback_query
    chat_id = update.effective_chat.id
    pid = partnership.id
    arg = args[0] if args else None

    if action == "e":
        await query.answer()
        await show_card(context, chat_id, person, pid)
        return
    if action in ("es", "ec"):
        await query.answer()
        if action == "es":
            text = _("Which stage is the partnership in now?")
            keyboard = view.stage_keyboard(person.lang, "ss", pid)
        else:
            text = _("How often should both sides do the J-PAT check-in?")
            keyboard = view.cadence_keyboard(person.lang, "sc", pid)
        await context.reply(text, keyboard=keyboard)
        return
    if action == "ss" and arg in partnerships.STAGES:
        await service.set_stage(svc, pid, arg)
        shown = view.stage_line(arg, person.lang)
        await _changed(update, context, person, pid, "stage", {"stage": arg}, shown)
        return
    if action == "sc" and arg in partnerships.CADENCES:
        await service.set_cadence(svc, pid, arg)
        shown = view.cadence_line(arg, person.lang)
        await _changed(update, context, person, pid, "cadence", {"cadence": arg}, shown)
        return
    if action == "ea":
        candidates = await service.staff_not_on_ngo_side(svc, pid)
        await query.answer()
        if not candidates:
            await context.reply(
                _("Every staff member is already on the NGO side of this partnership.")
            )
            return
        await context.reply(
            _("Who should join the NGO side?"),
            keyboard=view.members_keyboard(candidates[:20], "am", pid, person.lang),
        )
        return
    if action == "er":
        ngo = await service.ngo_side(svc, pid)
        await query.answer()
        await context.reply(
            _("Who should leave the NGO side?"),
            keyboard=view.members_keyboard(ngo, "rm", pid, person.lang),
        )
        return
    if action in ("am", "rm") and arg and callbacks.is_number(arg):
        await _change_member(update, context, person, pid, action, int(arg))
        return
    await common.expired_button(update, context, person.lang)


async def _change_member(
    update: Update,
    context: BotContext,
    person: Person,
    pid: int,
    action: str,
    contact_id: int,
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    query = update.callback_query
    change = await service.change_member(svc, pid, contact_id, add=action == "am")
    if not change.ok:
        if action == "rm" and change.side == "ngo":
            await query.answer(_("The NGO side needs at least one member."))
        else:
            await common.expired_button(update, context, person.lang)
        return
    assert change.contact is not None
    name = view.person_name(change.contact, _)
    if action == "am":
        what, shown = "member_add", _("{name} joined the NGO side.", name=name)
    else:
        what, shown = "member_remove", _("{name} left the NGO side.", name=name)
    await _changed(update, context, person, pid, what, {"contact": contact_id}, shown)


async def _changed(
    update: Update,
    context: BotContext,
    person: Person,
    pid: int,
    what: str,
    details: dict,
    shown: str,
) -> None:
    """After a change from the card: audited, the pressed message says what changed, and the
    card is shown again."""
    svc = context.svc
    await log_staff_action(svc, person, f"partnership.{what}", f"partnership:{pid}", details)
    await common.close_keyboard(update.callback_query, shown, person.lang)
    await show_card(context, update.effective_chat.id, person, pid)
