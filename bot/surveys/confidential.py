"""How a survey goes on past its confidential question once the report is sent, or cannot be.

``bot.safeguarding.report`` takes the words of a confidential question and calls these through
the registry (``report.SKIP``, ``report.RESUME``), so that it need not import the survey.
"""

from __future__ import annotations

from telegram import Update

from bot.access import Person
from bot.context import BotContext
from bot.surveys import service
from bot.surveys.answering import apply_input, owned_by
from bot.surveys.asking import ask, close_question_message, finish
from bot.surveys.open_response import Answering
from bot.surveys.view import answered_text
from conversations import UserInput, advance, current_question


async def skip_confidential(context: BotContext, chat_id: int, response_id: int) -> None:
    """Pass a confidential question nobody can receive: a wordless "skipped" row, then on."""
    svc = context.svc
    loaded = await service.load(svc, response_id)
    if loaded is None:
        return
    response, survey, progress = loaded
    question = current_question(survey, progress)
    if response.status != "in_progress" or question is None or not question.confidential:
        return
    step = advance(survey, progress, UserInput(kind="skip"), key=None)
    if step.stored is None:
        return
    await service.store_step(svc, response, survey, step, svc.clock.now())
    if response.message_id is not None and response.asked_key == question.key:
        shown = answered_text(survey, question, step.stored, response.language)
        await close_question_message(
            context, chat_id, response.message_id, shown, response.language
        )
    if step.done:
        await finish(context, chat_id, response, survey)
        return
    await ask(context, chat_id, response, survey, step.progress)


async def continue_after_confidential(
    update: Update,
    context: BotContext,
    person: Person,
    response_id: int,
    answered_as: str | None,
) -> bool:
    """After a report was sent (or could not be), move the survey past its confidential
    question if the partner is still on it. True when the button press was answered here."""
    svc = context.svc
    loaded = await service.load(svc, response_id)
    if loaded is None or not owned_by(loaded[0], person):
        return False
    response, survey, progress = loaded
    question = current_question(survey, progress)
    if response.status != "in_progress" or question is None or not question.confidential:
        return False
    answering = Answering(update, context, person, *loaded)
    await apply_input(answering, UserInput(kind="skip"), answered_as=answered_as)
    return True
