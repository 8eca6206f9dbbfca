"""Updates from Telegram reach the handlers through the inbox (``storage.inbox``).

Both ways of receiving (``bot.polling``, ``bot.webhook``) call :func:`receive` before they
acknowledge a batch to Telegram, and :func:`replay_waiting` runs once at start-up: together
they make a crash at any point lose no update, and the update-id claim
(``storage.updates.claim_update``) makes none apply twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import Update

from storage import inbox

log = logging.getLogger(__name__)


async def receive(
    application: Any, updates: Sequence[Update], payloads: Sequence[dict[str, Any]] | None = None
) -> None:
    """Store a batch in the inbox (one transaction), then queue it for the handlers. Raises
    if it could not be stored: the caller must then not acknowledge it to Telegram.

    ``payloads`` are the updates as Telegram sent them, when the caller has them: stored as
    they came, instead of being built again from the Update objects."""
    svc = application.bot_data.get("services")
    if svc is not None:  # an application without the bot's services (a bare test app) queues
        raw = payloads if payloads is not None else [update.to_dict() for update in updates]
        pairs = [(update.update_id, data) for update, data in zip(updates, raw, strict=True)]
        await inbox.store(svc.db, pairs, svc.clock.now())
    for update in updates:
        await application.update_queue.put(update)


async def replay_waiting(application: Any) -> int:
    """At start-up, before anything new is received: hand the handlers again what a previous
    run stored but did not apply. Returns how many."""
    svc = application.bot_data["services"]
    payloads, given_up = await inbox.take_waiting(svc.db)
    for update_id in given_up:
        log.warning(
            "update %s was handed to the handlers %d times without being applied; left alone",
            update_id,
            inbox.MAX_REPLAYS,
        )
    for payload in payloads:
        await application.update_queue.put(Update.de_json(payload, application.bot))
    if payloads:
        log.info("replaying %d update(s) received before a restart but not applied", len(payloads))
    return len(payloads)
