"""/meeting, the scheduling wizard, and the ``mtg:…`` buttons.

/meeting is a wizard kept in ``chat_flows`` (a restart or a second process carries on):
partnership → kind → date and time (typed in the organiser's zone, read back) → place or
link → agenda (optional) → confirm, where the reminder offsets can be changed.

Buttons: ``mtg:…`` for staff (wizard steps, and ``v``/``rs``/``rm``/``c``/``cy`` on a meeting,
which carry the meeting's version so a button from before a change is refused: see
``bot.meetings.card``; ``qr`` to answer a partner's question: see ``bot.meetings.relay``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Update
from telegram.error import BadRequest

from bot import callbacks
from bot.access import Person, log_staff_action, requires
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.press import Press
from bot.handlers.wizard import leave_steps, put_step, staff_button, staff_typing, step_of
from bot.i18n import translator
from bot.keyboards import button, column, grid
from bot.meetings import card, relay, service, wizard_view
from bot.meetings.chat import (
    EDIT_FLOW,
    FLOW,
    REPLY_FLOW,
    ask_offsets,
    ask_when,
    staff_zone,
    start_sending,
    typed_offsets,
    typed_when,
    use_buttons,
)
from bot.meetings.view import kind_label
from bot.meetings.when import DEFAULT_OFFSETS, format_when
from bot.replies import send_text
from storage.meetings import KINDS
from storage.models import ChatFlow

MAX_PLACE = 300


@requires("staff")
async def meeting_command(update: Update, context: BotContext, person: Person) -> None:
    svc = context.svc
    _ = translator(person.lang)
    choices = await service.partnership_choices(svc, limit=20)
    if not choices:
        await context.reply(
            _("There is no partnership to hold a meeting for yet. Create the partnership first.")
        )
        return
    await put_step(svc, person.user_id, FLOW, "partnership", {})
    buttons = [
        button(
            _.ngettext("{name} ({n} member)", "{name} ({n} members)", c.members, name=c.label),
            callbacks.data("mtg", "p", c.id),
        )
        for c in choices
    ]
    buttons.append(button(_("Cancel"), callbacks.data("mtg", "x")))
    await context.reply(_("Which partnership is the meeting for?"), keyboard=column(buttons))


async def _ask_kind(context: BotContext, chat_id: int, lang: str) -> None:
    _ = translator(lang)
    buttons = [button(kind_label(k, _), callbacks.data("mtg", "k", k)) for k in KINDS]
    buttons.append(button(_("Cancel"), callbacks.data("mtg", "x")))
    await send_text(
        context, chat_id, _("What kind of meeting is it?"), lang, keyboard=grid(buttons, 2)
    )


async def _summary(context: BotContext, chat_id: int, person: Person, data: dict[str, Any]) -> None:
    svc = context.svc
    _ = translator(person.lang)
    zone = staff_zone(svc, person)
    counts = await service.member_counts(svc, int(data["partnership_id"]), person.contact_id)
    text, keyboard = wizard_view.summary(_, data, zone, counts)
    await send_text(context, chat_id, text, person.lang, keyboard=keyboard)


async def _schedule(
    context: BotContext, chat_id: int, person: Person, data: dict[str, Any]
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    zone = staff_zone(svc, person)
    meeting, invited = await service.schedule_draft(
        svc, data, zone=zone, user_id=person.user_id, contact_id=person.contact_id
    )
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
    start_sending(context)


async def on_button(update: Update, context: BotContext) -> None:
    press = await staff_button(update, context, "mtg")
    if press is None:
        return
    action, args = press.action, press.args
    if action == "qr" and len(args) == 2 and all(callbacks.is_number(a) for a in args):
        await relay.on_reply_button(press, int(args[0]), int(args[1]))
        return
    if (
        action in ("v", "rs", "rm", "c", "cy")
        and args
        and all(callbacks.is_number(a) for a in args)
    ):
        await card.on_meeting_button(press, [int(a) for a in args])
        return
    flow = await step_of(press.svc, press.person.user_id)
    if flow is None or flow.flow not in (FLOW, EDIT_FLOW, REPLY_FLOW):
        await press.expired()
        return
    _ = press._
    if action == "x":
        await common.close_keyboard(press.query, _("Cancelled."), press.lang)
        await leave_steps(press.svc, press.person.user_id)
        return
    if flow.flow == REPLY_FLOW:
        await press.expired()
        return
    if flow.flow == EDIT_FLOW:
        if action == "mv" and flow.step == "when_ok":
            await card.apply_reschedule(press, flow)
            return
        await press.expired()
        return
    await _on_wizard_button(press, flow)


async def _on_wizard_button(press: Press, flow: ChatFlow) -> None:
    """A press in the /meeting wizard, on the step it belongs to (else "no longer active")."""
    svc, person, query, _ = press.svc, press.person, press.query, press._
    context, chat_id, action, args = press.context, press.chat_id, press.action, press.args
    data = dict(flow.data)
    if action == "p" and flow.step == "partnership" and args and callbacks.is_number(args[0]):
        label = await service.partnership_label(svc, int(args[0]))
        if label is None:
            await press.expired()
            return
        await common.close_keyboard(query, _("Partnership: {name}", name=label), person.lang)
        await put_step(
            svc,
            person.user_id,
            FLOW,
            "kind",
            {"partnership_id": int(args[0]), "partnership": label},
        )
        await _ask_kind(context, chat_id, person.lang)
        return
    if action == "k" and flow.step == "kind" and args and args[0] in KINDS:
        await common.close_keyboard(query, kind_label(args[0], _), person.lang)
        await put_step(svc, person.user_id, FLOW, "when", {**data, "kind": args[0]})
        await ask_when(context, chat_id, person, staff_zone(svc, person), new=False)
        return
    if action == "ok" and flow.step == "when_ok":
        zone = staff_zone(svc, person)
        at = datetime.fromisoformat(data["starts_at"])
        await common.close_keyboard(
            query, _("When: {time}", time=format_when(at, zone, person.lang)), person.lang
        )
        await put_step(svc, person.user_id, FLOW, "place", data)
        await context.reply(
            _("Where will it take place? Send an address, or a link for an online meeting.")
        )
        return
    if action == "skip" and flow.step == "agenda":
        await common.close_keyboard(query, _("No agenda"), person.lang)
        data = {**data, "agenda": None, "offsets": list(DEFAULT_OFFSETS)}
        await put_step(svc, person.user_id, FLOW, "confirm", data)
        await _summary(context, chat_id, person, data)
        return
    if action == "rem" and flow.step == "confirm":
        await query.answer()
        await put_step(svc, person.user_id, FLOW, "offsets", data)
        await ask_offsets(context, chat_id, person.lang, list(data.get("offsets") or []))
        return
    if action == "go" and flow.step == "confirm":
        counts = await service.member_counts(svc, int(data["partnership_id"]), person.contact_id)
        if counts.empty_sides:
            await query.answer()
            try:
                await query.edit_message_reply_markup(None)
            except BadRequest as err:
                if "not modified" not in str(err):
                    raise
            await put_step(svc, person.user_id, FLOW, "empty", data)
            text, keyboard = wizard_view.empty_sides(_, data["partnership"], counts.empty_sides)
            await context.reply(text, keyboard=keyboard)
            return
        await common.close_keyboard(query, _("Scheduling…"), person.lang)
        await _schedule(context, chat_id, person, data)
        return
    if action == "gy" and flow.step == "empty":
        await common.close_keyboard(query, _("Scheduling…"), person.lang)
        await _schedule(context, chat_id, person, data)
        return
    await press.expired()


async def on_text(update: Update, context: BotContext, person: Person, flow: ChatFlow) -> None:
    """Typed steps of the /meeting wizard: date and time, place, agenda, reminder offsets."""
    text = await staff_typing(update, context, person)
    if text is None:
        return
    svc = context.svc
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    data = dict(flow.data)
    if flow.step in ("when", "when_ok"):
        await typed_when(context, chat_id, person, flow, text, "ok")
        return
    if flow.step == "place":
        if not 2 <= len(text) <= MAX_PLACE:
            await context.reply(
                _("Please send a place or link of 2 to {n} characters.", n=MAX_PLACE)
            )
            return
        await put_step(svc, person.user_id, FLOW, "agenda", {**data, "place": text})
        await context.reply(
            _("What is on the agenda? Send it in one message, or press Skip."),
            keyboard=column([button(_("Skip"), callbacks.data("mtg", "skip"))]),
        )
        return
    if flow.step == "agenda":
        refusal = common.free_text_refusal(text, person.lang)
        if refusal is not None:
            await context.reply(refusal)
            return
        data = {**data, "agenda": text or None, "offsets": list(DEFAULT_OFFSETS)}
        await put_step(svc, person.user_id, FLOW, "confirm", data)
        await _summary(context, chat_id, person, data)
        return
    if flow.step == "offsets":
        offsets = await typed_offsets(context, chat_id, person.lang, text)
        if offsets is None:
            return
        data = {**data, "offsets": offsets}
        await put_step(svc, person.user_id, FLOW, "confirm", data)
        await _summary(context, chat_id, person, data)
        return
    await use_buttons(context, chat_id, person.lang)
