"""What a partner was owed when the bot died, sent at the next start.

An answer is committed before anything is said about it (``storage.db``), so a crash right
after the commit loses what was to follow: the next question, or the thank-you after the last
answer (``partnerbot bench faults`` counted both). At start-up, responses active in the last
``RECENT`` are looked at: one in progress whose remembered message does not show the question
it is on now gets that question again; one completed without a thank-you on record gets it.
A crash in the instant between sending and recording can make one of these come twice; that
is the price of never leaving a partner waiting without knowing why. This runs before the bot
handles any update, so it never races a handler answering the same partner.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.error import TelegramError

from bot.context import BotContext
from bot.services import Services
from bot.surveys import service
from bot.surveys.asking import ask, current_message, finish
from storage.statuses import ResponseStatus

log = logging.getLogger(__name__)

#: How far back a start-up looks: a restart after a crash comes within minutes; older
#: responses were seen by the partner long ago (and a first start after an upgrade must not
#: thank everyone again).
RECENT = timedelta(minutes=30)


async def on_startup(application: Any) -> None:
    """Before any update is handled (the inbox replayed or a new one): a handler answering
    the same partner meanwhile would read the same state and send the same question again
    (``bench faults`` saw it 28 ms apart). A few sends, paced like any reply."""
    await resume_owed(application)


async def resume_owed(application: Any) -> int:
    """Send what is owed; returns how many messages that was."""
    svc: Services = application.bot_data["services"]
    context = BotContext(application)
    sent = 0
    for response in await service.owed_since(svc, svc.clock.now() - RECENT):
        if response.contact_id is None:
            continue
        chat_id = await service.telegram_id_of(svc, response.contact_id)
        loaded = await service.load(svc, response.id)
        if chat_id is None or loaded is None:
            continue
        response, survey, progress = loaded
        try:
            if response.status == ResponseStatus.COMPLETED:
                await finish(context, chat_id, response, survey)
                sent += 1
            elif current_message(response, survey, progress) is None:
                await ask(context, chat_id, response, survey, progress)
                sent += 1
        except TelegramError as err:  # blocked, or Telegram away: the partner can /surveys
            log.info("could not resume response %s: %s", response.id, type(err).__name__)
    if sent:
        log.info("sent %d message(s) owed to partners before a restart", sent)
    return sent
