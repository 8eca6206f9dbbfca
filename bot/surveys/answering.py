"""A partner answering a survey in chat: one message per question, every answer stored at once.

Buttons carry ``sv:<response>:<question index>:<action>[:<arg>]``; a press is applied only if it
answers the question the response is on now, so an old keyboard can never change an answer.
A typed message or a voice message while a survey is open answers its current question.
"""

from __future__ import annotations

import logging
import warnings
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot import callbacks
from bot.access import Person
from bot.context import BotContext
from bot.handlers import basic, common
from bot.i18n import translator
from bot.replies import send_text
from bot.safeguarding import report as sg
from bot.services import Services
from bot.surveys import authoring_view, listing, long_text, service
from bot.surveys.asking import (
    ask,
    close_question_message,
    current_message,
    finish,
    screen_stays,
    view_text,
)
from bot.surveys.open_response import Answering
from bot.surveys.refusals import refusal_text
from bot.surveys.screen_view import screen_text
from bot.surveys.view import answered_text, button_data, keyboard, question_text
from conversations import Question, UserInput, advance, current_question, screen
from storage.models import ChatFlow, Response

log = logging.getLogger(__name__)

# A message this long after the last answer is greeted with "here is where you stopped"
# rather than taken as the answer to a question the partner may have forgotten.
RESUME_AFTER = timedelta(hours=6)
HELP_AFTER_REFUSALS = 3


def owned_by(response: Response, person: Person) -> bool:
    return person.contact is not None and response.contact_id == person.contact.id


def _today(person: Person, svc: Services) -> date:
    zone = person.contact.timezone if person.contact else "UTC"
    try:
        return svc.clock.now().astimezone(ZoneInfo(zone)).date()
    except Exception:
        return svc.clock.now().date()


# ---------------------------------------------------------------- applying an input


async def apply_input(
    answering: Answering,
    user_input: UserInput,
    key: str | None = None,
    *,
    answered_as: str | None = None,
) -> None:
    """Apply one input; ``answered_as`` replaces the answer shown under the closed question
    (a confidential report shows that it was sent, not "skipped")."""
    update, context, person = answering.update, answering.context, answering.person
    response, survey, progress = answering.response, answering.survey, answering.progress
    svc = context.svc
    lang = response.language
    _ = translator(lang)
    chat_id = answering.chat_id
    query = answering.query
    before = current_question(survey, progress)
    screen_before = screen(survey, progress)
    if (
        before is not None
        and before.confidential
        and len(screen_before) <= 1
        and user_input.kind in ("text", "voice")
    ):
        if response.trial:  # staff trying a form: no report reaches the focal point
            await send_text(context, chat_id, authoring_view.trial_confidential(_), lang)
            await apply_input(answering, UserInput(kind="skip"))
            return
        # The words of a confidential report never reach the engine or the answers table.
        await sg.take_report_input(update, context, person, response, survey, before, user_input)
        return
    step = advance(
        survey,
        progress,
        user_input,
        pending_toggles=frozenset(response.pending_toggles or []),
        today=_today(person, svc),
        key=key,
        lang=lang,
    )
    now = svc.clock.now()

    if (
        step.refusal is not None
        and step.refusal.code == "too_long"
        and query is None
        and before is not None
        and isinstance(user_input.value, str)
    ):
        # Never refused and lost: kept aside, the partner says whether its first part will do.
        await long_text.offer_first_part(
            context, chat_id, person, response, before.key, user_input.value
        )
        return

    if step.refusal is not None:
        refusals = await service.count_refusal(svc, response.id, now)
        text = refusal_text(step.refusal, lang)
        if query is not None:
            await query.answer(text[:190], show_alert=False)
            return
        markup = None
        if refusals >= HELP_AFTER_REFUSALS and before is not None:
            text = _.paragraphs(
                text,
                _(
                    "If you are not sure, you can skip this question where that is allowed, "
                    "or send /cancel to stop for now: your answers so far are kept. "
                    "Send /help for more."
                ),
            )
            if not before.required:
                markup = InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                _("Skip"),
                                callback_data=button_data(
                                    response.id, survey.question_index[before.key], "s"
                                ),
                            )
                        ]
                    ]
                )
        await send_text(context, chat_id, text, lang, keyboard=markup)
        return

    if step.selection is not None and before is not None:
        await service.keep_selection(svc, response.id, step.selection, now)
        if query is not None:
            await query.answer()
            markup = keyboard(survey, progress, before, lang, response.id, step.selection)
            try:
                await query.edit_message_reply_markup(reply_markup=markup)
            except BadRequest as err:
                if "not modified" not in str(err).lower():
                    raise
        return

    await service.store_step(svc, response, survey, step, now)
    if query is not None:
        await query.answer()

    if len(screen_before) > 1:
        if await screen_stays(
            context, chat_id, response, survey, screen_before, step.progress, typed=query is None
        ):
            return
        shown = screen_text(survey, step.progress, screen_before, lang, closed=True)
        for message_id in showing(response, {q.key for q in screen_before}, query):
            await close_question_message(context, chat_id, message_id, shown, lang)
    elif before is not None:
        if step.stored is not None and step.stored.key == before.key:
            shown = answered_text(survey, before, step.stored, lang, shown=answered_as)
        elif user_input.kind == "next" and before.key in progress.answers:  # kept as it was
            shown = answered_text(survey, before, progress.answers[before.key], lang)
        else:  # Back: the question stays readable, its buttons go
            shown = question_text(survey, progress, before, lang)
        for message_id in showing(response, {before.key}, query):
            await close_question_message(context, chat_id, message_id, shown, lang)

    if step.done:
        await finish(context, chat_id, response, survey)
        return
    if step.stored is not None and step.stored.voice_file_id:
        prefix = _("Thank you, I received your voice message.")
    else:
        prefix = None
    await ask(context, chat_id, response, survey, step.progress, prefix=prefix)


def showing(response: Response, keys: set[str], query: CallbackQuery | None) -> list[int]:
    """The messages that show the questions ``keys`` now, to close once answered: the one
    pressed, and the one the response remembers if it was asked for one of them. A crash
    between sending a question and remembering it leaves an older question's message
    remembered; that one is never rewritten with this answer."""
    ids = [query.message.message_id] if query is not None and query.message is not None else []
    if response.message_id is not None and response.asked_key in keys:
        if response.message_id not in ids:
            ids.append(response.message_id)
    return ids


# ---------------------------------------------------------------- buttons


async def on_button(update: Update, context: BotContext) -> None:
    svc = context.svc
    person = await context.who()
    query = update.callback_query
    pieces = callbacks.parts(query.data, "sv", minimum=4)
    if pieces is None or not callbacks.is_number(pieces[1]):
        await common.expired_button(update, context, person.lang)
        return
    loaded = await service.load(svc, int(pieces[1]))
    if loaded is None or not owned_by(loaded[0], person):
        await common.expired_button(update, context, person.lang)
        return
    answering = Answering(update, context, person, *loaded)
    response, survey, progress = loaded
    action = pieces[3]
    arg = pieces[4] if len(pieces) > 4 else None
    if action == "go":
        await listing.start_or_continue(answering)
        return
    if action in (long_text.KEEP_FIRST, long_text.SEND_SHORTER) and arg is None:
        kept = await long_text.first_part_chosen(answering, pieces)
        if kept is not None:
            await apply_input(answering, UserInput(kind="text", value=kept))
        return
    question = current_question(survey, progress)
    shown = screen(survey, progress)
    on_screen = {str(survey.question_index[q.key]): q for q in shown}
    # The button names the question it answers, and the response's state says whether that
    # is the question now. Only where the response remembers the message this very screen
    # was asked in must the press come from it (or be the help offer's Skip): after a crash
    # between sending a question and remembering it, the remembered message is an older
    # question's, and the live question's own buttons must still work.
    remembered_here = response.message_id is not None and any(
        q.key == response.asked_key for q in shown
    )
    elsewhere = (
        remembered_here
        and query.message is not None
        and query.message.message_id != response.message_id
    )
    stale = (
        response.status != "in_progress"
        or question is None
        or pieces[2] not in on_screen
        or (elsewhere and action != "s")
    )
    if stale:
        _ = translator(response.language)
        await query.answer(_("This question was already answered. Your answers are safe."))
        return
    pressed = on_screen[pieces[2]]
    if action == "i" and arg is None:  # a screen's reference button: the statement again
        await query.answer(survey.text_for(pressed.text, response.language)[:190], show_alert=True)
        return
    user_input = _input_for(pressed, action, arg)
    if user_input is None:
        await common.expired_button(update, context, response.language)
        return
    key = pressed.key if len(shown) > 1 else None
    await apply_input(answering, user_input, key)


def _input_for(question: Question, action: str, arg: str | None) -> UserInput | None:
    if action == "c" and arg is not None:
        if question.type == "single_choice":
            if not callbacks.is_number(arg) or int(arg) >= len(question.choices):
                return None
            return UserInput(kind="choice", value=question.choices[int(arg)].code)
        return UserInput(kind="choice", value=arg)
    if action == "t" and arg is not None and question.type == "multiple_choice":
        if not callbacks.is_number(arg) or int(arg) >= len(question.choices):
            return None
        return UserInput(kind="toggle", value=question.choices[int(arg)].code)
    simple = {"d": "done", "k": "dont_know", "n": "done", "s": "skip", "b": "back", "x": "next"}
    if action in simple and arg is None:
        return UserInput(kind=simple[action])  # type: ignore[arg-type]
    return None


# ---------------------------------------------------------------- typed text and voice


async def on_message(update: Update, context: BotContext, person: Person) -> bool:
    """The router's fallback: a message while a survey is open answers its current question."""
    svc = context.svc
    if person.contact is None:
        return False
    waiting = await service.open_responses(svc, person.contact.id)
    if not waiting:
        return False
    current = waiting[0]
    if current.status != "in_progress":
        await listing.offer(update, context, person, waiting)
        return True
    loaded = await service.load(svc, current.id)
    if loaded is None:
        return False
    answering = Answering(update, context, person, *loaded)
    response, survey, progress = loaded
    _ = translator(response.language)
    chat_id = update.effective_chat.id
    if svc.clock.now() - response.updated_at > RESUME_AFTER:
        shown_now = view_text(survey, progress, response.language)
        if shown_now:
            await close_question_message(
                context,
                chat_id,
                current_message(response, survey, progress),
                shown_now,
                response.language,
            )
        await service.touch(svc, response.id)
        await ask(
            context,
            chat_id,
            response,
            survey,
            progress,
            prefix=_("Welcome back! Here is where you stopped:"),
        )
        return True
    message = update.effective_message
    if message.voice is not None:
        user_input = UserInput(
            kind="voice",
            voice_file_id=message.voice.file_id,
            voice_duration=_voice_seconds(message),
        )
    elif message.text is not None:
        if await long_text.continues_long_answer(answering, message.text):
            return True  # taken: the router must not also say it was not understood
        user_input = UserInput(kind="text", value=message.text)
    else:
        await send_text(
            context, chat_id, _("Please type your answer, or use the buttons."), response.language
        )
        return True
    await apply_input(answering, user_input)
    return True


def _voice_seconds(message: Message) -> int:
    """PTB 22 warns that durations will become timedelta; accept either, without the noise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        duration = message.voice.duration if message.voice is not None else 0
    if hasattr(duration, "total_seconds"):
        return int(duration.total_seconds())  # type: ignore[union-attr]
    return int(duration)  # type: ignore[call-overload]


async def on_long_text_part(
    update: Update, context: BotContext, person: Person, flow: ChatFlow
) -> None:
    """A text while "keep the first part?" is open: the next part of the same text (it came at
    once), else a new answer (the shorter one), and the offer is closed."""
    text = update.effective_message.text or ""
    if await long_text.takes_part(context, update.effective_chat.id, person, flow, text):
        return
    if not await on_message(update, context, person):
        await basic.not_understood(update, context)
