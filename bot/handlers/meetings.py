"""Meetings: staff schedule them (/meeting), follow and change them (/meetings); partners
answer invitations and reminders with RSVP buttons.

/meeting is a wizard kept in ``chat_flows`` (a restart or a second process carries on):
partnership → kind → date and time (typed in the organiser's zone, read back) → place or
link → agenda (optional) → confirm, where the reminder offsets can be changed.

Buttons: ``mtg:…`` for staff (wizard steps, and ``v``/``rs``/``rm``/``c``/``cy`` on a meeting,
which carry the meeting's version so a button from before a change is refused; ``qr`` to
answer a partner's question), and ``rsvp:MEETING:VERSION:a|n|i`` for the people invited
(``rsvp:MEETING:0:x`` leaves the question prompt).

Partners use /meetings too: their own coming meetings, each with its RSVP buttons. "Need
information" asks them to type a question; the bot passes it to the organiser with a Reply
button, and the organiser's next message goes back to the partner (``ASK_FLOW`` and
``REPLY_FLOW``). Staff see the partner's name only, never a chat id.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import callbacks, meeting_ops, wakeups
from bot.access import Person, log_staff_action, person_of, refuse, requires
from bot.handlers import common
from bot.i18n import N_, Translator, translator
from bot.keyboards import button, column, grid
from bot.meeting_time import (
    DEFAULT_OFFSETS,
    format_offsets,
    format_when,
    is_too_far,
    parse_offsets,
    parse_when,
    when_example,
)
from bot.meeting_view import (
    ANSWER_CODES,
    answer_label,
    counts_line,
    details,
    is_organiser,
    kind_label,
    rsvp_keyboard,
    title,
)
from bot.replies import send_text
from bot.services import Services, services
from bot.timezones import city
from conversations.validation import FREE_TEXT_LIMIT
from storage import contacts, flows
from storage import meetings as store
from storage.models import ChatFlow, Contact, Meeting

log = logging.getLogger(__name__)
FLOW = "meeting"
EDIT_FLOW = "meeting_edit"
ASK_FLOW = "meeting_ask"  # a partner typing a question for the organiser
REPLY_FLOW = "meeting_reply"  # the organiser typing the answer to a partner's question
# A question or an answer is typed right after its button; later text is about something else
# (a survey answer, a J-PAT comment) and must not be relayed to another person.
RELAY_PROMPT_LIFETIME = timedelta(minutes=30)
MAX_PLACE = 300
ANSWER_GROUPS = (
    ("attending", N_("Attending ({n}): {names}")),
    ("not_attending", N_("Can't attend ({n}): {names}")),
    ("need_info", N_("Need information ({n}): {names}")),
    (None, N_("No answer yet ({n}): {names}")),
)


def staff_zone(svc: Services, person: Person) -> str:
    if person.contact is not None and person.contact.timezone:
        return person.contact.timezone
    return svc.settings.default_timezone


def _when_examples(_: Translator, zone: str, now: datetime) -> str:
    """One example typed the reader's way (day and month in their order) and one in words."""
    return _("for example: {example}, or tomorrow 10:00", example=when_example(_.lang, zone, now))


async def _put(svc: Services, person: Person, flow: str, step: str, data: dict[str, Any]) -> None:
    async with svc.db.transaction() as session:
        await flows.put(session, person.user_id, flow, step, data, svc.clock.now())


async def _clear(svc: Services, person: Person) -> None:
    async with svc.db.transaction() as session:
        await flows.clear(session, person.user_id)


def _start_sending(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send what is due now (invitations, notices) and re-arm the wake-up for the rest."""
    from bot.dispatch import tick

    async def run() -> None:
        await tick(context.application)
        await wakeups.arm(context.application)

    task = asyncio.create_task(run())
    context.application.bot_data.setdefault("tasks", set()).add(task)
    task.add_done_callback(context.application.bot_data["tasks"].discard)


# ------------------------------------------------------------------------------ /meeting


@requires("staff")
async def meeting_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    async with svc.db.sessions() as session:
        choices = await store.partnership_choices(session, limit=20)
    if not choices:
        await send_text(
            context,
            chat_id,
            _("There is no partnership to hold a meeting for yet. Create the partnership first."),
            person.lang,
        )
        return
    await _put(svc, person, FLOW, "partnership", {})
    buttons = [
        button(
            _.ngettext("{name} ({n} member)", "{name} ({n} members)", c.members, name=c.label),
            callbacks.data("mtg", "p", c.id),
        )
        for c in choices
    ]
    buttons.append(button(_("Cancel"), callbacks.data("mtg", "x")))
    await send_text(
        context,
        chat_id,
        _("Which partnership is the meeting for?"),
        person.lang,
        keyboard=column(buttons),
    )


async def _ask_kind(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> None:
    _ = translator(lang)
    buttons = [button(kind_label(k, _), callbacks.data("mtg", "k", k)) for k in store.KINDS]
    buttons.append(button(_("Cancel"), callbacks.data("mtg", "x")))
    await send_text(
        context, chat_id, _("What kind of meeting is it?"), lang, keyboard=grid(buttons, 2)
    )


async def _ask_when(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, zone: str, *, new: bool
) -> None:
    _ = translator(person.lang)
    question = _("When should it take place instead?") if new else _("When does it take place?")
    await send_text(
        context,
        chat_id,
        _.paragraphs(
            question,
            _(
                "Type the date and time in your time zone ({zone}), {examples}.",
                zone=city(zone, person.lang),
                examples=_when_examples(_, zone, services(context).clock.now()),
            ),
        ),
        person.lang,
    )


async def _read_when(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, text: str, zone: str
) -> datetime | None:
    """The typed moment, or None after telling the person what was wrong."""
    svc = services(context)
    _ = translator(person.lang)
    now = svc.clock.now()
    parsed = parse_when(text, zone, now, person.lang)
    if parsed == "no_time":
        reply = _("Please add the time too, {examples}.", examples=_when_examples(_, zone, now))
    elif isinstance(parsed, str):
        reply = _(
            "I could not read that date and time. Please try again, {examples}.",
            examples=_when_examples(_, zone, services(context).clock.now()),
        )
    elif parsed.at <= now:
        reply = _(
            "{when} has already passed. Please send a date and time in the future.",
            when=format_when(parsed.at, zone, person.lang),
        )
    elif is_too_far(parsed.at, now):
        reply = _(
            "{when} is more than two years away. Please check the date.",
            when=format_when(parsed.at, zone, person.lang),
        )
    else:
        return parsed.at
    await send_text(context, chat_id, reply, person.lang)
    return None


async def _echo_when(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    at: datetime,
    zone: str,
    confirm_action: str,
) -> None:
    _ = translator(person.lang)
    keyboard = grid(
        [
            button(_("Yes, that's right"), callbacks.data("mtg", confirm_action)),
            button(_("Cancel"), callbacks.data("mtg", "x")),
        ]
    )
    await send_text(
        context,
        chat_id,
        _.paragraphs(
            _("I read: {when}", when=format_when(at, zone, person.lang)),
            _("Is that right? If not, type the date and time again."),
        ),
        person.lang,
        keyboard=keyboard,
    )


async def _summary(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, data: dict[str, Any]
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    zone = staff_zone(svc, person)
    async with svc.db.sessions() as session:
        counts = await store.member_counts(
            session, int(data["partnership_id"]), organiser=person.contact_id
        )
    draft = _draft(data, zone)
    lines = [
        _("Please check the meeting:"),
        title(draft, data["partnership"], _),
        *details(draft, zone, _),
        _(
            "Invitations: {partner} on the partner side, {ngo} on the NGO side.",
            partner=counts.partner_side,
            ngo=counts.ngo_side,
        )
        if counts.organiser_side is None
        else _(
            "Taking part: {partner} on the partner side, {ngo} on the NGO side, you included: "
            "as the organiser you get no invitation and are counted as attending.",
            partner=counts.partner_side,
            ngo=counts.ngo_side,
        ),
    ]
    if counts.unreachable:
        lines.append(
            _.ngettext(
                "{n} member stopped reminders or blocked the bot and will not be invited.",
                "{n} members stopped reminders or blocked the bot and will not be invited.",
                counts.unreachable,
            )
        )
    offsets = data.get("offsets") or []
    lines.append(
        _(
            "Reminders: {offsets} before, never during each person's quiet hours.",
            offsets=format_offsets(offsets, _),
        )
        if offsets
        else _("Reminders: none.")
    )
    keyboard = column(
        [
            button(_("Schedule and invite"), callbacks.data("mtg", "go")),
            button(_("Change reminders"), callbacks.data("mtg", "rem")),
            button(_("Cancel"), callbacks.data("mtg", "x")),
        ]
    )
    await send_text(context, chat_id, "\n".join(lines), person.lang, keyboard=keyboard)


def _draft(data: dict[str, Any], zone: str) -> Meeting:
    """An unsaved meeting, so the summary reads exactly like the invitation will."""
    return Meeting(
        id=0,
        partnership_id=int(data["partnership_id"]),
        kind=data["kind"],
        starts_at=datetime.fromisoformat(data["starts_at"]),
        organiser_timezone=zone,
        place=data.get("place"),
        agenda=data.get("agenda"),
        reminder_offsets=list(data.get("offsets") or []),
        version=1,
    )


async def _ask_offsets(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str, current: list[int]
) -> None:
    _ = translator(lang)
    await send_text(
        context,
        chat_id,
        _.paragraphs(
            _("Now: {offsets} before.", offsets=format_offsets(current, _)) if current else "",
            _(
                "When should reminders go out? Send how long before the meeting, for example: 7d 1d 2h (d = days, h = hours, m = minutes; at most 5)."
            ),
        ),
        lang,
    )


async def _schedule(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, data: dict[str, Any]
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    now = svc.clock.now()
    zone = staff_zone(svc, person)
    async with svc.db.transaction() as session:
        meeting, invited = await meeting_ops.schedule(
            session,
            partnership_id=int(data["partnership_id"]),
            kind=data["kind"],
            starts_at=datetime.fromisoformat(data["starts_at"]),
            organiser_timezone=zone,
            organiser_telegram_id=person.user_id,
            created_by=person.contact_id,
            place=data.get("place"),
            agenda=data.get("agenda"),
            reminder_offsets=list(data.get("offsets") or []),
            now=now,
        )
        await flows.clear(session, person.user_id)
    await log_staff_action(
        svc,
        person,
        "meeting.create",
        subject=f"meeting:{meeting.id}",
        details={
            "partnership": meeting.partnership_id,
            "kind": meeting.kind,
            "starts_at": meeting.starts_at.isoformat(),
            "invited": invited,
        },
    )
    await send_text(
        context,
        chat_id,
        _.ngettext(
            "Meeting scheduled. The invitation is going out to {n} person now. Follow the answers with /meetings.",
            "Meeting scheduled. Invitations are going out to {n} people now. Follow the answers with /meetings.",
            invited,
        ),
        person.lang,
    )
    _start_sending(context)


# ------------------------------------------------------------------------------ buttons


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
    if not person.is_staff:
        await refuse(update, context, person)
        return
    query = update.callback_query
    pieces = callbacks.parts(query.data, "mtg")
    if pieces is None:
        await common.expired_button(update, context, person.lang)
        return
    action, args = pieces[1], pieces[2:]
    if action == "qr" and len(args) == 2 and all(callbacks.is_number(a) for a in args):
        await _on_reply_button(update, context, person, int(args[0]), int(args[1]))
        return
    if (
        action in ("v", "rs", "rm", "c", "cy")
        and args
        and all(callbacks.is_number(a) for a in args)
    ):
        await _on_meeting_button(update, context, person, action, [int(a) for a in args])
        return
    async with svc.db.sessions() as session:
        flow = await flows.get(session, person.user_id)
    if flow is None or flow.flow not in (FLOW, EDIT_FLOW, REPLY_FLOW):
        await common.expired_button(update, context, person.lang)
        return
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    if action == "x":
        await common.close_keyboard(query, _("Cancelled."), person.lang)
        await _clear(svc, person)
        return
    if flow.flow == REPLY_FLOW:
        await common.expired_button(update, context, person.lang)
        return
    if flow.flow == EDIT_FLOW:
        if action == "mv" and flow.step == "when_ok":
            await _apply_reschedule(update, context, person, flow)
            return
        await common.expired_button(update, context, person.lang)
        return
    data = dict(flow.data)
    if action == "p" and flow.step == "partnership" and args and callbacks.is_number(args[0]):
        async with svc.db.sessions() as session:
            label = await store.partnership_label(session, int(args[0]))
        if label is None:
            await common.expired_button(update, context, person.lang)
            return
        await common.close_keyboard(query, _("Partnership: {name}", name=label), person.lang)
        await _put(
            svc, person, FLOW, "kind", {"partnership_id": int(args[0]), "partnership": label}
        )
        await _ask_kind(context, chat_id, person.lang)
        return
    if action == "k" and flow.step == "kind" and args and args[0] in store.KINDS:
        await common.close_keyboard(query, kind_label(args[0], _), person.lang)
        await _put(svc, person, FLOW, "when", {**data, "kind": args[0]})
        await _ask_when(context, chat_id, person, staff_zone(svc, person), new=False)
        return
    if action == "ok" and flow.step == "when_ok":
        zone = staff_zone(svc, person)
        at = datetime.fromisoformat(data["starts_at"])
        await common.close_keyboard(
            query, _("When: {time}", time=format_when(at, zone, person.lang)), person.lang
        )
        await _put(svc, person, FLOW, "place", data)
        await send_text(
            context,
            chat_id,
            _("Where will it take place? Send an address, or a link for an online meeting."),
            person.lang,
        )
        return
    if action == "skip" and flow.step == "agenda":
        await common.close_keyboard(query, _("No agenda"), person.lang)
        data = {**data, "agenda": None, "offsets": list(DEFAULT_OFFSETS)}
        await _put(svc, person, FLOW, "confirm", data)
        await _summary(context, chat_id, person, data)
        return
    if action == "rem" and flow.step == "confirm":
        await query.answer()
        await _put(svc, person, FLOW, "offsets", data)
        await _ask_offsets(context, chat_id, person.lang, list(data.get("offsets") or []))
        return
    if action == "go" and flow.step == "confirm":
        async with svc.db.sessions() as session:
            counts = await store.member_counts(
                session, int(data["partnership_id"]), organiser=person.contact_id
            )
        if counts.empty_sides:
            await query.answer()
            try:
                await query.edit_message_reply_markup(None)
            except BadRequest as err:
                if "not modified" not in str(err):
                    raise
            await _put(svc, person, FLOW, "empty", data)
            await _warn_empty(context, chat_id, person, data["partnership"], counts.empty_sides)
            return
        await common.close_keyboard(query, _("Scheduling…"), person.lang)
        await _schedule(context, chat_id, person, data)
        return
    if action == "gy" and flow.step == "empty":
        await common.close_keyboard(query, _("Scheduling…"), person.lang)
        await _schedule(context, chat_id, person, data)
        return
    await common.expired_button(update, context, person.lang)


async def _warn_empty(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    partnership: str,
    sides: list[str],
) -> None:
    """Before any invitation goes: a side of the partnership nobody will take part from."""
    _ = translator(person.lang)
    lines = [
        _(
            "Nobody on the NGO side of {partnership} will take part: that side has no member the bot can reach.",
            partnership=partnership,
        )
        if side == "ngo"
        else _(
            "Nobody on the partner side of {partnership} will get the invitation: that side has no member the bot can reach.",
            partnership=partnership,
        )
        for side in sides
    ]
    keyboard = column(
        [
            button(_("Send the invitations anyway"), callbacks.data("mtg", "gy")),
            button(_("Cancel"), callbacks.data("mtg", "x")),
        ]
    )
    await send_text(
        context,
        chat_id,
        _.paragraphs(
            "\n".join(lines),
            _(
                "You can cancel and add people with /partnership first, or send the invitations anyway."
            ),
        ),
        person.lang,
        keyboard=keyboard,
    )


# ------------------------------------------------------------------------------ typed text


async def on_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """Typed steps of the /meeting wizard: date and time, place, agenda, reminder offsets."""
    svc = services(context)
    if not person.is_staff:
        await _clear(svc, person)
        await refuse(update, context, person)
        return
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    text = (update.effective_message.text or "").strip()
    data = dict(flow.data)
    zone = staff_zone(svc, person)
    if flow.step in ("when", "when_ok"):
        at = await _read_when(context, chat_id, person, text, zone)
        if at is None:
            return
        await _put(svc, person, FLOW, "when_ok", {**data, "starts_at": at.isoformat()})
        await _echo_when(context, chat_id, person, at, zone, "ok")
        return
    if flow.step == "place":
        if not 2 <= len(text) <= MAX_PLACE:
            await send_text(
                context,
                chat_id,
                _("Please send a place or link of 2 to {n} characters.", n=MAX_PLACE),
                person.lang,
            )
            return
        await _put(svc, person, FLOW, "agenda", {**data, "place": text})
        await send_text(
            context,
            chat_id,
            _("What is on the agenda? Send it in one message, or press Skip."),
            person.lang,
            keyboard=column([button(_("Skip"), callbacks.data("mtg", "skip"))]),
        )
        return
    if flow.step == "agenda":
        if len(text) > FREE_TEXT_LIMIT:  # the one limit for free text
            await send_text(context, chat_id, common.too_long(person.lang), person.lang)
            return
        data = {**data, "agenda": text or None, "offsets": list(DEFAULT_OFFSETS)}
        await _put(svc, person, FLOW, "confirm", data)
        await _summary(context, chat_id, person, data)
        return
    if flow.step == "offsets":
        offsets = parse_offsets(text)
        if offsets is None:
            await send_text(context, chat_id, _offsets_help(_), person.lang)
            return
        data = {**data, "offsets": offsets}
        await _put(svc, person, FLOW, "confirm", data)
        await _summary(context, chat_id, person, data)
        return
    await send_text(
        context, chat_id, _("Please use the buttons above, or send /cancel."), person.lang
    )


def _offsets_help(_: Translator) -> str:
    return _(
        "I could not read that. Send up to 5 times before the meeting, each between 5 minutes and 60 days, for example: 7d 1d 2h."
    )


async def on_edit_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """Typed steps when changing a meeting: its new time, or its reminder offsets."""
    svc = services(context)
    if not person.is_staff:
        await _clear(svc, person)
        await refuse(update, context, person)
        return
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    text = (update.effective_message.text or "").strip()
    data = dict(flow.data)
    if flow.step in ("when", "when_ok"):
        zone = staff_zone(svc, person)
        at = await _read_when(context, chat_id, person, text, zone)
        if at is None:
            return
        await _put(svc, person, EDIT_FLOW, "when_ok", {**data, "starts_at": at.isoformat()})
        await _echo_when(context, chat_id, person, at, zone, "mv")
        return
    if flow.step == "offsets":
        offsets = parse_offsets(text)
        if offsets is None:
            await send_text(context, chat_id, _offsets_help(_), person.lang)
            return
        await _apply_offsets(context, chat_id, person, data, offsets)
        return
    await send_text(
        context, chat_id, _("Please use the buttons above, or send /cancel."), person.lang
    )


# ------------------------------------------------------------------------------ /meetings


async def meetings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Staff: every coming meeting with its answers. Partners: their own coming meetings, with
    their answer and the buttons to change it. Anyone else: the unknown-command reply."""
    person = await person_of(update, context)
    if person.is_staff:
        await _staff_meetings(update, context, person)
    elif person.is_partner:
        await _partner_meetings(update, context, person)
    else:
        await refuse(update, context, person)


PARTNER_MEETINGS_SHOWN = 5


async def _partner_meetings(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """One message per meeting (at most five), each with its own RSVP buttons."""
    svc = services(context)
    _ = translator(person.lang)
    contact = person.contact
    assert contact is not None
    chat_id = update.effective_chat.id
    async with svc.db.sessions() as session:
        rows, total = await store.upcoming_of(
            session, contact.id, svc.clock.now(), limit=PARTNER_MEETINGS_SHOWN
        )
    if not rows:
        await send_text(
            context,
            chat_id,
            _(
                "You have no meeting coming up. When you are invited to one, the invitation will come here."
            ),
            person.lang,
        )
        return
    for number, (meeting, partnership, answer) in enumerate(rows, start=1):
        parts = []
        if number == 1:
            parts.append(
                _.ngettext(
                    "You have {n} meeting coming up.", "You have {n} meetings coming up.", total
                )
            )
        parts += [
            "\n".join([title(meeting, partnership, _), *details(meeting, contact.timezone, _)]),
            _("Your answer: {answer}", answer=answer_label(answer, _)),
            _("You can change it with the buttons below."),
        ]
        if number == len(rows) and total > len(rows):
            parts.append(
                _.ngettext(
                    "{n} more meeting comes later; it will be shown once these are over.",
                    "{n} more meetings come later; they will be shown once these are over.",
                    total - len(rows),
                )
            )
        await send_text(
            context,
            chat_id,
            _.paragraphs(*parts),
            person.lang,
            keyboard=rsvp_keyboard(meeting, answer, _),
        )


async def _staff_meetings(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    zone = staff_zone(svc, person)
    async with svc.db.sessions() as session:
        rows = await store.upcoming(session, svc.clock.now(), limit=10)
    await log_staff_action(svc, person, "meeting.list")
    if not rows:
        await send_text(
            context,
            update.effective_chat.id,
            _("No meeting is coming up. Schedule one with /meeting."),
            person.lang,
        )
        return
    lines = [_("Coming meetings:")]
    buttons = []
    for number, row in enumerate(rows, start=1):
        meeting = row.meeting
        lines.append(
            "\n".join(
                [
                    f"{number}. {title(meeting, row.partnership, _)}",
                    format_when(meeting.starts_at, zone, person.lang),
                    counts_line(row.attending, row.not_attending, row.need_info, row.no_answer, _),
                ]
            )
        )
        buttons.append(
            button(
                f"{number}. {kind_label(meeting.kind, _)} — {row.partnership}",
                callbacks.data("mtg", "v", meeting.id),
            )
        )
    await send_text(
        context,
        update.effective_chat.id,
        _.paragraphs(*lines, _("Press a meeting to see who is coming or to change it.")),
        person.lang,
        keyboard=column(buttons),
    )


def _names(people: list[store.Answer], meeting: Meeting, _: Translator) -> str:
    shown = []
    for p in people:
        name = p.name or _("(no name)")
        if p.side == "ngo":
            name = _("{name} (NGO)", name=name)
        if is_organiser(meeting, p.contact_id):
            name = _("{name}, organiser", name=name)
        if p.status in ("stopped", "blocked"):
            name = _("{name}, not reachable", name=name)
        shown.append(name)
    return ", ".join(shown)


async def _on_meeting_button(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    action: str,
    args: list[int],
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    query = update.callback_query
    chat_id = update.effective_chat.id
    zone = staff_zone(svc, person)
    meeting_id = args[0]
    async with svc.db.sessions() as session:
        meeting = await store.get(session, meeting_id)
        label = (
            await store.partnership_label(session, meeting.partnership_id)
            if meeting is not None
            else None
        )
    if meeting is None or label is None:
        await common.expired_button(update, context, person.lang)
        return
    if action == "v":
        await query.answer()
        await _show(context, chat_id, person, meeting, label, zone)
        return
    if len(args) != 2 or args[1] != meeting.version or meeting.status != "scheduled":
        await query.answer(
            _("This meeting has changed since. Send /meetings to see it as it is now.")
        )
        return
    if meeting.starts_at <= svc.clock.now():
        await query.answer(_("This meeting has already begun."))
        return
    data = {"meeting_id": meeting.id, "version": meeting.version}
    if action == "rs":
        await query.answer()
        await _put(svc, person, EDIT_FLOW, "when", data)
        await _ask_when(context, chat_id, person, zone, new=True)
        return
    if action == "rm":
        await query.answer()
        await _put(svc, person, EDIT_FLOW, "offsets", data)
        await _ask_offsets(context, chat_id, person.lang, list(meeting.reminder_offsets or []))
        return
    if action == "c":
        await query.answer()
        keyboard = column(
            [
                button(
                    _("Yes, cancel the meeting"),
                    callbacks.data("mtg", "cy", meeting.id, meeting.version),
                ),
                button(_("No, keep it"), callbacks.data("mtg", "v", meeting.id)),
            ]
        )
        await send_text(
            context,
            chat_id,
            _(
                "Cancel {title} on {when}? Everyone who was told about it will be told it is cancelled.",
                title=title(meeting, label, _),
                when=format_when(meeting.starts_at, zone, person.lang),
            ),
            person.lang,
            keyboard=keyboard,
        )
        return
    if action == "cy":
        now = svc.clock.now()
        async with svc.db.transaction() as session:
            cancelled, told = await meeting_ops.cancel(
                session, meeting.id, actor=person.contact_id, now=now
            )
        if cancelled is None:
            await common.expired_button(update, context, person.lang)
            return
        heading = title(meeting, label, _)  # outside the call: Babel's extractor trips on `_`
        await common.close_keyboard(
            query,
            _.ngettext(
                "Cancelled: {title}. {n} person who knew of it is being told.",
                "Cancelled: {title}. {n} people who knew of it are being told.",
                told,
                title=heading,
            ),
            person.lang,
        )
        await log_staff_action(
            svc, person, "meeting.cancel", subject=f"meeting:{meeting.id}", details={"told": told}
        )
        _start_sending(context)
        return
    await common.expired_button(update, context, person.lang)


async def _show(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    meeting: Meeting,
    label: str,
    zone: str,
) -> None:
    """One meeting: details, who answered what, reminders, and the buttons to change it."""
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        people = await store.answers(session, meeting.id)
        pending = await store.pending_reminders(session, meeting.id)
    await log_staff_action(svc, person, "meeting.view", subject=f"meeting:{meeting.id}")
    lines = [title(meeting, label, _), *details(meeting, zone, _)]
    if meeting.status != "scheduled":
        lines.append(_("This meeting was cancelled."))
    answers_block = []
    for answer, template in ANSWER_GROUPS:
        group = [p for p in people if p.answer == answer]
        if group:
            names = _names(group, meeting, _)
            answers_block.append(_(template, n=len(group), names=names))
    if not people:
        answers_block.append(_("Nobody is invited: the partnership had no members."))
    offsets = list(meeting.reminder_offsets or [])
    reminders = (
        _(
            "Reminders: {offsets} before ({n} still to send).",
            offsets=format_offsets(offsets, _),
            n=pending,
        )
        if offsets
        else _("Reminders: none.")
    )
    text = _.paragraphs("\n".join(lines), "\n".join(answers_block), reminders)
    keyboard = None
    if meeting.status == "scheduled" and meeting.starts_at > svc.clock.now():
        keyboard = column(
            [
                button(_("Reschedule"), callbacks.data("mtg", "rs", meeting.id, meeting.version)),
                button(
                    _("Change reminders"), callbacks.data("mtg", "rm", meeting.id, meeting.version)
                ),
                button(
                    _("Cancel the meeting"), callbacks.data("mtg", "c", meeting.id, meeting.version)
                ),
            ]
        )
    await send_text(context, chat_id, text, person.lang, keyboard=keyboard)


async def _apply_reschedule(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    query = update.callback_query
    data = flow.data
    zone = staff_zone(svc, person)
    now = svc.clock.now()
    starts_at = datetime.fromisoformat(data["starts_at"])
    async with svc.db.transaction() as session:
        current = await store.get(session, int(data["meeting_id"]))
        if current is None or current.version != int(data["version"]):
            moved, told = None, 0
        else:
            moved, told = await meeting_ops.reschedule(
                session, current.id, starts_at, actor=person.contact_id, now=now
            )
        await flows.clear(session, person.user_id)
    if moved is None:
        await query.answer(
            _("This meeting has changed since. Send /meetings to see it as it is now.")
        )
        return
    await common.close_keyboard(
        query,
        _.paragraphs(
            _(
                "The meeting is moved to {when}.",
                when=format_when(moved.starts_at, zone, person.lang),
            ),
            _.ngettext(
                "{n} person who knew of it is being told; reminders are planned again and earlier answers cleared.",
                "{n} people who knew of it are being told; reminders are planned again and earlier answers cleared.",
                told,
            ),
        ),
        person.lang,
    )
    await log_staff_action(
        svc,
        person,
        "meeting.reschedule",
        subject=f"meeting:{moved.id}",
        details={"starts_at": moved.starts_at.isoformat(), "told": told},
    )
    _start_sending(context)


async def _apply_offsets(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    data: dict[str, Any],
    offsets: list[int],
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        current = await store.get(session, int(data["meeting_id"]))
        changed = None
        if current is not None and current.version == int(data["version"]):
            changed = await meeting_ops.change_offsets(
                session, current.id, offsets, svc.clock.now()
            )
        await flows.clear(session, person.user_id)
    if changed is None:
        await send_text(
            context,
            chat_id,
            _("This meeting has changed since. Send /meetings to see it as it is now."),
            person.lang,
        )
        return
    await log_staff_action(
        svc,
        person,
        "meeting.reminders",
        subject=f"meeting:{changed.id}",
        details={"offsets": offsets},
    )
    await send_text(
        context,
        chat_id,
        _(
            "Done: reminders will go out {offsets} before the meeting.",
            offsets=format_offsets(offsets, _),
        ),
        person.lang,
    )
    _start_sending(context)


# ------------------------------------------------------------------------------ RSVP


async def on_rsvp(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``rsvp:MEETING:VERSION:a|n|i`` from an invitation, a reminder, a change notice or
    /meetings; ``rsvp:MEETING:0:x`` leaves the question a partner was asked to type."""
    svc = services(context)
    person = await person_of(update, context)
    query = update.callback_query
    _ = translator(person.lang)
    pieces = callbacks.parts(query.data, "rsvp", 4)
    if (
        pieces is not None
        and len(pieces) == 4
        and pieces[3] == "x"
        and callbacks.is_number(pieces[1])
        and person.contact is not None
    ):
        await _leave_question(update, context, person, int(pieces[1]))
        return
    if (
        pieces is None
        or len(pieces) != 4
        or not callbacks.is_number(pieces[1])
        or not callbacks.is_number(pieces[2])
        or pieces[3] not in ANSWER_CODES
        or person.contact is None
    ):
        await common.expired_button(update, context, person.lang)
        return
    meeting_id, version, answer = int(pieces[1]), int(pieces[2]), ANSWER_CODES[pieces[3]]
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        meeting = await store.get(session, meeting_id)
        invited = await store.rsvp_of(session, meeting_id, person.contact.id) if meeting else None
        notice = None
        if meeting is None or invited is None:
            notice = "expired"
        elif meeting.status != "scheduled":
            notice = _("This meeting was cancelled.")
        elif meeting.version != version:
            notice = _("This meeting has changed. Please answer on the latest message about it.")
        elif meeting.starts_at <= now:
            notice = _("This meeting has already begun.")
        else:
            await store.set_answer(session, meeting_id, person.contact.id, answer, now)
        flow = await flows.get(session, person.user_id)
    if notice == "expired":
        await common.expired_button(update, context, person.lang)
        return
    if notice is not None:
        await query.answer(notice)
        return
    assert meeting is not None
    await query.answer(
        _("Thank you. Your answer is saved: {answer}.", answer=answer_label(answer, _))
    )
    try:
        await query.edit_message_reply_markup(rsvp_keyboard(meeting, answer, _))
    except BadRequest as err:  # the same answer pressed twice
        if "not modified" not in str(err):
            raise
    asking = (
        flow is not None and flow.flow == ASK_FLOW and flow.data.get("meeting_id") == meeting.id
    )
    if answer == "need_info" and not asking:
        await _ask_question(context, update.effective_chat.id, person, meeting)
    elif answer != "need_info" and asking:
        await _clear(svc, person)  # they answered after all: the question prompt is over


async def _ask_question(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, meeting: Meeting
) -> None:
    """After "Need information": the partner's next message goes to the organiser."""
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        label = await store.partnership_label(session, meeting.partnership_id) or ""
        organiser = await _organiser_on_staff(session, svc, meeting)
    heading = title(meeting, label, _)
    if organiser is None:
        await send_text(
            context,
            chat_id,
            _(
                "Your answer is saved, and staff can see that you need more information about {title}. "
                "The organiser cannot be reached through me, so please ask your usual contact.",
                title=heading,
            ),
            person.lang,
        )
        return
    await _put(svc, person, ASK_FLOW, "text", {"meeting_id": meeting.id})
    await send_text(
        context,
        chat_id,
        _(
            "What would you like to know about {title}? Type your question in one message and "
            "I will pass it to the organiser. Their answer will come here.",
            title=heading,
        ),
        person.lang,
        keyboard=column([button(_("Cancel"), callbacks.data("rsvp", meeting.id, 0, "x"))]),
    )


async def _leave_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, meeting_id: int
) -> None:
    """The Cancel button under the question prompt."""
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        flow = await flows.get(session, person.user_id)
    if flow is None or flow.flow != ASK_FLOW or flow.data.get("meeting_id") != meeting_id:
        await common.expired_button(update, context, person.lang)
        return
    await _clear(svc, person)
    told = await _tell_organiser(context, person, meeting_id, None)
    await common.close_keyboard(update.callback_query, _no_question_text(told, _), person.lang)


def _no_question_text(told: bool, _: Translator) -> str:
    if told:
        return _(
            "No question sent. I have told the organiser that you need more information; "
            "they can write to you through me."
        )
    return _("No question sent.")


async def cancel_hook(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> bool:
    """/cancel while a partner is asked for their question: as the Cancel button."""
    svc = services(context)
    async with svc.db.sessions() as session:
        flow = await flows.get(session, person.user_id)
    if flow is None or flow.flow != ASK_FLOW:
        return False
    await _clear(svc, person)
    _ = translator(person.lang)
    told = await _tell_organiser(context, person, int(flow.data.get("meeting_id", 0)), None)
    await send_text(context, update.effective_chat.id, _no_question_text(told, _), person.lang)
    return True


async def on_question_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """The partner's question, passed to the organiser by the bot (no chat id shown)."""
    svc = services(context)
    if await _prompt_expired(update, context, person, flow):
        return
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    text = (update.effective_message.text or "").strip()
    if not text:
        await send_text(context, chat_id, _("Please type your question."), person.lang)
        return
    if len(text) > FREE_TEXT_LIMIT:
        await send_text(context, chat_id, common.too_long(person.lang), person.lang)
        return
    await _clear(svc, person)
    meeting_id = int(flow.data.get("meeting_id", 0))
    async with svc.db.sessions() as session:
        meeting = await store.get(session, meeting_id)
    if meeting is None or meeting.status != "scheduled":
        await send_text(
            context,
            chat_id,
            _("This meeting was cancelled, so I did not send your question."),
            person.lang,
        )
        return
    if await _tell_organiser(context, person, meeting_id, text):
        reply = _("Sent to the organiser. Their answer will come here.")
    else:
        reply = _(
            "Sorry, I could not reach the organiser. Staff can see that you need more information."
        )
    await send_text(context, chat_id, reply, person.lang)


async def _prompt_expired(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> bool:
    """True (after handing the text on as if no prompt were open) when the question or answer
    prompt is older than RELAY_PROMPT_LIFETIME."""
    from bot.handlers import router

    svc = services(context)
    updated = flow.updated_at
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    if svc.clock.now() - updated <= RELAY_PROMPT_LIFETIME:
        return False
    await _clear(svc, person)
    await router.on_message(update, context)
    return True


async def _organiser_on_staff(session: Any, svc: Services, meeting: Meeting) -> Contact | None:
    """The organiser, only while they are still staff (or a configured admin) and reachable:
    a partner was told their question goes to the organiser, not to someone who has left."""
    if meeting.organiser_telegram_id is None:
        return None
    organiser = await contacts.by_telegram_id(session, int(meeting.organiser_telegram_id))
    if organiser is None or organiser.status not in ("active", "stopped"):
        return None
    if organiser.role == "staff" or organiser.telegram_user_id in svc.settings.admins:
        return organiser
    return None


async def _tell_organiser(
    context: ContextTypes.DEFAULT_TYPE, person: Person, meeting_id: int, question: str | None
) -> bool:
    """The partner's question (or, without one, that they need more information) to the
    organiser, with a Reply button. True if it was delivered."""
    svc = services(context)
    async with svc.db.sessions() as session:
        meeting = await store.get(session, meeting_id)
        organiser = await _organiser_on_staff(session, svc, meeting) if meeting else None
        if meeting is None or organiser is None or person.contact is None:
            return False
        organiser_id = int(meeting.organiser_telegram_id or 0)
        label = await store.partnership_label(session, meeting.partnership_id) or ""
    lang = organiser.language
    zone = organiser.timezone or meeting.organiser_timezone
    _ = translator(lang)
    name = person.contact.display_name or _("(no name)")
    heading = title(meeting, label, _)
    when = format_when(meeting.starts_at, zone, lang)
    if question is None:
        text = _(
            "{name} needs more information about {title} on {when}, but wrote no question. "
            "You can write to them through me with the Reply button.",
            name=name,
            title=heading,
            when=when,
        )
    else:
        text = _.paragraphs(
            _(
                "{name} asks about {title} on {when}:",
                name=name,
                title=heading,
                when=when,
            ),
            question,
            _("Press Reply to answer through me."),
        )
    keyboard = column(
        [
            button(_("Reply"), callbacks.data("mtg", "qr", meeting.id, person.contact.id)),
            button(_("See the meeting"), callbacks.data("mtg", "v", meeting.id)),
        ]
    )
    try:
        await send_text(context, organiser_id, text, lang, keyboard=keyboard)
    except TelegramError as err:
        log.warning("could not tell the organiser of meeting %s: %s", meeting.id, err)
        return False
    return True


async def _on_reply_button(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    meeting_id: int,
    contact_id: int,
) -> None:
    """The organiser's Reply: their next message goes to the partner who asked."""
    svc = services(context)
    _ = translator(person.lang)
    query = update.callback_query
    async with svc.db.sessions() as session:
        meeting = await store.get(session, meeting_id)
        invited = await store.rsvp_of(session, meeting_id, contact_id) if meeting else None
        partner = await session.get(Contact, contact_id) if invited else None
    if meeting is None or meeting.organiser_telegram_id != person.user_id:
        await common.expired_button(update, context, person.lang)
        return
    if partner is None or partner.telegram_user_id is None:
        await query.answer(_("This person can no longer be reached through the bot."))
        return
    await query.answer()
    await _put(
        svc, person, REPLY_FLOW, "text", {"meeting_id": meeting_id, "contact_id": contact_id}
    )
    await send_text(
        context,
        update.effective_chat.id,
        _(
            "Type your answer to {name} in one message; I will send it to them.",
            name=partner.display_name or _("(no name)"),
        ),
        person.lang,
        keyboard=column([button(_("Cancel"), callbacks.data("mtg", "x"))]),
    )


async def on_reply_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """The organiser's answer, sent to the partner with the buttons to change their answer."""
    svc = services(context)
    if await _prompt_expired(update, context, person, flow):
        return
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    if not person.is_staff:
        await _clear(svc, person)
        await refuse(update, context, person)
        return
    text = (update.effective_message.text or "").strip()
    if not text:
        await send_text(context, chat_id, _("Please type your answer."), person.lang)
        return
    if len(text) > FREE_TEXT_LIMIT:
        await send_text(context, chat_id, common.too_long(person.lang), person.lang)
        return
    await _clear(svc, person)
    meeting_id, contact_id = int(flow.data["meeting_id"]), int(flow.data["contact_id"])
    async with svc.db.sessions() as session:
        meeting = await store.get(session, meeting_id)
        invited = await store.rsvp_of(session, meeting_id, contact_id) if meeting else None
        partner = await session.get(Contact, contact_id) if invited else None
        label = await store.partnership_label(session, meeting.partnership_id) if meeting else None
    name = (partner.display_name if partner else None) or _("(no name)")
    delivered = False
    if meeting is not None and partner is not None and partner.telegram_user_id is not None:
        still_open = meeting.status == "scheduled" and meeting.starts_at > svc.clock.now()
        answer = invited.answer if invited is not None else None
        message, keyboard = _answer_to_partner(
            meeting, label or "", text, answer, partner.language, still_open
        )
        try:
            await send_text(
                context, int(partner.telegram_user_id), message, partner.language, keyboard=keyboard
            )
            delivered = True
        except TelegramError as err:
            log.info("could not pass an answer on for meeting %s: %s", meeting_id, err)
    await log_staff_action(
        svc,
        person,
        "meeting.reply",
        subject=f"meeting:{meeting_id}",
        details={"delivered": delivered},
    )
    await send_text(
        context,
        chat_id,
        _("Sent to {name}.", name=name)
        if delivered
        else _("{name} cannot be reached through the bot; nothing was sent.", name=name),
        person.lang,
    )


def _answer_to_partner(
    meeting: Meeting, label: str, text: str, answer: str | None, lang: str, still_open: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The organiser's words as the partner reads them, in the partner's language."""
    _ = translator(lang)
    heading = title(meeting, label, _)
    parts = [_("The organiser of {title} answered your question:", title=heading), text]
    if not still_open:
        return _.paragraphs(*parts), None
    parts.append(
        _(
            "To ask something else, press Need information. "
            "You can change your answer with the buttons below."
        )
    )
    return _.paragraphs(*parts), rsvp_keyboard(meeting, answer, _)
