"""The reading side of a chat: what the bot did there, in order, and waiting for it.

:class:`ChatView` is shared by a user's :class:`~bot.devtools.sandbox.phones.Phone` and a
:class:`~bot.devtools.sandbox.phones.Group`; it also posts a user's message into its chat,
which both need. Tests see what the bot did through ``events``, ``messages``,
:meth:`ChatView.wait` and :meth:`ChatView.settle`.

Waiting model: every bot-side event in a chat is recorded once. ``wait`` returns the oldest
events of the requested kinds that no earlier ``wait``/``settle`` returned, and marks only
those as consumed; events of other kinds stay available for a later ``wait`` that asks for
them. So a test can read the reply messages and, separately, check the callback answers::

    await phone.press("Agree")
    [edit] = await phone.wait(kinds="edit")
    [answer] = await phone.wait(kinds="callback_answer")
    [question] = await phone.wait()            # next new message (message/photo/document)

``settle`` waits until the bot has been quiet in this chat and returns (and consumes) every
event not yet consumed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.devtools.sandbox.events import MESSAGE_KINDS, ChatMessage, Event
from bot.devtools.sandbox.files import StoredFile
from bot.devtools.sandbox.state import ChatRecord, UserRecord
from bot.devtools.sandbox.transcript import format_event

if TYPE_CHECKING:
    from bot.devtools.sandbox.sandbox import Sandbox


#: How long ``settle`` waits, in real seconds, for the bot to answer a press.
PRESS_GRACE = 3.0


class WaitTimeout(TimeoutError):
    """The bot did not do what a test waited for in time (the message shows what it did)."""


def _kinds(kinds: str | Iterable[str]) -> tuple[str, ...]:
    return (kinds,) if isinstance(kinds, str) else tuple(kinds)


class ChatView:
    """Reading side of a chat: events, current messages, waiting."""

    def __init__(self, sandbox: Sandbox, chat: ChatRecord) -> None:
        self._sb = sandbox
        self._chat = chat
        self._consumed: set[int] = set()
        self._floor = 0  # events[:_floor] are all consumed
        self._presses: list[tuple[str, float]] = []  # (callback query id, real time pressed)

    @property
    def chat_id(self) -> int:
        """The chat's id."""
        return self._chat.id

    @property
    def chat(self) -> ChatRecord:
        """The underlying chat record (message state, blocked flag...)."""
        return self._chat

    @property
    def events(self) -> list[Event]:
        """Every bot-side event in this chat, in order (1-based ``index``)."""
        return list(self._chat.events)

    @property
    def messages(self) -> list[ChatMessage]:
        """The bot's messages as they are now (edits applied, deleted ones gone)."""
        return self._chat.bot_messages()

    @property
    def last_message(self) -> ChatMessage | None:
        """The bot's latest message still in the chat."""
        messages = self._chat.bot_messages()
        return messages[-1] if messages else None

    def message(self, message_id: int) -> ChatMessage | None:
        """Any message in the chat by id (bot's or user's, deleted ones included)."""
        return self._chat.messages.get(message_id)

    @property
    def pending(self) -> list[Event]:
        """Events not yet returned by ``wait``/``settle``."""
        return [e for e in self._chat.events[self._floor :] if e.index not in self._consumed]

    def consume_all(self) -> list[Event]:
        """Mark every event so far as consumed; returns the ones that were pending."""
        pending = self.pending
        self._mark(pending)
        return pending

    def _mark(self, events: Iterable[Event]) -> None:
        self._consumed.update(e.index for e in events)
        chat_events = self._chat.events
        while self._floor < len(chat_events) and chat_events[self._floor].index in self._consumed:
            self._consumed.discard(chat_events[self._floor].index)
            self._floor += 1

    def _describe(self, tail: int = 12) -> str:
        lines = []
        for event in self._chat.events[-tail:]:
            mark = " " if event.index in self._consumed or event.index <= self._floor else "*"
            lines.append(f"  {mark}#{event.index} {format_event(event)[0]}")
        return "\n".join(lines) or "  (no bot events)"

    async def wait(
        self,
        count: int = 1,
        kinds: str | Iterable[str] = MESSAGE_KINDS,
        timeout: float = 5.0,
    ) -> list[Event]:
        """The next ``count`` unconsumed events of ``kinds``, waiting up to ``timeout`` s."""
        wanted = _kinds(kinds)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            matches = [e for e in self.pending if e.kind in wanted]
            if len(matches) >= count:
                chosen = matches[:count]
                self._mark(chosen)
                return chosen
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise WaitTimeout(
                    f"chat {self.chat_id}: waited {timeout}s for {count} event(s) of kinds "
                    f"{wanted}, found {len(matches)}. Recent bot events (* = unconsumed):\n"
                    f"{self._describe()}"
                )
            await self._chat.notifier.wait(remaining)

    async def reply(
        self, kinds: str | Iterable[str] = MESSAGE_KINDS, timeout: float = 5.0
    ) -> Event:
        """The next unconsumed event of ``kinds`` (shorthand for ``wait(1)[0]``)."""
        return (await self.wait(1, kinds, timeout))[0]

    async def settle(self, quiet: float = 0.3, timeout: float = 5.0) -> list[Event]:
        """Wait until the bot has taken every update from this chat and then stayed quiet for
        ``quiet`` seconds; return and consume all pending events."""
        deadline = time.monotonic() + timeout
        step = max(0.005, min(0.05, quiet / 4))
        while True:
            now = time.monotonic()
            busy = (
                self._sb.updates.has_undelivered(self.chat_id)
                or self._press_unanswered(now)
                or self._sb.bot_busy(self.chat_id)
            )
            if not busy and now - self._chat.last_change >= quiet:
                return self.consume_all()
            if now >= deadline:
                reason = "updates not yet fetched by the bot" if busy else "bot kept sending"
                raise WaitTimeout(
                    f"chat {self.chat_id}: not settled after {timeout}s ({reason}).\n"
                    f"{self._describe()}"
                )
            await asyncio.sleep(step)

    def _press_unanswered(self, now: float) -> bool:
        """A press the bot has not answered yet, for at most ``PRESS_GRACE`` real seconds.

        The bot answers every press; until it has, the chat is not quiet even if a slow
        handler has not sent anything yet. The grace bounds the wait for a bot that never
        answers (a test of that still settles).
        """
        queries = self._sb.state.callback_queries
        self._presses = [
            (query_id, at)
            for query_id, at in self._presses
            if now - at < PRESS_GRACE and not queries[query_id].answered
        ]
        return bool(self._presses)

    def transcript(self, *, times: bool = False) -> str:
        """Readable transcript of this chat."""
        return self._sb.transcript(self.chat_id, times=times)

    def _post_user_message(
        self,
        user: UserRecord,
        *,
        action_kind: str,
        action_text: str,
        kind: str = "text",
        text: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        caption: str | None = None,
        file: StoredFile | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Put ``user``'s message in this chat, note it for the transcript and enqueue the
        update Telegram would send; private chats and groups do this the same way."""
        state = self._sb.state
        chat = self._chat
        message = ChatMessage(
            message_id=chat.allocate_message_id(),
            chat_id=chat.id,
            from_bot=False,
            date=state.now(),
            kind=kind,
            text=text,
            caption=caption,
            entities=entities or [],
            file=file,
            sender=user.to_api(),
            extra=extra or {},
        )
        chat.messages[message.message_id] = message
        state.record_action(chat, action_kind, action_text, user.id, message.message_id)
        return self._sb.enqueue_from(chat, user, {"message": state.message_api(message)})
