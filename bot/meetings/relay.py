"""Partners' questions and the organiser's answers, passed on by the bot.

"Need information" asks a partner to type a question; the bot passes it to the organiser with
a Reply button (``mtg:qr``), and the organiser's next message goes back to the partner
(``ASK_FLOW`` and ``REPLY_FLOW``). Staff see the partner's name only, never a chat id.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from telegram import Update
from telegram.error import TelegramError

from bot import callbacks
from bot.access import Person, log_staff_action
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.press import Press
from bot.handlers.wizard import leave_steps, put_step, staff_typing, step_of
from bot.i18n import translator
from bot.keyboards import button, column
from bot.meetings import service, view
from bot.meetings.chat import ASK_FLOW, REPLY_FLOW
from bot.replies import send_text
from storage.models import ChatFlow, Meeting

log = logging.getLogger(__name__)
# A question or an answer is typed right after its button; later text is about something else
# (a survey answer, a J-PAT comment) and must not be relayed to another person.
RELAY_PROMPT_LIFETIME = timedelta(minutes=30)


async def ask_question(context: BotContext, chat_id: int, person: Person, meeting: Meeting) -> None:
    """After "Need information": the partner's next message goes to the organiser."""
    svc = context.svc
    _ = translator(person.lang)
    _found, label, organiser = await service.question_target(svc, meeting.id)
    heading = view.title(meeting, label, _)
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
    await put_step(svc, person.user_id, ASK_FLOW, "text", {"meeting_id": meeting.id})
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


async def leave_question(
    update: Update, context: BotContext, person: Person, meeting_id: int
) -> None:
    """The Cancel button under the question prompt."""
    svc = context.svc
    _ = translator(person.lang)
    flow = await step_of(svc, person.user_id)
    if flow is None or flow.flow != ASK_FLOW or flow.data.get("meeting_id") != meeting_id:
        await common.expired_button(update, context, person.lang)
        return
    await leave_steps(svc, person.user_id)
    told = await _tell_organiser(context, person, meeting_id, None)
    await common.close_keyboard(update.callback_query, view.no_question(told, _), person.lang)


async def cancel_hook(update: Update, context: BotContext, person: Person) -> bool:
    """/cancel while a partner is asked for their question: as the Cancel button."""
    svc = context.svc
    flow = await step_of(svc, person.user_id)
    if flow is None or flow.flow != ASK_FLOW:
        return False
    await leave_steps(svc, person.user_id)
    _ = translator(person.lang)
    told = await _tell_organiser(context, person, int(flow.data.get("meeting_id", 0)), None)
    await context.reply(view.no_question(told, _))
    return True


async def on_question_text(
    update: Update, context: BotContext, person: Person, flow: ChatFlow
) -> None:
    """The partner's question, passed to the organiser by the bot (no chat id shown)."""
    svc = context.svc
    _ = translator(person.lang)
    text = await _typed(update, context, person, flow, _("Please type your question."))
    if text is None:
        return
    meeting_id = int(flow.data.get("meeting_id", 0))
    meeting = await service.get_meeting(svc, meeting_id)
    if meeting is None or meeting.status != "scheduled":
        await context.reply(_("This meeting was cancelled, so I did not send your question."))
        return
    if await _tell_organiser(context, person, meeting_id, text):
        reply = _("Sent to the organiser. Their answer will come here.")
    else:
        reply = _(
            "Sorry, I could not reach the organiser. Staff can see that you need more information."
        )
    await context.reply(reply)


async def _typed(
    update: Update,
    context: BotContext,
    person: Person,
    flow: ChatFlow,
    missing: str,
    *,
    staff: bool = False,
) -> str | None:
    """The question or answer typed at a relay prompt, with the prompt left; None when it was
    handled otherwise: the prompt had expired, the organiser is no longer staff (``staff``),
    or the text was empty or too long (said, and the prompt stays open)."""
    if await _prompt_expired(update, context, person, flow):
        return None
    if staff:
        text = await staff_typing(update, context, person)
        if text is None:
            return None
    else:
        text = (update.effective_message.text or "").strip()
    refusal = common.free_text_refusal(text, person.lang, missing)
    if refusal is not None:
        await context.reply(refusal)
        return None
    await leave_steps(context.svc, person.user_id)
    return text


async def _prompt_expired(
    update: Update, context: BotContext, person: Person, flow: ChatFlow
) -> bool:
    """True (after handing the text on as if no prompt were open) when the question or answer
    prompt is older than RELAY_PROMPT_LIFETIME."""
    from bot.handlers import router

    svc = context.svc
    updated = flow.updated_at
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    if svc.clock.now() - updated <= RELAY_PROMPT_LIFETIME:
        return False
    await leave_steps(svc, person.user_id)
    await router.on_message(update, context)
    return True


async def _tell_organiser(
    context: BotContext, person: Person, meeting_id: int, question: str | None
) -> bool:
    """The partner's question (or, without one, that they need more information) to the
    organiser, with a Reply button. True if it was delivered."""
    svc = context.svc
    meeting, label, organiser = await service.question_target(svc, meeting_id)
    if meeting is None or organiser is None or person.contact is None:
        return False
    organiser_id = int(meeting.organiser_telegram_id or 0)
    lang = organiser.language
    zone = organiser.timezone or meeting.organiser_timezone
    _ = translator(lang)
    text, keyboard = view.question_to_organiser(_, meeting, label, zone, person.contact, question)
    try:
        await send_text(context, organiser_id, text, lang, keyboard=keyboard)
    except TelegramError as err:
        log.warning("could not tell the organiser of meeting %s: %s", meeting.id, err)
        return False
    return True


async def on_reply_button(press: Press, meeting_id: int, contact_id: int) -> None:
    """The organiser's Reply: their next message goes to the partner who asked."""
    svc, person, query, _ = press.svc, press.person, press.query, press._
    meeting, _invited, partner, _label = await service.reply_target(svc, meeting_id, contact_id)
    if meeting is None or meeting.organiser_telegram_id != person.user_id:
        await press.expired()
        return
    if partner is None or partner.telegram_user_id is None:
        await query.answer(_("This person can no longer be reached through the bot."))
        return
    await query.answer()
    await put_step(
        svc,
        person.user_id,
        REPLY_FLOW,
        "text",
        {"meeting_id": meeting_id, "contact_id": contact_id},
    )
    await press.context.reply(
        _(
            "Type your answer to {name} in one message; I will send it to them.",
            name=partner.display_name or _("(no name)"),
        ),
        keyboard=column([button(_("Cancel"), callbacks.data("mtg", "x"))]),
    )


async def on_reply_text(
    update: Update, context: BotContext, person: Person, flow: ChatFlow
) -> None:
    """The organiser's answer, sent to the partner with the buttons to change their answer."""
    svc = context.svc
    _ = translator(person.lang)
    text = await _typed(update, context, person, flow, _("Please type your answer."), staff=True)
    if text is None:
        return
    meeting_id, contact_id = int(flow.data["meeting_id"]), int(flow.data["contact_id"])
    meeting, invited, partner, label = await service.reply_target(svc, meeting_id, contact_id)
    name = (partner.display_name if partner else None) or _("(no name)")
    delivered = False
    if meeting is not None and partner is not None and partner.telegram_user_id is not None:
        still_open = meeting.status == "scheduled" and meeting.starts_at > svc.clock.now()
        answer = invited.answer if invited is not None else None
        message, keyboard = view.answer_to_partner(
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
    await context.reply(
        _("Sent to {name}.", name=name)
        if delivered
        else _("{name} cannot be reached through the bot; nothing was sent.", name=name)
    )
