"""Opening a J-PAT round (with a warning when a side is empty, and a choice of deadline) and
closing one early, once both sides have submitted."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.access import Person, log_staff_action
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.press import Press
from bot.i18n import translator
from bot.jpat import service, view
from bot.jpat.access import Seat, ack, say, send_soon, zone_of
from bot.keyboards import button, column, grid

AREA = "jp"
DEADLINE_DAYS = (7, 14, 21)
#: The last argument of ``op`` once staff chose to open although a side is empty.
ANYWAY = "1"


async def open_(
    update: Update,
    context: BotContext,
    person: Person,
    place: Seat,
    *,
    anyway: bool = False,
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    round_ = await service.current_round(svc, place.partnership.id)
    if round_ is not None and round_.status != "final":
        await ack(update)
        await say(
            update,
            context,
            person,
            _(
                "Round {n} is still under way ({status}). A new round can open once it is final.",
                n=round_.number,
                status=view.status_name(round_.status, _),
            ),
        )
        return
    if not anyway and await warn_empty_side(update, context, person, place):
        return
    number = (round_.number if round_ else 0) + 1
    buttons = [
        button(
            _.ngettext("In {n} day", "In {n} days", days),
            callbacks.data(AREA, "dl", place.partnership.id, days),
        )
        for days in DEADLINE_DAYS
    ]
    if anyway and update.callback_query is not None:  # the warning keeps what was chosen
        await common.close_keyboard(update.callback_query, _("Open the round anyway"), person.lang)
    else:
        await ack(update)
    await say(
        update,
        context,
        person,
        _(
            "Open J-PAT round {n} for {name}: everyone on both sides is invited, each in their own language. By when should they answer?",
            n=number,
            name=place.name,
        ),
        grid(buttons, 3),
    )


async def warn_empty_side(update: Update, context: BotContext, person: Person, place: Seat) -> bool:
    """A side nobody would be asked on: say so before anything is sent, with the choice to
    open anyway or not. True if the warning was shown."""
    svc = context.svc
    _ = translator(person.lang)
    pid = place.partnership.id
    sizes = await service.side_sizes(svc, pid)
    ngo_empty, partner_empty = not sizes.get("ngo"), not sizes.get("partner")
    if not (ngo_empty or partner_empty):
        return False
    if ngo_empty and partner_empty:
        problem = _(
            "Nobody is on either side of {name} yet, so nobody would be asked.", name=place.name
        )
    elif ngo_empty:
        problem = _(
            "Nobody is on the NGO side of {name} yet, so only the partner side would be asked. "
            "Add a colleague on the partnership card (/partnership {id}).",
            name=place.name,
            id=pid,
        )
    else:
        problem = _(
            "Nobody from {name} has joined the bot yet, so nobody on the partner side would be "
            "asked. They can be invited with /invite.",
            name=place.name,
        )
    keyboard = column(
        [
            button(_("Open the round anyway"), callbacks.data(AREA, "op", pid, ANYWAY)),
            button(_("Cancel"), callbacks.data(AREA, "ox", pid)),
        ]
    )
    await ack(update)
    await say(update, context, person, problem, keyboard)
    return True


async def open_with_deadline(press: Press, place: Seat) -> None:
    """The deadline pressed (``press.args``: its days): the round opens and invitations go."""
    svc, person, query, _ = press.svc, press.person, press.query, press._
    rest = press.args
    if not rest or not callbacks.is_number(rest[0]) or int(rest[0]) not in DEADLINE_DAYS:
        await press.expired()
        return
    entry = svc.surveys.get("jpat")
    if entry is None:
        await press.expired()
        return
    _survey, version_id = entry
    opened = await service.open_round(
        svc, place.partnership.id, version_id, int(rest[0]), person.contact_id
    )
    if opened is None:
        await query.answer(_("A round is already under way for this partnership."))
        return
    round_ = opened.round
    await log_staff_action(
        svc,
        person,
        "jpat.open",
        subject=f"partnership:{place.partnership.id}",
        details={"round": round_.id, "number": round_.number, "invited": opened.invited},
    )
    await common.close_keyboard(
        query,
        _.ngettext("Answers due in {n} day", "Answers due in {n} days", int(rest[0])),
        person.lang,
    )
    await press.context.reply(
        _.paragraphs(
            _(
                "Round {n} of the J-PAT for {name} is open until {date}.",
                n=round_.number,
                name=place.name,
                date=view.day(round_.deadline, _, zone_of(person)),
            ),
            _(
                "Invitations are going out now: {ngo} on the NGO side, {partner} on the partner side. "
                "Those who have not answered get at most 2 reminders, never during their quiet hours.",
                ngo=opened.invited["ngo"],
                partner=opened.invited["partner"],
            ),
            _(
                "Nobody, staff included, can see any answers until the round closes. "
                "Follow it with /jpat status."
            ),
        ),
    )
    send_soon(press.context)


async def close(update: Update, context: BotContext, person: Person, place: Seat) -> None:
    svc = context.svc
    _ = translator(person.lang)
    round_ = await service.current_round(svc, place.partnership.id)
    if round_ is None or round_.status != "open":
        text = (
            _("There is no open round to close for {name}.", name=place.name)
            if round_ is None or round_.status == "final"
            else _(
                "Round {n} is already closed. See the comparison with /jpat view.",
                n=round_.number,
            )
        )
        await ack(update)
        await say(update, context, person, text)
        return
    closed = await service.close_early(svc, round_, person.contact_id)
    if not closed:
        await ack(update)
        await say(
            update,
            context,
            person,
            _(
                "The round can close early only once both sides have submitted. Otherwise it closes by itself on {date}.",
                date=view.day(round_.deadline, _, zone_of(person)),
            ),
        )
        return
    await log_staff_action(
        svc,
        person,
        "jpat.close",
        subject=f"partnership:{place.partnership.id}",
        details={"round": round_.id, "early": True},
    )
    if update.callback_query is not None:
        await common.close_keyboard(update.callback_query, _("Round closed."), person.lang)
    await say(
        update,
        context,
        person,
        _(
            "Round {n} is closed. Both sides can now see their answers side by side.",
            n=round_.number,
        ),
        column([button(_("See the comparison"), callbacks.data(AREA, "vw", place.partnership.id))]),
    )
    send_soon(context)
