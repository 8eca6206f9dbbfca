"""/pending: an open campaign or J-PAT round → who has not finished, by organisation, and one
button to nudge them now.

The nudge is queued like the automatic ones (``storage.pending.nudge_now``), then the send
path is kicked: partners in their quiet hours get it when those end, and nobody gets more than
the limit.

People who used /forget are in neither the list nor the counts (``storage.pending``): the
figures after they leave are the same whether they had finished or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from babel.dates import format_date
from telegram import CallbackQuery, Update
from telegram.error import BadRequest

from bot import callbacks
from bot.access import Person, log_staff_action, refuse, requires
from bot.context import BotContext
from bot.handlers import common, pickers
from bot.i18n import Translator, translator
from bot.keyboards import button, column
from bot.periods import day_in
from bot.reports.wording import survey_title
from bot.services import Services
from storage import pending
from storage.pending import Choice, Target

PREFIX = "pnd"
KINDS = {"c": "campaign", "r": "round"}
CODES = {v: k for k, v in KINDS.items()}


def _choice_label(
    svc: Services, choice: pending.Choice, _: Translator, lang: str, zone: str
) -> str:
    due = format_date(day_in(choice.due_at, zone), "medium", locale=_.locale)
    if choice.target.kind == "campaign":
        return _(
            "#{id} {title} (due {date})",
            id=choice.target.id,
            title=survey_title(svc, choice.survey_id, lang),
            date=due,
        )
    return _(
        "J-PAT {organisation}, round {number} (due {date})",
        organisation=choice.label,
        number=choice.number,
        date=due,
    )


@requires("staff")
async def pending_command(update: Update, context: BotContext, person: Person) -> None:
    svc = context.svc
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        choices = await pending.open_targets(session)
    zone = person.zone(svc.settings.default_timezone)

    def render(shown: Sequence[Choice]) -> common.Listed:
        buttons = [
            button(
                _choice_label(svc, c, _, person.lang, zone),
                callbacks.data(PREFIX, "show", CODES[c.target.kind], c.target.id),
            )
            for c in shown
        ]
        keyboard = column([*buttons, pickers.cancel_button(PREFIX, _)])
        return _("Which campaign or J-PAT round?"), keyboard

    empty = _("Nothing is waiting for answers: there is no open campaign or J-PAT round.")
    await common.send_listing(
        context, update.effective_chat.id, person.lang, choices, empty, render
    )


def _target(pieces: list[str]) -> Target | None:
    if len(pieces) != 4 or pieces[2] not in KINDS or not callbacks.is_number(pieces[3]):
        return None
    return Target(KINDS[pieces[2]], int(pieces[3]))


async def on_button(update: Update, context: BotContext) -> None:
    """``pnd:show:c|r:<id>`` lists who is waiting; ``pnd:nudge:c|r:<id>`` nudges them."""
    person = await context.who()
    if not person.is_staff:
        await refuse(update, context, person)
        return
    query = update.callback_query
    if callbacks.parts(query.data, PREFIX) == [PREFIX, "cancel"]:
        await common.close_keyboard(query, translator(person.lang)("Cancelled."), person.lang)
        return
    pieces = callbacks.parts(query.data, PREFIX, minimum=4)
    target = _target(pieces) if pieces else None
    if pieces is None or target is None or pieces[1] not in ("show", "nudge"):
        await common.expired_button(update, context, person.lang)
        return
    if pieces[1] == "show":
        await _show(update, context, person, target)
    else:
        await _nudge(update, context, person, target)


def _status_text(waiting: pending.Waiting, _: Translator) -> str:
    status = {
        "invited": _("not started"),
        "in_progress": _("started"),
        "paused": _("paused"),
    }.get(waiting.status, waiting.status)
    extra = [status]
    if waiting.nudges_sent:
        extra.append(_.ngettext("{n} reminder sent", "{n} reminders sent", waiting.nudges_sent))
    if not waiting.reachable:
        extra.append(_("cannot be reached"))
    return _("{name} ({details})", name=waiting.name or _("a partner"), details=", ".join(extra))


async def _show(update: Update, context: BotContext, person: Person, target: Target) -> None:
    svc = context.svc
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        progress = await pending.progress(session, target)
        open_now = await pending.is_open(session, target, svc.clock.now())
        limit = await pending.nudge_limit(session, target)
    await update.callback_query.answer()
    await log_staff_action(
        svc,
        person,
        "pending.read",
        subject=f"{target.kind}:{target.id}",
        details={"waiting": len(progress.waiting)},
    )
    lines = [
        _(
            "Completed: {completed} of {total}. Not completed yet: {waiting}.",
            completed=progress.completed,
            total=progress.total,
            waiting=len(progress.waiting),
        )
    ]
    for org, people in groupby(progress.waiting, key=lambda w: w.organisation):
        group = list(people)
        lines.append("")
        name = org or _("No organisation")
        lines.append(f"{name} ({len(group)})")
        lines += [f"• {_status_text(w, _)}" for w in group]
    can_nudge = [w for w in progress.waiting if w.reachable and w.nudges_sent < limit]
    keyboard = None
    if open_now and can_nudge:
        lines += [
            "",
            _.ngettext(
                "{n} partner can be reminded now (at most {limit} reminders each, never in their quiet hours).",
                "{n} partners can be reminded now (at most {limit} reminders each, never in their quiet hours).",
                len(can_nudge),
                limit=limit,
            ),
        ]
        keyboard = column(
            [
                button(
                    _("Nudge them now"),
                    callbacks.data(PREFIX, "nudge", CODES[target.kind], target.id),
                ),
                pickers.cancel_button(PREFIX, _),
            ]
        )
    elif progress.waiting and not open_now:
        lines += ["", _("This is closed: no more reminders can be sent.")]
    elif progress.waiting and all(w.nudges_sent >= limit for w in progress.waiting):
        lines += [
            "",
            _("Everyone waiting already had the maximum of {limit} reminders.", limit=limit),
        ]
    await context.reply("\n".join(lines), keyboard=keyboard)


async def _nudge(update: Update, context: BotContext, person: Person, target: Target) -> None:
    svc = context.svc
    _ = translator(person.lang)
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        if not await pending.is_open(session, target, now):
            nudged = None
        else:
            nudged = await pending.nudge_now(session, target, now)
    await drop_keyboard(update.callback_query)
    if nudged is None:
        await context.reply(_("This is closed: no more reminders can be sent."))
        return
    await log_staff_action(
        svc,
        person,
        "pending.nudge",
        subject=f"{target.kind}:{target.id}",
        details={
            "queued": nudged.queued,
            "at_limit": nudged.at_limit,
            "unreachable": nudged.unreachable,
        },
    )
    lines = [
        _.ngettext(
            "Reminder queued for {n} partner. It goes out now, or when their quiet hours end.",
            "Reminders queued for {n} partners. They go out now, or when each partner's quiet hours end.",
            nudged.queued,
        )
    ]
    if nudged.at_limit:
        lines.append(
            _.ngettext(
                "{n} partner already had the maximum of {limit} reminders.",
                "{n} partners already had the maximum of {limit} reminders.",
                nudged.at_limit,
                limit=nudged.limit,
            )
        )
    if nudged.unreachable:
        lines.append(
            _.ngettext(
                "{n} partner cannot be reached (stopped reminders or blocked the bot).",
                "{n} partners cannot be reached (stopped reminders or blocked the bot).",
                nudged.unreachable,
            )
        )
    await context.reply("\n".join(lines))
    if nudged.queued:
        send_soon(context)


async def drop_keyboard(query: CallbackQuery) -> None:
    """Take the buttons off the pressed message (the list stays readable; no double press)."""
    await query.answer()
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as err:  # "message is not modified" after a double tap is harmless
        if "not modified" not in str(err):
            raise


def send_soon(context: BotContext) -> None:
    """Send what is due now in the background (the reply to staff does not wait for it)."""
    from bot.wakeups import tick_soon

    tick_soon(context.application)
