"""Showing where a survey is: the current question or screen as one message, the message of a
question once it is answered (its buttons gone), and the thank-you at the end."""

from __future__ import annotations

import html
import logging

from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.context import BotContext
from bot.i18n import bidi, translator
from bot.replies import edit_text, post, send_text
from bot.safeguarding import report as sg
from bot.safeguarding import view as sg_view
from bot.surveys import authoring_view, service
from bot.surveys.screen_view import screen_keyboard, screen_text
from bot.surveys.view import keyboard, question_text
from conversations import Progress, Question, Survey, current_question, initial_selection, screen
from storage.models import Response

log = logging.getLogger(__name__)


async def ask(
    context: BotContext,
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
    svc = context.svc
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
            await edit_text(
                context.bot,
                chat_id,
                edit_message_id,
                text,
                reply_markup=markup,
                parse_mode=ParseMode.HTML,
            )
            message_id = edit_message_id
        except BadRequest as err:
            log.info("could not turn message %s into a question: %s", edit_message_id, err)
    if message_id is None:
        sent = await post(
            context.bot,
            "sendMessage",
            chat_id=chat_id,
            text=text,
            reply_markup=markup,
            parse_mode=ParseMode.HTML,
        )
        message_id = sent["message_id"]
    await service.remember_question(svc, response.id, message_id, question.key, selection)


async def close_question_message(
    context: BotContext, chat_id: int, message_id: int | None, text: str, lang: str
) -> None:
    """Replace a question's keyboard by the answer given, so it cannot be pressed again."""
    if message_id is None:
        return
    try:
        await edit_text(
            context.bot, chat_id, message_id, bidi(text, lang), parse_mode=ParseMode.HTML
        )
    except BadRequest as err:
        if "not modified" not in str(err).lower():
            log.info("could not close question message %s: %s", message_id, err)


def current_message(response: Response, survey: Survey, progress: Progress) -> int | None:
    """The remembered question message if it shows what the survey is on now. A crash
    between sending a question and remembering it leaves an older question's message
    remembered: None then, so that message keeps its own answer and is never rewritten
    into the current question."""
    if response.message_id is None:
        return None
    if any(q.key == response.asked_key for q in screen(survey, progress)):
        return response.message_id
    return None


def view_text(survey: Survey, progress: Progress, lang: str) -> str:
    """What is shown now (a screen or one question), without buttons: for closing an old
    message when the survey continues on a new one."""
    shown = screen(survey, progress)
    if len(shown) > 1:
        return screen_text(survey, progress, shown, lang, closed=True)
    if shown:
        return question_text(survey, progress, shown[0], lang)
    return ""


async def screen_stays(
    context: BotContext,
    chat_id: int,
    response: Response,
    survey: Survey,
    shown: list[Question],
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
        await close_question_message(context, chat_id, response.message_id, closed, lang)
    elif response.message_id is not None:
        try:
            await edit_text(
                context.bot,
                chat_id,
                response.message_id,
                bidi(screen_text(survey, progress, shown, lang), lang),
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


async def finish(context: BotContext, chat_id: int, response: Response, survey: Survey) -> None:
    lang = response.language
    _ = translator(lang)
    # A feature's completion hook (J-PAT: tell staff both sides have submitted) may return what
    # the person should know next ("nobody sees them before ..."): it goes into the one
    # thank-you message instead of the survey's usual closing note.
    hooks = context.svc.registry.completion_hooks
    notes = [await hook(context, response) for hook in hooks]
    told = [n for n in notes if n]
    if response.trial:
        note = authoring_view.trial_note(_)
    elif told:
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
    # On record, so a restart after a crash before this point sends it (bot.surveys.recovery).
    await service.mark_thanked(context.svc, response.id)
