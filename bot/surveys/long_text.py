"""A text answer longer than the limit, and a text Telegram split into several messages.

A text over FREE_TEXT_LIMIT is kept aside (a chat flow), never dropped: the partner is asked
whether its first part will do ("Keep the first 4,000 characters") or they will send a
shorter one. Telegram clients send a longer message as several parts at once; a part that
arrives within SPLIT_WINDOW_SECONDS of a long one is joined to it, so it never becomes the
answer to the next question.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.access import Person
from bot.context import BotContext
from bot.i18n import Translator, bidi, translator
from bot.replies import send_text
from bot.services import Services
from bot.surveys import service
from bot.surveys.asking import ask, close_question_message, current_message, view_text
from bot.surveys.open_response import Answering
from bot.surveys.view import button_data
from conversations import Progress, current_question
from conversations.validation import (
    FREE_TEXT_LIMIT,
    SPLIT_PART_MIN,
    SPLIT_WINDOW_SECONDS,
    clip_free_text,
    join_parts,
)
from storage.models import ChatFlow, Response

log = logging.getLogger(__name__)

KEEP_FIRST = "lk"
SEND_SHORTER = "ls"
# What a chat flow holds at most (a few parts): enough to keep the first part and say how long
# the whole was.
_HELD_TEXT = 4 * FREE_TEXT_LIMIT


def _count(_: Translator, value: int) -> str:
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


async def offer_first_part(
    context: BotContext,
    chat_id: int,
    person: Person,
    response: Response,
    key: str,
    text: str,
) -> None:
    """Keep ``text`` aside and ask whether its first part will do as the answer to ``key``."""
    svc = context.svc
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
    await service.hold_long_text(
        svc,
        person.user_id,
        {"response": response.id, "key": key, "text": text, "message": sent.message_id},
    )


async def _close_offer(
    context: BotContext,
    chat_id: int,
    flow_data: dict[str, Any],
    text: str,
    lang: str,
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


def _recent(svc: Services, since: datetime) -> bool:
    return svc.clock.now() - since <= timedelta(seconds=SPLIT_WINDOW_SECONDS)


async def takes_part(
    context: BotContext, chat_id: int, person: Person, flow: ChatFlow, text: str
) -> bool:
    """A text while "keep the first part?" is open: True when it is the next part of the same
    text (it came at once), joined to it; else the offer is closed and False (a new answer,
    the shorter one, for the caller to take)."""
    svc = context.svc
    data = dict(flow.data or {})
    if _recent(svc, flow.updated_at):
        joined = join_parts(str(data.get("text", "")), text)[:_HELD_TEXT]
        data["text"] = joined
        await service.hold_long_text(svc, person.user_id, data)
        loaded = await service.load(svc, int(data.get("response", 0)))
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
        return True
    await service.drop_chat_step(svc, person.user_id)
    _ = translator(person.lang)
    await _close_offer(context, chat_id, data, _("You sent a new answer instead."), person.lang)
    return False


async def continues_long_answer(answering: Answering, part: str) -> bool:
    """The rest of a long text answer that Telegram sent as a second message (the first part
    fitted and was saved): joined to that answer, never taken as the next question's answer."""
    context, chat_id, person = answering.context, answering.chat_id, answering.person
    response, survey, progress = answering.response, answering.survey, answering.progress
    if (
        progress.cursor is not None
        or not progress.answers
        or not _recent(context.svc, response.updated_at)
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
    svc = context.svc
    text = join_parts(last.value, part)
    if len(text.strip()) > FREE_TEXT_LIMIT:
        await offer_first_part(context, chat_id, person, response, last.key, text)
        return True
    await service.store_text(svc, response, question, last.key, text.strip())
    _ = translator(response.language)
    await send_text(context, chat_id, _("I added this to your previous answer."), response.language)
    return True


async def first_part_chosen(answering: Answering, pieces: list[str]) -> str | None:
    """ "Keep the first 4,000 characters" or "I'll send a shorter one", on the offer. Returns
    the kept text when it answers the current question (for the caller to apply as typed)."""
    context, chat_id, person = answering.context, answering.chat_id, answering.person
    response, survey, progress = answering.response, answering.survey, answering.progress
    svc = context.svc
    query = answering.update.callback_query
    lang = response.language
    _ = translator(lang)
    data = await service.held_long_text(svc, person.user_id)
    key = str(data.get("key", ""))
    if (
        data.get("response") != response.id
        or key not in survey.question_index
        or pieces[2] != str(survey.question_index[key])
        or response.status != "in_progress"
    ):
        await query.answer(_("This question was already answered. Your answers are safe."))
        return None
    await service.drop_chat_step(svc, person.user_id)
    question = survey.question(key)
    current = current_question(survey, progress)
    kept = clip_free_text(str(data.get("text", "")))
    if pieces[3] == SEND_SHORTER:
        await query.answer()
        await _close_offer(context, chat_id, data, _("Fine: please type a shorter answer."), lang)
        if current is not None and current.key != key:  # the question before: asked again
            await close_question_message(
                context,
                chat_id,
                current_message(response, survey, progress),
                view_text(survey, progress, lang),
                lang,
            )
            await service.move_to(svc, response.id, key)
            await ask(context, chat_id, response, survey, Progress(progress.answers, key))
        return None
    await _close_offer(
        context,
        chat_id,
        data,
        _("Kept the first {n} characters of your answer.", n=_count(_, FREE_TEXT_LIMIT)),
        lang,
    )
    if current is not None and current.key == key:
        return kept
    # The question before, whose first part was saved already: its answer becomes the kept part.
    await query.answer()
    await service.store_text(svc, response, question, key, kept)
    return None
