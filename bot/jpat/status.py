"""A partnership's J-PAT at a glance: the menu with the buttons that make sense now, and the
status of a round — whether each side has submitted, never what anyone answered."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update

from bot import callbacks
from bot.access import Person, log_staff_action
from bot.context import BotContext
from bot.i18n import translator
from bot.jpat import service, view
from bot.jpat.access import Seat, ack, say, zone_of
from bot.keyboards import button, column, grid
from bot.services import Services
from bot.surveys.view import button_data
from storage.jpat_rules import CONSOLIDATABLE_STATUSES, VIEWABLE_STATUSES
from storage.models import JpatRound
from storage.surveys import OPEN_STATUSES

AREA = "jp"


async def own_start_button(
    svc: Services, person: Person, round_: JpatRound
) -> InlineKeyboardButton | None:
    """Start (or Continue) for someone the open round is waiting for; None otherwise."""
    if round_.status != "open" or person.contact_id is None:
        return None
    response = await service.own_response(svc, round_.id, person.contact_id)
    if response is None or response.status not in OPEN_STATUSES:
        return None
    _ = translator(person.lang)
    label = _("Continue the J-PAT") if response.started_at else _("Start the J-PAT")
    return button(label, button_data(response.id, "-", "go"))


async def no_round(update: Update, context: BotContext, person: Person, place: Seat) -> None:
    _ = translator(person.lang)
    text = _("There has been no J-PAT round for {name} yet.", name=place.name)
    keyboard = None
    if person.is_staff:
        keyboard = column(
            [button(_("Open a round"), callbacks.data(AREA, "op", place.partnership.id))]
        )
    await ack(update)
    await say(update, context, person, text, keyboard)


async def menu(update: Update, context: BotContext, person: Person, place: Seat) -> None:
    svc = context.svc
    _ = translator(person.lang)
    round_ = await service.current_round(svc, place.partnership.id)
    pid = place.partnership.id
    lines = [_("J-PAT · {name}", name=place.name)]
    buttons = []
    if round_ is None:
        lines.append(_("No round yet."))
    else:
        lines.append(
            _(
                "Round {n}: {status}.",
                n=round_.number,
                status=view.status_name(round_.status, _),
            )
        )
        if round_.status == "open":
            lines.append(
                _(
                    "Answers are due by {date}.",
                    date=view.day(round_.deadline, _, zone_of(person)),
                )
            )
        start = await own_start_button(svc, person, round_)
        if start is not None:
            lines.append(_("Your answers are still to come."))
            buttons.append(start)
        buttons.append(button(_("Status"), callbacks.data(AREA, "st", pid)))
        if round_.status in VIEWABLE_STATUSES:
            buttons.append(button(_("Comparison"), callbacks.data(AREA, "vw", pid)))
    if person.is_staff:
        if round_ is None or round_.status == "final":
            buttons.append(button(_("Open a round"), callbacks.data(AREA, "op", pid)))
        if round_ is not None and round_.status == "open":
            buttons.append(button(_("Close now"), callbacks.data(AREA, "cl", pid)))
        if round_ is not None and round_.status in CONSOLIDATABLE_STATUSES:
            buttons.append(button(_("Record the agreed J-PAT"), callbacks.data(AREA, "cs", pid)))
    elif round_ is not None and round_.status == "consolidated":
        buttons.append(button(_("Confirm or dispute"), callbacks.data(AREA, "sg", pid)))
    buttons.append(button(_("History"), callbacks.data(AREA, "hi", pid)))
    await ack(update)
    await say(update, context, person, "\n".join(lines), grid(buttons, 2))


async def status(update: Update, context: BotContext, person: Person, place: Seat) -> None:
    svc = context.svc
    _ = translator(person.lang)
    round_ = await service.current_round(svc, place.partnership.id)
    if round_ is None:
        await no_round(update, context, person, place)
        return
    if person.is_staff:
        await log_staff_action(
            svc, person, "jpat.status", subject=f"partnership:{place.partnership.id}"
        )
    counts = await service.side_counts(svc, round_.id)
    zone = zone_of(person)
    lines = [
        view.heading(place.name, round_, _),
        _("Status: {status}.", status=view.status_name(round_.status, _)),
    ]
    keyboard = None
    if round_.status == "open":
        lines.append(_("Answers are due by {date}.", date=view.day(round_.deadline, _, zone)))
        # A side sees whether it has submitted; staff also whether the partner side has,
        # because closing early depends on it. Nobody sees answers.
        shown = ["ngo", "partner"] if person.is_staff else [place.side or "partner"]
        for side in shown:
            count = counts[side]
            name = view.side_name(side, _)
            if count.submitted:
                lines.append(
                    _(
                        "{side}: has submitted ({n} of {total} answered).",
                        side=name,
                        n=count.submitted,
                        total=count.members,
                    )
                )
            else:
                lines.append(_("{side}: has not submitted yet.", side=name))
        lines.append(
            _("The answers stay hidden from everyone, staff included, until the round closes.")
        )
        if person.is_staff and all(counts[s].submitted for s in ("ngo", "partner")):
            lines.append(_("Both sides have submitted: you can close the round now."))
            close = callbacks.data(AREA, "cl", place.partnership.id, round_.number)
            keyboard = column([button(_("Close the round now"), close)])
    else:
        keyboard = column(
            [button(_("See the comparison"), callbacks.data(AREA, "vw", place.partnership.id))]
        )
    await ack(update)
    await say(update, context, person, "\n".join(lines), keyboard)
