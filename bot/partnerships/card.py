"""The list of partnerships, a partnership's card, and the card's edits: the stage, the J-PAT
interval and who is on the NGO side (the start date is typed: ``bot.partnerships.start_date``).

Edit buttons name the partnership and the change (``pt:<action>:<partnership>[:<value>]``),
and apply only if the change still makes sense.
"""

from __future__ import annotations

from bot import callbacks
from bot.access import Person, log_staff_action
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.press import Press
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


async def on_button(press: Press, partnership: Partnership) -> None:
    """A press on the card or on one of its questions."""
    svc, person, query, _ = press.svc, press.person, press.query, press._
    context, chat_id, action, arg = press.context, press.chat_id, press.action, press.arg
    pid = partnership.id

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
        await _changed(press, pid, "stage", {"stage": arg}, shown)
        return
    if action == "sc" and arg in partnerships.CADENCES:
        await service.set_cadence(svc, pid, arg)
        shown = view.cadence_line(arg, person.lang)
        await _changed(press, pid, "cadence", {"cadence": arg}, shown)
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
        await _change_member(press, pid, int(arg))
        return
    await press.expired()


async def _change_member(press: Press, pid: int, contact_id: int) -> None:
    """Add (``am``) or remove (``rm``) someone on the NGO side, if that still makes sense."""
    _, action = press._, press.action
    change = await service.change_member(press.svc, pid, contact_id, add=action == "am")
    if not change.ok:
        if action == "rm" and change.side == "ngo":
            await press.query.answer(_("The NGO side needs at least one member."))
        else:
            await press.expired()
        return
    assert change.contact is not None
    name = view.person_name(change.contact, _)
    if action == "am":
        what, shown = "member_add", _("{name} joined the NGO side.", name=name)
    else:
        what, shown = "member_remove", _("{name} left the NGO side.", name=name)
    await _changed(press, pid, what, {"contact": contact_id}, shown)


async def _changed(press: Press, pid: int, what: str, details: dict, shown: str) -> None:
    """After a change from the card: audited, the pressed message says what changed, and the
    card is shown again."""
    svc, person = press.svc, press.person
    await log_staff_action(svc, person, f"partnership.{what}", f"partnership:{pid}", details)
    await common.close_keyboard(press.query, shown, person.lang)
    await show_card(press.context, press.chat_id, person, pid)
