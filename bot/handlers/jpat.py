"""/jpat: open a round, follow it blind, close it, compare both sides, read the history.

``/jpat`` alone shows a partnership's J-PAT with the buttons that make sense now;
``/jpat open|status|close|view|consolidate|history [partnership]`` go straight to one of them.
Buttons carry ``jp:<action>:<partnership or round>[:<arg>…]``:

    m menu · op open (op:<pid>:1 past the empty-side warning) · ox cancel that opening
    dl:<pid>:<days> deadline · st status · cl close · vw comparison
    hi history · dn:<round>:<item> action done            (partnership-level: <pid>)
    cs … ok/no: recording the agreed J-PAT and signing it off (``jpat_consolidate``)

Blind phase: while a round is open nobody — staff included — sees any answer; a side sees only
whether it has submitted. Staff-only actions pressed by anyone else get ``refuse``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from bot import callbacks, charts, jpat_view
from bot.access import Person, log_staff_action, person_of, refuse
from bot.handlers import common, jpat_consolidate
from bot.handlers.jpat_access import (
    Seat,
    ack,
    current_round,
    say,
    seat,
    seats,
    send_soon,
    survey_of,
    today_for,
    zone_of,
)
from bot.i18n import bidi, translator
from bot.keyboards import button, column, grid
from bot.services import Services, services
from bot.survey_view import button_data
from storage import jpat as store
from storage import partnerships
from storage.models import JpatRound
from storage.surveys import OPEN_STATUSES

log = logging.getLogger(__name__)
AREA = "jp"
DEADLINE_DAYS = (7, 14, 21)
SUBCOMMANDS = {
    "open": "op",
    "status": "st",
    "close": "cl",
    "view": "vw",
    "consolidate": "cs",
    "history": "hi",
}
STAFF_ONLY = {"op", "ox", "dl", "cl", "dn", *jpat_consolidate.STAFF_ACTIONS}
#: The last argument of ``op`` once staff chose to open although a side is empty.
ANYWAY = "1"


# ------------------------------------------------------------------------------ entry points


async def jpat_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
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


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
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
    if action in jpat_consolidate.ROUND_ACTIONS:
        await jpat_consolidate.on_round_button(update, context, person, action, target, rest)
        return
    if action == "dn":
        await _action_done(update, context, person, target, rest)
        return
    place = await seat(svc, person, target)
    if place is None:
        await common.expired_button(update, context, person.lang)
        return
    if action == "dl":
        await _open_with_deadline(update, context, person, place, rest)
        return
    if action == "op" and rest == [ANYWAY]:
        await _open(update, context, person, place, anyway=True)
        return
    if action == "ox" and not rest:
        _ = translator(person.lang)
        await common.close_keyboard(update.callback_query, _("Cancelled."), person.lang)
        return
    if action == "cl" and rest and callbacks.is_number(rest[0]):
        # "Close the round now" names its round: an old notice must not close a newer one.
        current = await current_round(svc, place)
        if current is None or current.number != int(rest[0]):
            await common.expired_button(update, context, person.lang)
            return
    if action in ACTIONS or action in jpat_consolidate.PARTNERSHIP_ACTIONS:
        await run(update, context, person, action, place)
        return
    await common.expired_button(update, context, person.lang)


async def run(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, action: str, place: Seat
) -> None:
    handler = ACTIONS.get(action) or jpat_consolidate.PARTNERSHIP_ACTIONS.get(action)
    if handler is None:
        await common.expired_button(update, context, person.lang)
        return
    await handler(update, context, person, place)


# ------------------------------------------------------------------------------ helpers


async def own_start_button(
    svc: Services, person: Person, round_: JpatRound
) -> InlineKeyboardButton | None:
    """Start (or Continue) for someone the open round is waiting for; None otherwise."""
    if round_.status != "open" or person.contact_id is None:
        return None
    async with svc.db.sessions() as session:
        response = await store.own_response(session, round_.id, person.contact_id)
    if response is None or response.status not in OPEN_STATUSES:
        return None
    _ = translator(person.lang)
    label = _("Continue the J-PAT") if response.started_at else _("Start the J-PAT")
    return button(label, button_data(response.id, "-", "go"))


async def _no_round(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, place: Seat
) -> None:
    _ = translator(person.lang)
    text = _("There has been no J-PAT round for {name} yet.", name=place.name)
    keyboard = None
    if person.is_staff:
        keyboard = column(
            [button(_("Open a round"), callbacks.data(AREA, "op", place.partnership.id))]
        )
    await ack(update)
    await say(update, context, person, text, keyboard)


# ------------------------------------------------------------------------------ menu


async def _menu(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, place: Seat
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    round_ = await current_round(svc, place)
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
                status=jpat_view.status_name(round_.status, _),
            )
        )
        if round_.status == "open":
            lines.append(
                _(
                    "Answers are due by {date}.",
                    date=jpat_view.day(round_.deadline, _, zone_of(person)),
                )
            )
        start = await own_start_button(svc, person, round_)
        if start is not None:
            lines.append(_("Your answers are still to come."))
            buttons.append(start)
        buttons.append(button(_("Status"), callbacks.data(AREA, "st", pid)))
        if round_.status in store.VIEWABLE_STATUSES:
            buttons.append(button(_("Comparison"), callbacks.data(AREA, "vw", pid)))
    if person.is_staff:
        if round_ is None or round_.status == "final":
            buttons.append(button(_("Open a round"), callbacks.data(AREA, "op", pid)))
        if round_ is not None and round_.status == "open":
            buttons.append(button(_("Close now"), callbacks.data(AREA, "cl", pid)))
        if round_ is not None and round_.status in store.CONSOLIDATABLE_STATUSES:
            buttons.append(button(_("Record the agreed J-PAT"), callbacks.data(AREA, "cs", pid)))
    elif round_ is not None and round_.status == "consolidated":
        buttons.append(button(_("Confirm or dispute"), callbacks.data(AREA, "sg", pid)))
    buttons.append(button(_("History"), callbacks.data(AREA, "hi", pid)))
    await ack(update)
    await say(update, context, person, "\n".join(lines), grid(buttons, 2))


# ------------------------------------------------------------------------------ open


async def _open(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    place: Seat,
    *,
    anyway: bool = False,
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    round_ = await current_round(svc, place)
    if round_ is not None and round_.status != "final":
        await ack(update)
        await say(
            update,
            context,
            person,
            _(
                "Round {n} is still under way ({status}). A new round can open once it is final.",
                n=round_.number,
                status=jpat_view.status_name(round_.status, _),
            ),
        )
        return
    if not anyway and await _warn_empty_side(update, context, person, place):
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


async def _warn_empty_side(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, place: Seat
) -> bool:
    """A side nobody would be asked on: say so before anything is sent, with the choice to
    open anyway or not. True if the warning was shown."""
    svc = services(context)
    _ = translator(person.lang)
    pid = place.partnership.id
    async with svc.db.transaction() as session:  # refreshes the partner side, as opening does
        sizes = await partnerships.side_sizes(session, pid)
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


async def _open_with_deadline(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    place: Seat,
    rest: list[str],
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    query = update.callback_query
    if not rest or not callbacks.is_number(rest[0]) or int(rest[0]) not in DEADLINE_DAYS:
        await common.expired_button(update, context, person.lang)
        return
    entry = svc.surveys.get("jpat")
    if entry is None:
        await common.expired_button(update, context, person.lang)
        return
    _survey, version_id = entry
    now = svc.clock.now()
    try:
        async with svc.db.transaction() as session:
            latest = await store.latest_round(session, place.partnership.id)
            partnership = await partnerships.get(session, place.partnership.id)
            if (latest is not None and latest.status != "final") or partnership is None:
                opened = None
            else:
                opened = await store.open_round(
                    session,
                    partnership=partnership,
                    survey_id="jpat",
                    survey_version_id=version_id,
                    deadline=now + timedelta(days=int(rest[0])),
                    opened_by=person.contact_id,
                    now=now,
                )
    except IntegrityError:  # another staff member opened it in the same instant
        opened = None
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
    await say(
        update,
        context,
        person,
        _.paragraphs(
            _(
                "Round {n} of the J-PAT for {name} is open until {date}.",
                n=round_.number,
                name=place.name,
                date=jpat_view.day(round_.deadline, _, zone_of(person)),
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
    send_soon(context)


# ------------------------------------------------------------------------------ status


async def _status(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, place: Seat
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    round_ = await current_round(svc, place)
    if round_ is None:
        await _no_round(update, context, person, place)
        return
    if person.is_staff:
        await log_staff_action(
            svc, person, "jpat.status", subject=f"partnership:{place.partnership.id}"
        )
    async with svc.db.sessions() as session:
        counts = await store.side_counts(session, round_.id)
    zone = zone_of(person)
    lines = [
        jpat_view.heading(place.name, round_, _),
        _("Status: {status}.", status=jpat_view.status_name(round_.status, _)),
    ]
    keyboard = None
    if round_.status == "open":
        lines.append(_("Answers are due by {date}.", date=jpat_view.day(round_.deadline, _, zone)))
        # A side sees whether it has submitted; staff also whether the partner side has,
        # because closing early depends on it. Nobody sees answers.
        shown = ["ngo", "partner"] if person.is_staff else [place.side or "partner"]
        for side in shown:
            count = counts[side]
            name = jpat_view.side_name(side, _)
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


# ------------------------------------------------------------------------------ close


async def _close(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, place: Seat
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    round_ = await current_round(svc, place)
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
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        ready = await store.both_sides_submitted(session, round_.id)
        closed = ready and await store.close_round(
            session, round_, now, told_already=person.contact_id
        )
    if not closed:
        await ack(update)
        await say(
            update,
            context,
            person,
            _(
                "The round can close early only once both sides have submitted. Otherwise it closes by itself on {date}.",
                date=jpat_view.day(round_.deadline, _, zone_of(person)),
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


# ------------------------------------------------------------------------------ view


async def refuse_blind(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    place: Seat,
    round_: JpatRound,
) -> None:
    """A look at the answers while the round is open: politely no, for everyone."""
    svc = services(context)
    _ = translator(person.lang)
    if person.is_staff:
        await log_staff_action(
            svc,
            person,
            "jpat.view_refused",
            subject=f"partnership:{place.partnership.id}",
            details={"round": round_.id},
        )
    await ack(update)
    await say(
        update,
        context,
        person,
        _(
            "The answers of round {n} can be seen once the round closes on {date}. "
            "Until then nobody, staff included, sees them: each side answers on its own. "
            "You can check whether your side has submitted with /jpat status.",
            n=round_.number,
            date=jpat_view.day(round_.deadline, _, zone_of(person)),
        ),
    )


async def _view(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, place: Seat
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    round_ = await current_round(svc, place)
    if round_ is None:
        await _no_round(update, context, person, place)
        return
    if round_.status not in store.VIEWABLE_STATUSES:
        await refuse_blind(update, context, person, place, round_)
        return
    survey = await survey_of(svc, round_)
    if survey is None:
        await common.expired_button(update, context, person.lang)
        return
    async with svc.db.sessions() as session:
        figures = await store.comparison(session, round_.id, jpat_view.item_keys(survey))
        averages = await store.element_averages(session, round_.id, jpat_view.element_of(survey))
        answers = await store.open_answers(session, round_.id, jpat_view.open_keys(survey))
        counts = await store.side_counts(session, round_.id)
    if person.is_staff:
        await log_staff_action(
            svc,
            person,
            "jpat.view",
            subject=f"partnership:{place.partnership.id}",
            details={"round": round_.id},
        )
    await ack(update)
    text = jpat_view.comparison_text(
        survey,
        name=place.name,
        round_=round_,
        figures=store.by_gap(figures),
        averages=averages,
        answers=answers,
        counts=counts,
        lang=person.lang,
        zone=zone_of(person),
    )
    keyboard = None
    if person.is_staff and round_.status in store.CONSOLIDATABLE_STATUSES:
        keyboard = column(
            [button(_("Record the agreed J-PAT"), callbacks.data(AREA, "cs", place.partnership.id))]
        )
    await say(update, context, person, text, keyboard)
    titles, ngo, partner = jpat_view.chart_series(survey, averages, person.lang)
    png = await asyncio.to_thread(
        charts.jpat_comparison_chart,
        titles,
        ngo,
        partner,
        side_labels=(_("NGO side"), _("Partner side")),
        title=jpat_view.heading(place.name, round_, _),
        value_label=_("Average score (1 = strongly disagree, 5 = strongly agree)"),
        lang=person.lang,
    )
    await send_photo(
        context,
        update.effective_chat.id,
        png,
        _("Average per element, NGO side and partner side."),
        person.lang,
    )


async def send_photo(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, png: bytes, caption: str, lang: str
) -> None:
    await context.bot.send_photo(
        chat_id, photo=InputFile(png, filename="j-pat.png"), caption=bidi(caption, lang)[:1024]
    )


# ------------------------------------------------------------------------------ history


async def _history(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, place: Seat
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    entry = svc.surveys.get("jpat")
    if entry is None:
        await common.expired_button(update, context, person.lang)
        return
    survey, _version = entry
    pid = place.partnership.id
    async with svc.db.sessions() as session:
        trend = await store.agreed_trend(session, pid, jpat_view.element_of(survey))
        actions = await store.open_actions(session, pid)
    if person.is_staff:
        await log_staff_action(svc, person, "jpat.history", subject=f"partnership:{pid}")
    text = jpat_view.history_text(
        survey,
        name=place.name,
        trend=trend,
        actions=actions,
        today=today_for(svc, zone_of(person)),
        lang=person.lang,
    )
    keyboard: InlineKeyboardMarkup | None = None
    if person.is_staff and actions:
        keys = jpat_view.item_keys(survey)
        keyboard = column(
            [
                button(
                    _(
                        "Done: {item} (round {n})",
                        item=jpat_view.item_code(a.key),
                        n=a.round_number,
                    ),
                    callbacks.data(AREA, "dn", a.round_id, keys.index(a.key)),
                )
                for a in actions[:10]
                if a.key in keys
            ]
        )
    await ack(update)
    await say(update, context, person, text, keyboard)
    rounds, per_element = jpat_view.trend_series(survey, trend, person.lang)
    if rounds:
        png = await asyncio.to_thread(
            charts.trend_chart,
            [_("Round {n}", n=n) for n in rounds],
            [
                charts.Series(jpat_view.element_label(survey, element, person.lang), values)
                for element, values in per_element.items()
            ],
            title=_("Agreed J-PAT scores · {name}", name=place.name),
            value_label=_("Agreed score (1–5)"),
            lang=person.lang,
        )
        await send_photo(
            context,
            update.effective_chat.id,
            png,
            _("Agreed score per element, round by round."),
            person.lang,
        )


async def _action_done(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    round_id: int,
    rest: list[str],
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    entry = svc.surveys.get("jpat")
    keys = jpat_view.item_keys(entry[0]) if entry else []
    if not rest or not callbacks.is_number(rest[0]) or int(rest[0]) >= len(keys):
        await common.expired_button(update, context, person.lang)
        return
    key = keys[int(rest[0])]
    async with svc.db.transaction() as session:
        round_ = await store.get_round(session, round_id)
        done = round_ is not None and await store.mark_action_done(
            session, round_id, key, svc.clock.now()
        )
    if not done:
        await common.expired_button(update, context, person.lang)
        return
    await log_staff_action(
        svc,
        person,
        "jpat.action_done",
        subject=f"partnership:{round_.partnership_id}",
        details={"round": round_id, "item": key},
    )
    await update.callback_query.answer(
        _("Action {item} marked as done.", item=jpat_view.item_code(key))
    )


ACTIONS = {
    "m": _menu,
    "op": _open,
    "st": _status,
    "cl": _close,
    "vw": _view,
    "hi": _history,
}
