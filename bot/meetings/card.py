"""A meeting as staff see it (``mtg:v``) and its changes: reschedule (``mtg:rs``, then the
typed time and ``mtg:mv``), new reminder offsets (``mtg:rm``), cancel (``mtg:c``, ``mtg:cy``).

The change buttons carry the meeting's version, so a button from before a change is refused.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.access import Person, log_staff_action
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.press import Press
from bot.handlers.wizard import put_step, staff_typing
from bot.i18n import translator
from bot.meetings import service, view
from bot.meetings.chat import (
    EDIT_FLOW,
    ask_offsets,
    ask_when,
    staff_zone,
    start_sending,
    typed_offsets,
    typed_when,
    use_buttons,
)
from bot.meetings.when import format_offsets, format_when
from bot.replies import send_text
from storage.models import ChatFlow, Meeting


async def on_meeting_button(press: Press, args: list[int]) -> None:
    """A press on a meeting (``args``: its id, then the version the button was made for)."""
    svc, person, query, _ = press.svc, press.person, press.query, press._
    context, chat_id, action = press.context, press.chat_id, press.action
    zone = staff_zone(svc, person)
    meeting, label = await service.meeting_with_label(svc, args[0])
    if meeting is None or label is None:
        await press.expired()
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
        await put_step(svc, person.user_id, EDIT_FLOW, "when", data)
        await ask_when(context, chat_id, person, zone, new=True)
        return
    if action == "rm":
        await query.answer()
        await put_step(svc, person.user_id, EDIT_FLOW, "offsets", data)
        await ask_offsets(context, chat_id, person.lang, list(meeting.reminder_offsets or []))
        return
    if action == "c":
        await query.answer()
        text, keyboard = view.cancel_question(_, meeting, label, zone)
        await context.reply(text, keyboard=keyboard)
        return
    if action == "cy":
        cancelled, told = await service.cancel_meeting(svc, meeting.id, person.contact_id)
        if cancelled is None:
            await press.expired()
            return
        heading = view.title(meeting, label, _)  # outside the call: Babel's extractor trips on `_`
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
        start_sending(context)
        return
    await press.expired()


async def _show(
    context: BotContext,
    chat_id: int,
    person: Person,
    meeting: Meeting,
    label: str,
    zone: str,
) -> None:
    """One meeting: details, who answered what, reminders, and the buttons to change it."""
    svc = context.svc
    _ = translator(person.lang)
    people, pending = await service.card_facts(svc, meeting.id)
    await log_staff_action(svc, person, "meeting.view", subject=f"meeting:{meeting.id}")
    text, keyboard = view.card(_, meeting, label, zone, people, pending, svc.clock.now())
    await send_text(context, chat_id, text, person.lang, keyboard=keyboard)


async def apply_reschedule(press: Press, flow: ChatFlow) -> None:
    """The read-back new time confirmed: the meeting moves, unless it changed meanwhile."""
    svc, person, query, _ = press.svc, press.person, press.query, press._
    zone = staff_zone(svc, person)
    moved, told = await service.reschedule_if_current(
        svc, person.user_id, flow.data, person.contact_id
    )
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
    start_sending(press.context)


async def _apply_offsets(
    context: BotContext,
    chat_id: int,
    person: Person,
    data: dict[str, Any],
    offsets: list[int],
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    changed = await service.change_offsets_if_current(svc, person.user_id, data, offsets)
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
    start_sending(context)


async def on_edit_text(update: Update, context: BotContext, person: Person, flow: ChatFlow) -> None:
    """Typed steps when changing a meeting: its new time, or its reminder offsets."""
    text = await staff_typing(update, context, person)
    if text is None:
        return
    chat_id = update.effective_chat.id
    if flow.step in ("when", "when_ok"):
        await typed_when(context, chat_id, person, flow, text, "mv")
        return
    if flow.step == "offsets":
        offsets = await typed_offsets(context, chat_id, person.lang, text)
        if offsets is not None:
            await _apply_offsets(context, chat_id, person, dict(flow.data), offsets)
        return
    await use_buttons(context, chat_id, person.lang)
