"""The bot's update queue: getUpdates semantics, long polling and redelivery.

Telegram keeps each update until the bot confirms it with a higher ``offset``, and an update
can reach the bot twice around a restart. The bot must de-duplicate by ``update_id``; this
queue reproduces the confirmation rules and lets tests re-send an already confirmed update
(:meth:`UpdateQueue.redeliver`) to prove the bot does.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.devtools.sandbox import errors
from bot.devtools.sandbox.events import Notifier

ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}
ARCHIVE_SIZE = 100_000


def update_type(update: dict[str, Any]) -> str:
    """The update's payload field (``message``, ``callback_query``...)."""
    for key in update:
        if key != "update_id":
            return key
    return "unknown"


def update_chat_id(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to, if any."""
    body = update.get(update_type(update))
    if not isinstance(body, dict):
        return None
    chat = body.get("chat")
    if chat is None and isinstance(body.get("message"), dict):
        chat = body["message"].get("chat")
    if isinstance(chat, dict) and isinstance(chat.get("id"), int):
        return chat["id"]
    sender = body.get("from")
    if isinstance(sender, dict) and isinstance(sender.get("id"), int):
        return sender["id"]
    return None


@dataclass
class QueuedUpdate:
    """An update waiting for confirmation."""

    update_id: int
    payload: dict[str, Any]
    chat_id: int | None
    forced: bool = False  # re-sent on purpose: survives offset confirmation until handed out
    handed_out: bool = False


class UpdateQueue:
    """Pending updates in order, with Telegram's offset/limit/allowed_updates rules."""

    def __init__(self, on_enqueue: Callable[[], None] | None = None) -> None:
        self._pending: list[QueuedUpdate] = []
        self._archive: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._next_id = 1
        self._generation = 0
        self._conflict_reason: str | None = None
        self._on_enqueue = on_enqueue
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.notifier = Notifier()
        self.closing = False

    # ----- producing -------------------------------------------------------------------------
    def enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Add an update (assigning ``update_id`` if missing); returns the full update.

        Updates of types the bot did not ask for are not stored, as on Telegram.
        """
        update = dict(update)
        if "update_id" not in update:
            update = {"update_id": self._next_id, **update}
        update_id = int(update["update_id"])
        self._next_id = max(self._next_id, update_id + 1)
        self._archive[update_id] = update
        while len(self._archive) > ARCHIVE_SIZE:
            self._archive.popitem(last=False)
        if update_type(update) in self.allowed_updates:
            self._pending.append(QueuedUpdate(update_id, update, update_chat_id(update)))
            self._pending.sort(key=lambda q: q.update_id)
            if self._on_enqueue is not None:
                self._on_enqueue()
            self.notifier.notify()
        return update

    def redeliver(self, update_id: int) -> dict[str, Any]:
        """Queue an already delivered update again, with the same ``update_id``."""
        update = self._archive.get(update_id)
        if update is None:
            raise KeyError(f"unknown update_id {update_id}")
        for entry in self._pending:
            if entry.update_id == update_id:
                entry.forced = True
                entry.handed_out = False
                break
        else:
            self._pending.insert(
                0, QueuedUpdate(update_id, update, update_chat_id(update), forced=True)
            )
        self.notifier.notify()
        return update

    def set_allowed_updates(self, allowed: list[str] | None) -> None:
        """Change the filter (``None`` keeps it; an empty list means the default set)."""
        if allowed is None:
            return
        self.allowed_updates = (
            frozenset(allowed) & ALL_UPDATE_TYPES if allowed else DEFAULT_UPDATE_TYPES
        )

    # ----- consuming -------------------------------------------------------------------------
    @property
    def pending_count(self) -> int:
        """Updates not yet confirmed."""
        return len(self._pending)

    def pending(self) -> list[dict[str, Any]]:
        """Copies of the pending updates, in delivery order."""
        return [entry.payload for entry in self._ordered()]

    def has_undelivered(self, chat_id: int) -> bool:
        """Whether an update from this chat has not reached the bot yet."""
        return any(e.chat_id == chat_id and not e.handed_out for e in self._pending)

    def drop_pending(self) -> None:
        """Forget every pending update (``drop_pending_updates``)."""
        self._pending.clear()

    def _ordered(self) -> list[QueuedUpdate]:
        forced = [e for e in self._pending if e.forced]
        return forced + [e for e in self._pending if not e.forced]

    def confirm(self, offset: int | None) -> None:
        """Apply getUpdates' ``offset``: forget updates below it (negative: keep the last N)."""
        if not offset:
            return
        if offset < 0:
            keep = {id(e) for e in self._pending[offset:]}
            self._pending = [e for e in self._pending if id(e) in keep or e.forced]
            return
        self._pending = [
            e for e in self._pending if e.update_id >= offset or (e.forced and not e.handed_out)
        ]

    def take(self, limit: int) -> list[dict[str, Any]]:
        """Hand out up to ``limit`` pending updates (they stay until confirmed)."""
        batch = self._ordered()[:limit]
        for entry in batch:
            entry.handed_out = True
            entry.forced = False
        return [entry.payload for entry in batch]

    def first(self) -> QueuedUpdate | None:
        """The next update to deliver to a webhook."""
        ordered = self._ordered()
        return ordered[0] if ordered else None

    def remove(self, entry: QueuedUpdate) -> None:
        """Forget one update (a webhook accepted it, or gave up on it)."""
        if entry in self._pending:
            self._pending.remove(entry)

    def mark_handed_out(self, entry: QueuedUpdate) -> None:
        """Note that a webhook delivery of this update was accepted."""
        entry.handed_out = True
        entry.forced = False

    def interrupt_polls(self, reason: str) -> None:
        """Make any waiting getUpdates answer 409 with ``Conflict: <reason>``."""
        self._generation += 1
        self._conflict_reason = reason
        self.notifier.notify()

    async def poll(self, offset: int | None, limit: int, timeout: float) -> list[dict[str, Any]]:
        """getUpdates: confirm, then return updates, waiting up to ``timeout`` seconds.

        A newer getUpdates call ends an older waiting one with 409, as on Telegram (two bot
        processes polling at once is a deployment mistake this makes visible).
        """
        self.confirm(offset)
        self.interrupt_polls(errors.OTHER_GETUPDATES)
        generation = self._generation
        loop_time = _loop_time()
        deadline = loop_time + max(0.0, timeout)
        while True:
            if generation != self._generation:
                raise errors.conflict(self._conflict_reason or errors.OTHER_GETUPDATES)
            batch = self.take(limit)
            remaining = deadline - _loop_time()
            if batch or remaining <= 0 or self.closing:
                return batch
            await self.notifier.wait(remaining)


def _loop_time() -> float:
    return asyncio.get_running_loop().time()
