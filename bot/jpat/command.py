"""/jpat: open a round, follow it blind, close it, compare both sides, read the history.

``/jpat`` alone shows a partnership's J-PAT with the buttons that make sense now;
``/jpat open|status|close|view|consolidate|history [partnership]`` go straight to one of them.
Buttons carry ``jp:<action>:<partnership or round>[:<arg>…]``:

    m menu · op open (op:<pid>:1 past the empty-side warning) · ox cancel that opening
    dl:<pid>:<days> deadline · st status · cl close · vw comparison
    hi history · dn:<round>:<item> action done            (partnership-level: <pid>)
    cs … ok/no: recording the agreed J-PAT and signing it off (``bot.jpat.consolidate``,
    ``bot.jpat.signoff``)

This module only parses the command and the buttons and hands them on: opening and closing
are in ``bot.jpat.rounds``, the menu and status in ``bot.jpat.status``, the comparison and the
history in ``bot.jpat.results``.

Blind phase: while a round is open nobody — staff included — sees any answer; a side sees only
whether it has submitted. Staff-only actions pressed by anyone else get ``refuse``.
"""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.access import Person, refuse
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.press import Press
from bot.i18n import translator
from bot.jpat import consolidate, results, rounds, service, status
from bot.jpat.access import Seat, say, seat, seats
from bot.keyboards import button, column

AREA = "jp"
SUBCOMMANDS = {
    "open": "op",
    "status": "st",
    "close": "cl",
    "view": "vw",
    "consolidate": "cs",
    "history": "hi",
}
STAFF_ONLY = {"op", "ox", "dl", "cl", "dn", *consolidate.STAFF_ACTIONS}
ACTIONS = {
    "m": status.menu,
    "op": rounds.open_,
    "st": status.status,
    "cl": rounds.close,
    "vw": results.comparison,
    "hi": results.history,
    **consolidate.PARTNERSHIP_ACTIONS,
}


async def jpat_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    person = await context.who()
    if not (person.is_staff or person.is_partner):
        await refuse(update, context, person)
        return
    _ = translator(person.lang)
    args = context.args or []
    words = [a.lower().lstrip("#") for a in args]
    action = "m"
    if words and not callbacks.is_number(words[0]):
        action = SUBCOMMANDS.get(words[0], "")
        words = words[1:]
    if not action:
        await say(update, context, person, usage(person))
        return
    if action in STAFF_ONLY and not person.is_staff:
        await refuse(update, context, person)
        return
    if words and callbacks.is_number(
        words[0]
    ):  # looked up by id: any partnership, not only the listed
        place = await seat(svc, person, int(words[0]))
        if place is None:
            await say(update, context, person, _("There is no such partnership for you."))
            return
        await run(update, context, person, action, place)
        return
    choices = await seats(svc, person)
    if not choices:
        text = (
            _("There is no partnership yet. Create one with /partnership new.")
            if person.is_staff
            else _("You are not part of a J-PAT check-in yet.")
        )
        await say(update, context, person, text)
        return
    if len(choices) == 1:
        await run(update, context, person, action, choices[0])
        return
    buttons = [button(s.name, callbacks.data(AREA, action, s.partnership.id)) for s in choices[:20]]
    await say(update, context, person, _("Which partnership?"), column(buttons))


def usage(person: Person) -> str:
    _ = translator(person.lang)
    lines = [
        _("/jpat - the J-PAT check-in of your partnership"),
        _("/jpat status - whether your side has submitted"),
        _("/jpat view - both sides' answers side by side, once the round is closed"),
        _("/jpat history - agreed scores across rounds, and open actions"),
    ]
    if person.is_staff:
        lines += [
            _("/jpat open - open a new round"),
            _("/jpat close - close the round early, once both sides have submitted"),
            _("/jpat consolidate - record the agreed J-PAT after the joint meeting"),
        ]
    return "\n".join(lines)


async def on_button(update: Update, context: BotContext) -> None:
    svc = context.svc
    person = await context.who()
    pieces = callbacks.parts(update.callback_query.data, AREA, minimum=3)
    if not (person.is_staff or person.is_partner) or (
        pieces is not None and pieces[1] in STAFF_ONLY and not person.is_staff
    ):
        await refuse(update, context, person)
        return
    if pieces is None or not callbacks.is_number(pieces[2]):
        await common.expired_button(update, context, person.lang)
        return
    action, target, rest = pieces[1], int(pieces[2]), pieces[3:]
    press = Press(update, context, person, action, rest)
    if action in consolidate.ROUND_ACTIONS:
        await consolidate.on_round_button(press, target)
        return
    if action == "dn":
        await results.action_done(press, target)
        return
    place = await seat(svc, person, target)
    if place is None:
        await common.expired_button(update, context, person.lang)
        return
    if action == "dl":
        await rounds.open_with_deadline(press, place)
        return
    if action == "op" and rest == [rounds.ANYWAY]:
        await rounds.open_(update, context, person, place, anyway=True)
        return
    if action == "ox" and not rest:
        _ = translator(person.lang)
        await common.close_keyboard(update.callback_query, _("Cancelled."), person.lang)
        return
    if action == "cl" and rest and callbacks.is_number(rest[0]):
        # "Close the round now" names its round: an old notice must not close a newer one.
        current = await service.current_round(svc, place.partnership.id)
        if current is None or current.number != int(rest[0]):
            await common.expired_button(update, context, person.lang)
            return
    if action in ACTIONS:
        await run(update, context, person, action, place)
        return
    await common.expired_button(update, context, person.lang)


async def run(
    update: Update, context: BotContext, person: Person, action: str, place: Seat
) -> None:
    handler = ACTIONS.get(action)
    if handler is None:
        await common.expired_button(update, context, person.lang)
        return
    await handler(update, context, person, place)
