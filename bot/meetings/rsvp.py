"""The RSVP buttons of the people invited: ``rsvp:MEETING:VERSION:a|n|i`` under an
invitation, a reminder, a change notice or a partner's /meetings (``rsvp:MEETING:0:x`` leaves
the question prompt "Need information" opened: see ``bot.meetings.relay``)."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest

from bot import callbacks
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.wizard import leave_steps
from bot.i18n import translator
from bot.meetings import relay, service
from bot.meetings.chat import ASK_FLOW
from bot.meetings.view import ANSWER_CODES, answer_label, rsvp_keyboard


async def on_rsvp(update: Update, context: BotContext) -> None:
    """``rsvp:MEETING:VERSION:a|n|i`` from an invitation, a reminder, a change notice or
    /meetings; ``rsvp:MEETING:0:x`` leaves the question a partner was asked to type."""
    svc = context.svc
    person = await context.who()
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
        await relay.leave_question(update, context, person, int(pieces[1]))
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
    meeting, refusal, flow = await service.answer_invitation(
        svc, meeting_id, version, person.contact.id, person.user_id, answer
    )
    if refusal == "expired":
        await common.expired_button(update, context, person.lang)
        return
    if refusal == "cancelled":
        await query.answer(_("This meeting was cancelled."))
        return
    if refusal == "changed":
        await query.answer(
            _("This meeting has changed. Please answer on the latest message about it.")
        )
        return
    if refusal == "begun":
        await query.answer(_("This meeting has already begun."))
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
        await relay.ask_question(context, update.effective_chat.id, person, meeting)
    elif answer != "need_info" and asking:
        # they answered after all: the question prompt is over
        await leave_steps(svc, person.user_id)
