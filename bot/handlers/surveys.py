"""A partner answering a survey in chat: one message per question, every answer stored at once.

Buttons carry ``sv:<response>:<question index>:<action>[:<arg>]``; a press is applied only if it
answers the question the response is on now, so an old keyboard can never change an answer.
"""

from __future__ import annotations

import html
import logging
import warnings
from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import callbacks
from bot import safeguarding_view as sg_view
from bot.access import Person, person_of
from bot.handlers import common
from bot.handlers import safeguarding as sg
from bot.i18n import bidi, translator
from bot.replies import send_text
from bot.services import Services, services
from bot.survey_registry import from_rows, to_row
from bot.survey_view import (
    answered_text,
    button_data,
    keyboard,
    question_text,
    refusal_text,
    screen_keyboard,
    screen_text,
)
from conversations import (
    Answer,
    Progress,
    Survey,
    UserInput,
    advance,
    current_question,
    initial_selection,
    screen,
)
from conversations.validation import (
    FREE_TEXT_LIMIT,
    SPLIT_PART_MIN,
    SPLIT_WINDOW_SECONDS,
    clip_free_text,
    join_parts,
)
from storage import flows
from storage import surveys as store
from storage.models import ChatFlow, Response

log = logging.getLogger(__name__)

# A message this long after the last answer is greeted with "here is where you stopped"
# rather than taken as the answer to a question the partner may have forgotten.
RESUME_AFTER = timedelta(hours=6)
HELP_AFTER_REFUSALS = 3


# ---------------------------------------------------------------- loading


async def _load(svc: Services, response_id: int) -> tuple[Response, Survey, Progress] | None:
    async with svc.db.sessions() as session:
        response = await store.get_response(session, response_id)
        if response is None:
            return None
        rows = await store.answers_of(session, response_id)
    survey = await svc.surveys.for_version(svc.db, response.survey_version_id)
    if survey is None:
        return None
    return response, survey, from_rows(survey, rows, response.cursor)


def _owned_by(response: Response, person: Person) -> bool:
    return person.contact is not None and response.contact_id == person.contact.id


def _today(person: Person, svc: Services):
    zone = person.contact.timezone if person.contact else "UTC"
    try:
        return svc.clock.now().astimezone(ZoneInfo(zone)).date()
    except Exception:
        return svc.clock.now().date()


# ---------------------------------------------------------------- asking


async def ask(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    response: Response,
    survey: Survey,
    progress: Progress,
    *,
    edit_message_id: int | None = None,
    intro: bool = False,
    prefix: str | None = None,
    selection: frozenset[str] | None = None,
) -> None:
    """Show the current question (as a new message, or by turning ``edit_message_id`` into it)."""
    svc = services(context)
    lang = response.language
    question = current_question(survey, progress)
    if question is None:
        return
    if selection is None:
        selection = (
            initial_selection(progress, question)
            if question.type == "multiple_choice"
            else frozenset()
        )
    shown = screen(survey, progress)
    if len(shown) > 1:
        text = screen_text(survey, progress, shown, lang, intro=intro)
        markup = screen_keyboard(survey, progress, shown, lang, response.id)
    else:
        text = question_text(survey, progress, question, lang, intro=intro)
        markup = keyboard(survey, progress, question, lang, response.id, selection)
        if question.confidential:
            # Before a word is typed: who alone will read it, or that nobody can (then the
            # partner is told, only Skip is useful, and anything typed is not kept).
            points = await sg.focal_points(svc)
            if points:
                text = f"{text}\n\n{sg_view.who_reads(points, lang)}"
            else:
                text = f"{text}\n\n🔒 <b>{html.escape(sg_view.unavailable(lang), quote=False)}</b>"
                await sg.notify_admins_once(context)
    if prefix:
        text = f"{prefix}\n\n{text}"
    text = bidi(text, lang)
    message_id = None
    if edit_message_id is not None:
        try:
            await context.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=edit_message_id,
                reply_markup=markup,
                parse_mode=ParseMode.HTML,
            )
            message_id = edit_message_id
        except BadRequest as err:
            log.info("could not turn message %s into a question: %s", edit_message_id, err)
    if message_id is None:
        sent: Message = await context.bot.send_message(
            chat_id, text, reply_markup=markup, parse_mode=ParseMode.HTML
        )
        message_id = sent.message_id
    async with svc.db.transaction() as session:
        await store.update_response(
            session,
            response.id,
            message_id=message_id,
            asked_key=question.key,
            pending_toggles=sorted(selection),
        )


async def _close_question_message(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int | None, text: str, lang: str
) -> None:
    """Replace a question's keyboard by the answer given, so it cannot be pressed again."""
    if message_id is None:
        return
    try:
        await context.bot.edit_message_text(
            bidi(text, lang), chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML
        )
    except BadRequest as err:
        if "not modified" not in str(err).lower():
            log.info("could not close question message %s: %s", message_id, err)


# ---------------------------------------------------------------- applying an input


async def apply_input(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    response: Response,
    survey: Survey,
    progress: Progress,
    user_input: UserInput,
    key: str | None = None,
    *,
    answered_as: str | None = None,
) -> None:
    """Apply one input; ``answered_as`` replaces the answer shown under the closed question
    (a confidential report shows that it was sent, not "skipped")."""
    svc = services(context)
    lang = response.language
    _ = translator(lang)
    chat_id = update.effective_chat.id
    query = update.callback_query
    before = current_question(survey, progress)
    screen_before = screen(survey, progress)
    if (
        before is not None
        and before.confidential
        and len(screen_before) <= 1
        and user_input.kind in ("text", "voice")
    ):
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
        await _offer_first_part(context, chat_id, person, response, before.key, user_input.value)
        return

    if step.refusal is not None:
        async with svc.db.transaction() as session:
            row = await store.get_response(session, response.id)
            row.refusals = (row.refusals or 0) + 1
            row.updated_at = now
            refusals = row.refusals
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
        async with svc.db.transaction() as session:
            await store.update_response(
                session, response.id, pending_toggles=sorted(step.selection), updated_at=now
            )
        if query is not None:
            await query.answer()
            markup = keyboard(survey, progress, before, lang, response.id, step.selection)
            try:
                await query.edit_message_reply_markup(reply_markup=markup)
            except BadRequest as err:
                if "not modified" not in str(err).lower():
                    raise
        return

    await _persist(svc, response, survey, step, now)
    if query is not None:
        await query.answer()

    if len(screen_before) > 1:
        if await _screen_stays(
            context, chat_id, response, survey, screen_before, step.progress, typed=query is None
        ):
            return
        shown = screen_text(survey, step.progress, screen_before, lang, closed=True)
        await _close_question_message(context, chat_id, response.message_id, shown, lang)
    elif before is not None:
        if step.stored is not None and step.stored.key == before.key:
            shown = answered_text(survey, before, step.stored, lang, shown=answered_as)
        elif user_input.kind == "next" and before.key in progress.answers:  # kept as it was
            shown = answered_text(survey, before, progress.answers[before.key], lang)
        else:  # Back: the question stays readable, its buttons go
            shown = question_text(survey, progress, before, lang)
        await _close_question_message(context, chat_id, response.message_id, shown, lang)

    if step.done:
        await _finish(context, chat_id, response, survey)
        return
    if step.stored is not None and step.stored.voice_file_id:
        prefix = _("Thank you, I received your voice message.")
    else:
        prefix = None
    await ask(context, chat_id, response, survey, step.progress, prefix=prefix)


async def _persist(svc: Services, response: Response, survey: Survey, step, now) -> None:  # type: ignore[no-untyped-def]
    """Store what one step changed: the answer given, answers now hidden, the response."""
    async with svc.db.transaction() as session:
        if step.stored is not None:
            question = survey.question(step.stored.key)
            await store.save_answer(
                session,
                response_id=response.id,
                key=step.stored.key,
                language=response.language,
                now=now,
                **to_row(question, step.stored),  # type: ignore[arg-type]
            )
        if step.removed:
            await store.delete_answers(session, response.id, list(step.removed))
        changes: dict[str, object] = {
            "cursor": step.progress.cursor,
            "pending_toggles": [],
            "refusals": 0,
            "updated_at": now,
        }
        if step.done:
            changes.update(status="completed", completed_at=now)
        await store.update_response(session, response.id, **changes)


async def _finish(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, response: Response, survey: Survey
) -> None:
    lang = response.language
    _ = translator(lang)
    # A feature's completion hook (J-PAT: tell staff both sides have submitted) may return what
    # the person should know next ("nobody sees them before ..."): it goes into the one
    # thank-you message instead of the survey's usual closing note.
    hooks = services(context).registry.completion_hooks
    notes = [await hook(context, response) for hook in hooks]
    told = [n for n in notes if n]
    if told:
        note = "\n\n".join(told)
    elif response.survey_id == "jpat":
        note = _(
            "Nobody sees J-PAT answers until the round closes. Then both sides see "
            "the comparison together. Send /jpat to follow the round."
        )
    elif any(q.confidential for q in survey.questions):
        note = sg_view.thanks_note(lang)
    else:
        note = _(
            "The NGO team reads every answer. Send /surveys to see if anything else is waiting."
        )
    await send_text(
        context, chat_id, _.paragraphs(_("Thank you! All your answers are saved."), note), lang
    )


async def skip_confidential(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, response_id: int
) -> None:
    """Pass a confidential question nobody can receive: a wordless "skipped" row, then on."""
    svc = services(context)
    loaded = await _load(svc, response_id)
    if loaded is None:
        return
    response, survey, progress = loaded
    question = current_question(survey, progress)
    if response.status != "in_progress" or question is None or not question.confidential:
        return
    step = advance(survey, progress, UserInput(kind="skip"), key=None)
    if step.stored is None:
        return
    await _persist(svc, response, survey, step, svc.clock.now())
    if response.message_id is not None and response.asked_key == question.key:
        shown = answered_text(survey, question, step.stored, response.language)
        await _close_question_message(
            context, chat_id, response.message_id, shown, response.language
        )
    if step.done:
        await _finish(context, chat_id, response, survey)
        return
    await ask(context, chat_id, response, survey, step.progress)


async def continue_after_confidential(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    response_id: int,
    answered_as: str | None,
) -> bool:
    """After a report was sent (or could not be), move the survey past its confidential
    question if the partner is still on it. True when the button press was answered here."""
    svc = services(context)
    loaded = await _load(svc, response_id)
    if loaded is None or not _owned_by(loaded[0], person):
        return False
    response, survey, progress = loaded
    question = current_question(survey, progress)
    if response.status != "in_progress" or question is None or not question.confidential:
        return False
    await apply_input(
        update,
        context,
        person,
        response,
        survey,
        progress,
        UserInput(kind="skip"),
        answered_as=answered_as,
    )
    return True


async def _screen_stays(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    response: Response,
    survey: Survey,
    shown: list,
    progress: Progress,
    *,
    typed: bool,
) -> bool:
    """Redraw a screen that is still being answered; False once it is left.

    A button press redraws it in place; a typed answer sends it again under the partner's
    message, where they are looking.
    """
    if [q.key for q in screen(survey, progress)] != [q.key for q in shown]:
        return False
    lang = response.language
    if typed:
        closed = screen_text(survey, progress, shown, lang, closed=True)
        await _close_question_message(context, chat_id, response.message_id, closed, lang)
    elif response.message_id is not None:
        try:
            await context.bot.edit_message_text(
                bidi(screen_text(survey, progress, shown, lang), lang),
                chat_id=chat_id,
                message_id=response.message_id,
                reply_markup=screen_keyboard(survey, progress, shown, lang, response.id),
                parse_mode=ParseMode.HTML,
            )
            return True
        except BadRequest as err:
            if "not modified" in str(err).lower():
                return True
            log.info("could not redraw screen %s: %s", response.message_id, err)
    await ask(context, chat_id, response, survey, progress)  # the message is gone: draw anew
    return True


def view_text(survey: Survey, progress: Progress, lang: str) -> str:
    """What is shown now (a screen or one question), without buttons: for closing an old
    message when the survey continues on a new one."""
    shown = screen(survey, progress)
    if len(shown) > 1:
        return screen_text(survey, progress, shown, lang, closed=True)
    if shown:
        return question_text(survey, progress, shown[0], lang)
    return ""


# ---------------------------------------------------------------- buttons


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
    query = update.callback_query
    pieces = callbacks.parts(query.data, "sv", minimum=4)
    if pieces is None or not callbacks.is_number(pieces[1]):
        await common.expired_button(update, context, person.lang)
        return
    loaded = await _load(svc, int(pieces[1]))
    if loaded is None or not _owned_by(loaded[0], person):
        await common.expired_button(update, context, person.lang)
        return
    response, survey, progress = loaded
    action = pieces[3]
    arg = pieces[4] if len(pieces) > 4 else None
    if action == "go":
        await _start_or_continue(update, context, person, response, survey, progress)
        return
    if action in (KEEP_FIRST, SEND_SHORTER) and arg is None:
        await _first_part_chosen(update, context, person, response, survey, progress, pieces)
        return
    question = current_question(survey, progress)
    shown = screen(survey, progress)
    on_screen = {str(survey.question_index[q.key]): q for q in shown}
    on_question_message = (
        response.message_id is None
        or query.message is None
        or query.message.message_id == response.message_id
    )
    stale = (
        response.status != "in_progress"
        or question is None
        or pieces[2] not in on_screen
        # Only the question's own message answers it, except the Skip that the help offer
        # (a separate message, after repeated refusals) carries for the same question.
        or (not on_question_message and action != "s")
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
    await apply_input(update, context, person, response, survey, progress, user_input, key)


def _input_for(question, action: str, arg: str | None) -> UserInput | None:
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


async def _start_or_continue(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    response: Response,
    survey: Survey,
    progress: Progress,
) -> None:
    svc = services(context)
    query = update.callback_query
    _ = translator(response.language)
    if response.status not in store.OPEN_STATUSES:
        await query.answer(_("This survey is closed. Thank you!"))
        return
    await query.answer()
    first_time = response.started_at is None
    now = svc.clock.now()
    previous_message = response.message_id
    async with svc.db.transaction() as session:
        row = await store.get_response(session, response.id)
        row.status = "in_progress"
        row.started_at = row.started_at or now
        row.updated_at = now
        row.language = person.lang  # the partner may have changed language since the invitation
        # A half-done step elsewhere (a dispute's comment, a wizard's typed value) would take
        # the answers typed from now on: starting the survey leaves it.
        await flows.clear(session, person.user_id)
    response.language = person.lang
    if (
        previous_message is not None
        and query.message is not None
        and previous_message != query.message.message_id
    ):
        await _close_question_message(
            context,
            update.effective_chat.id,
            previous_message,
            view_text(survey, progress, response.language),
            response.language,
        )
    edit_id = query.message.message_id if query.message is not None else None
    await ask(
        context,
        update.effective_chat.id,
        response,
        survey,
        progress,
        edit_message_id=edit_id,
        intro=first_time,
    )


# ---------------------------------------------------------------- typed text and voice


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> bool:
    """The router's fallback: a message while a survey is open answers its current question."""
    svc = services(context)
    if person.contact is None:
        return False
    async with svc.db.sessions() as session:
        waiting = await store.open_responses(session, person.contact.id)
    if not waiting:
        return False
    current = waiting[0]
    if current.status != "in_progress":
        await _offer(update, context, person, waiting)
        return True
    loaded = await _load(svc, current.id)
    if loaded is None:
        return False
    response, survey, progress = loaded
    _ = translator(response.language)
    chat_id = update.effective_chat.id
    if svc.clock.now() - response.updated_at > RESUME_AFTER:
        shown_now = view_text(survey, progress, response.language)
        if shown_now:
            await _close_question_message(
                context, chat_id, response.message_id, shown_now, response.language
            )
        async with svc.db.transaction() as session:
            row = await store.get_response(session, response.id)
            row.updated_at = svc.clock.now()
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
        if await _continues_long_answer(
            context, chat_id, person, response, survey, progress, message.text
        ):
            return
        user_input = UserInput(kind="text", value=message.text)
    else:
        await send_text(
            context, chat_id, _("Please type your answer, or use the buttons."), response.language
        )
        return True
    await apply_input(update, context, person, response, survey, progress, user_input)
    return True


async def _offer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, waiting: list[Response]
) -> None:
    text, lang, markup = await _listing(context, person, waiting)
    await send_text(context, update.effective_chat.id, text, lang, keyboard=markup)


async def _listing(
    context: ContextTypes.DEFAULT_TYPE, person: Person, waiting: list[Response]
) -> tuple[str, str, InlineKeyboardMarkup | None]:
    svc = services(context)
    lang = person.lang
    _ = translator(lang)
    if not waiting:
        return _("There is no survey waiting for you right now. Thank you!"), lang, None
    buttons = []
    lines = [_("Surveys waiting for you:")]
    for response in waiting[:8]:
        survey = await svc.surveys.for_version(svc.db, response.survey_version_id)
        if survey is None:
            continue
        title = survey.text_for(survey.title, lang)
        if response.status == "invited":
            label = _("Start: {title}", title=title)
        else:
            label = _("Continue: {title}", title=title)
        lines.append(f"• {label}")
        buttons.append(
            [InlineKeyboardButton(label[:64], callback_data=button_data(response.id, "-", "go"))]
        )
    return "\n".join(lines), lang, InlineKeyboardMarkup(buttons)


async def surveys_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
    _ = translator(person.lang)
    if person.contact is None or person.role == "stranger":
        await send_text(
            context,
            update.effective_chat.id,
            _(
                "I don't have you registered yet. To join, please ask the NGO team for an invitation link."
            ),
            person.lang,
        )
        return
    async with svc.db.sessions() as session:
        waiting = await store.open_responses(session, person.contact.id)
    await _offer(update, context, person, waiting)


async def cancel_hook(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> bool:
    """/cancel inside a survey: pause it, keep every answer, say how to come back."""
    svc = services(context)
    if person.contact is None:
        return False
    async with svc.db.sessions() as session:
        waiting = await store.open_responses(session, person.contact.id)
    current = next((r for r in waiting if r.status == "in_progress"), None)
    if current is None:
        return False
    loaded = await _load(svc, current.id)
    if loaded is None:
        return False
    response, survey, progress = loaded
    shown_now = view_text(survey, progress, response.language)
    if shown_now:
        await _close_question_message(
            context, update.effective_chat.id, response.message_id, shown_now, response.language
        )
    async with svc.db.transaction() as session:
        row = await store.get_response(session, response.id)
        row.status = "paused"
        row.updated_at = svc.clock.now()
    _ = translator(response.language)
    await send_text(
        context,
        update.effective_chat.id,
        _(
            "Survey paused. Your answers so far are saved. Send /surveys when you want to continue where you left off."
        ),
        response.language,
    )
    return True


def due_text(response_due, lang: str, zone: str) -> str:
    _ = translator(lang)
    try:
        tz = ZoneInfo(zone)
    except Exception:
        tz = ZoneInfo("UTC")
    return format_date(response_due.astimezone(tz), "long", locale=_.locale)


def _voice_seconds(message: Message) -> int:
    """PTB 22 warns that durations will become timedelta; accept either, without the noise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        duration = message.voice.duration if message.voice is not None else 0
    if hasattr(duration, "total_seconds"):
        return int(duration.total_seconds())  # type: ignore[union-attr]
    return int(duration)  # type: ignore[call-overload]


# ---------------------------------------------------------------- text longer than the limit
#
# A text over FREE_TEXT_LIMIT is kept aside (a chat flow), never dropped: the partner is asked
# whether its first part will do ("Keep the first 4,000 characters") or they will send a
# shorter one. Telegram clients send a longer message as several parts at once; a part that
# arrives within SPLIT_WINDOW_SECONDS of a long one is joined to it, so it never becomes the
# answer to the next question.

FLOW_LONG = "survey_long_text"
KEEP_FIRST = "lk"
SEND_SHORTER = "ls"
# What a chat flow holds at most (a few parts): enough to keep the first part and say how long
# the whole was.
_HELD_TEXT = 4 * FREE_TEXT_LIMIT


def _count(_, value: int) -> str:  # type: ignore[no-untyped-def]
    return format_decimal(value, locale=_.locale)


def _offer_text(text: str, lang: str) -> str:
    _ = translator(lang)
    kept = clip_free_text(text)
    tail = kept[-80:].lstrip()
    return _.paragraphs(
        _(
            "Your answer has {length} characters; an answer can have up to {limit}. "
            "Nothing is saved yet.",
            length=_count(_, len(text)),
            limit=_count(_, FREE_TEXT_LIMIT),
        ),
        _(
            "If you keep the first {limit} characters, your answer ends with: “…{tail}”",
            limit=_count(_, FREE_TEXT_LIMIT),
            tail=tail,
        ),
    )


def _offer_keyboard(response_id: int, question_index: int, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Keep the first {n} characters", n=_count(_, FREE_TEXT_LIMIT)),
                    callback_data=button_data(response_id, question_index, KEEP_FIRST),
                )
            ],
            [
                InlineKeyboardButton(
                    _("I'll send a shorter one"),
                    callback_data=button_data(response_id, question_index, SEND_SHORTER),
                )
            ],
        ]
    )


async def _offer_first_part(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    response: Response,
    key: str,
    text: str,
) -> None:
    svc = services(context)
    survey = await svc.surveys.for_version(svc.db, response.survey_version_id)
    if survey is None:
        return
    text = text.strip()[:_HELD_TEXT]
    lang = response.language
    sent = await send_text(
        context,
        chat_id,
        _offer_text(text, lang),
        lang,
        keyboard=_offer_keyboard(response.id, survey.question_index[key], lang),
    )
    async with svc.db.transaction() as session:
        await flows.put(
            session,
            person.user_id,
            FLOW_LONG,
            "offer",
            {"response": response.id, "key": key, "text": text, "message": sent.message_id},
            svc.clock.now(),
        )


async def _close_offer(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, flow_data: dict, text: str, lang: str
) -> None:
    message_id = flow_data.get("message")
    if not isinstance(message_id, int):
        return
    try:
        await context.bot.edit_message_text(
            bidi(text, lang), chat_id=chat_id, message_id=message_id
        )
    except BadRequest as err:
        if "not modified" not in str(err).lower():
            log.info("could not close the long-text offer %s: %s", message_id, err)


def _recent(svc: Services, since) -> bool:  # type: ignore[no-untyped-def]
    return svc.clock.now() - since <= timedelta(seconds=SPLIT_WINDOW_SECONDS)


async def on_long_text_part(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """A text while "keep the first part?" is open: the next part of the same text (it came at
    once), else a new answer (the shorter one), and the offer is closed."""
    svc = services(context)
    chat_id = update.effective_chat.id
    text = update.effective_message.text or ""
    data = dict(flow.data or {})
    if _recent(svc, flow.updated_at):
        joined = join_parts(str(data.get("text", "")), text)[:_HELD_TEXT]
        data["text"] = joined
        async with svc.db.transaction() as session:
            await flows.put(session, person.user_id, FLOW_LONG, "offer", data, svc.clock.now())
        loaded = await _load(svc, int(data.get("response", 0)))
        if loaded is not None and isinstance(data.get("message"), int):
            response, survey, _progress = loaded
            key = str(data.get("key"))
            if key in survey.question_index:
                try:
                    await context.bot.edit_message_text(
                        bidi(_offer_text(joined, response.language), response.language),
                        chat_id=chat_id,
                        message_id=data["message"],
                        reply_markup=_offer_keyboard(
                            response.id, survey.question_index[key], response.language
                        ),
                    )
                except BadRequest as err:
                    log.info("could not update the long-text offer: %s", err)
        return
    async with svc.db.transaction() as session:
        await flows.clear(session, person.user_id)
    _ = translator(person.lang)
    await _close_offer(context, chat_id, data, _("You sent a new answer instead."), person.lang)
    if not await on_message(update, context, person):
        from bot.handlers import basic

        await basic.not_understood(update, context)


async def _continues_long_answer(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    response: Response,
    survey: Survey,
    progress: Progress,
    part: str,
) -> bool:
    """The rest of a long text answer that Telegram sent as a second message (the first part
    fitted and was saved): joined to that answer, never taken as the next question's answer."""
    if (
        progress.cursor is not None
        or not progress.answers
        or not _recent(services(context), response.updated_at)
    ):
        return False
    last = list(progress.answers.values())[-1]
    question = survey.question(last.key)
    if (
        getattr(question, "type", None) != "text"
        or last.status != "answered"
        or not isinstance(last.value, str)
        or len(last.value) < SPLIT_PART_MIN
    ):
        return False
    svc = services(context)
    text = join_parts(last.value, part)
    if len(text.strip()) > FREE_TEXT_LIMIT:
        await _offer_first_part(context, chat_id, person, response, last.key, text)
        return True
    async with svc.db.transaction() as session:
        await store.save_answer(
            session,
            response_id=response.id,
            key=last.key,
            language=response.language,
            now=svc.clock.now(),
            **to_row(question, Answer(last.key, text.strip(), "answered")),  # type: ignore[arg-type]
        )
    _ = translator(response.language)
    await send_text(context, chat_id, _("I added this to your previous answer."), response.language)
    return True


async def _first_part_chosen(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    response: Response,
    survey: Survey,
    progress: Progress,
    pieces: list[str],
) -> None:
    """ "Keep the first 4,000 characters" or "I'll send a shorter one", on the offer."""
    svc = services(context)
    query = update.callback_query
    chat_id = update.effective_chat.id
    lang = response.language
    _ = translator(lang)
    async with svc.db.sessions() as session:
        flow = await flows.get(session, person.user_id)
    data = dict(flow.data or {}) if flow is not None and flow.flow == FLOW_LONG else {}
    key = str(data.get("key", ""))
    if (
        data.get("response") != response.id
        or key not in survey.question_index
        or pieces[2] != str(survey.question_index[key])
        or response.status != "in_progress"
    ):
        await query.answer(_("This question was already answered. Your answers are safe."))
        return
    async with svc.db.transaction() as session:
        await flows.clear(session, person.user_id)
    question = survey.question(key)
    current = current_question(survey, progress)
    kept = clip_free_text(str(data.get("text", "")))
    if pieces[3] == SEND_SHORTER:
        await query.answer()
        await _close_offer(context, chat_id, data, _("Fine: please type a shorter answer."), lang)
        if current is not None and current.key != key:  # the question before: asked again
            await _close_question_message(
                context, chat_id, response.message_id, view_text(survey, progress, lang), lang
            )
            async with svc.db.transaction() as session:
                await store.update_response(session, response.id, cursor=key)
            await ask(context, chat_id, response, survey, Progress(progress.answers, key))
        return
    await _close_offer(
        context,
        chat_id,
        data,
        _("Kept the first {n} characters of your answer.", n=_count(_, FREE_TEXT_LIMIT)),
        lang,
    )
    if current is not None and current.key == key:
        await apply_input(
            update, context, person, response, survey, progress, UserInput(kind="text", value=kept)
        )
        return
    # The question before, whose first part was saved already: its answer becomes the kept part.
    await query.answer()
    async with svc.db.transaction() as session:
        await store.save_answer(
            session,
            response_id=response.id,
            key=key,
            language=lang,
            now=svc.clock.now(),
            **to_row(question, Answer(key, kept, "answered")),  # type: ignore[arg-type]
        )


# A text typed while "keep the first part?" is open comes here first (see ``on_long_text_part``).
