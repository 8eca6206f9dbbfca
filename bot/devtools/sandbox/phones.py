"""The phones: play partners and staff in Python, and read what the bot did.

A :class:`Phone` is one user's private chat with the bot. Its send methods enqueue the update
Telegram would create; its reading side (``events``, ``messages``, :meth:`ChatView.wait`,
:meth:`ChatView.settle`) shows what the bot did, in order.

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
import mimetypes
import secrets
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.devtools.sandbox.events import MESSAGE_KINDS, ChatMessage, Event
from bot.devtools.sandbox.files import StoredFile
from bot.devtools.sandbox.formatting import command_entities
from bot.devtools.sandbox.markup import markup_buttons
from bot.devtools.sandbox.state import CallbackQueryRecord, ChatRecord, UserRecord
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


class Phone(ChatView):
    """A user's phone: their private chat with the bot."""

    def __init__(self, sandbox: Sandbox, user: UserRecord, chat: ChatRecord) -> None:
        super().__init__(sandbox, chat)
        self.user = user

    @property
    def user_id(self) -> int:
        """The user's id (also the private chat id)."""
        return self.user.id

    @property
    def first_name(self) -> str:
        """The user's first name."""
        return self.user.first_name

    @property
    def language_code(self) -> str | None:
        """The language the user's Telegram app reports."""
        return self.user.language_code

    @property
    def blocked(self) -> bool:
        """Whether the user has blocked the bot."""
        return self._chat.blocked

    @property
    def started(self) -> bool:
        """Whether the bot has heard from this user (otherwise sends get ``chat not found``)."""
        return self._chat.started

    @property
    def commands(self) -> list[dict[str, str]]:
        """The command menu this user sees (Telegram's scope/language fallback applied)."""
        return self._sb.visible_commands(self.chat_id, self.user.language_code)

    def __repr__(self) -> str:
        return f"<Phone {self.user.id} {self.user.first_name!r} {self.user.language_code}>"

    # ----- sending ---------------------------------------------------------------------------
    def _send_user_message(
        self,
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
            sender=self.user.to_api(),
            extra=extra or {},
        )
        chat.messages[message.message_id] = message
        state.record_action(chat, action_kind, action_text, self.user.id, message.message_id)
        return self._sb.enqueue_from(chat, self.user, {"message": state.message_api(message)})

    async def send_text(self, text: str) -> dict[str, Any]:
        """Type and send a text message; returns the update the bot will receive."""
        return self._send_user_message(
            action_kind="text", action_text=text, text=text, entities=command_entities(text)
        )

    async def send_command(self, command: str, args: str = "") -> dict[str, Any]:
        """Send ``/command args`` (with its ``bot_command`` entity)."""
        text = "/" + command.lstrip("/")
        if args:
            text += " " + args
        return self._send_user_message(
            action_kind="command", action_text=text, text=text, entities=command_entities(text)
        )

    async def start(self, payload: str | None = None) -> dict[str, Any]:
        """Open the bot, optionally through a deep link (``/start PAYLOAD``)."""
        return await self.send_command("start", payload or "")

    async def send_voice(self, duration: int = 5, *, size: int | None = None) -> dict[str, Any]:
        """Send a voice message (a generated OGG placeholder of plausible size)."""
        byte_count = size if size is not None else max(1, duration) * 2000
        data = b"OggS" + secrets.token_bytes(max(0, byte_count - 4))
        stored = self._sb.files.add(
            "voice", data, mime_type="audio/ogg", duration=duration, filename=None
        )
        return self._send_user_message(
            action_kind="voice", action_text=f"[voice {duration}s]", kind="voice", file=stored
        )

    async def send_document(
        self,
        data: bytes = b"%PDF-1.4 sandbox\n",
        filename: str = "document.pdf",
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """Send a file as a document."""
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        stored = self._sb.files.add("document", data, filename=filename, mime_type=mime)
        label = f"[document {filename}, {len(data)} B]" + (f" {caption}" if caption else "")
        return self._send_user_message(
            action_kind="document",
            action_text=label,
            kind="document",
            file=stored,
            caption=caption,
        )

    # ----- buttons ---------------------------------------------------------------------------
    def _find_button(
        self, text: str | None, data: str | None, message_id: int | None
    ) -> tuple[ChatMessage, dict[str, Any]]:
        if message_id is not None:
            message = self._chat.messages.get(message_id)
            if message is None or message.deleted or not message.from_bot:
                raise LookupError(f"chat {self.chat_id}: no bot message #{message_id}")
            candidates = [message]
        else:
            candidates = list(reversed(self._chat.bot_messages()))
        for message in candidates:
            markups = [message.reply_markup]
            if message_id is not None:
                # a keyboard the bot already replaced: the user tapped before the edit arrived
                markups += list(reversed(message.markup_history))
            for markup in markups:
                if not markup or "inline_keyboard" not in markup:
                    continue
                for row in markup_buttons(markup):
                    for button in row:
                        if (text is not None and button.get("text") == text) or (
                            data is not None and button.get("callback_data") == data
                        ):
                            if "callback_data" not in button:
                                raise LookupError(
                                    f"button {button.get('text')!r} has no callback_data"
                                )
                            return message, button
        seen = [b for m in candidates for row in m.buttons for b in row]
        wanted = f"text {text!r}" if text is not None else f"data {data!r}"
        raise LookupError(f"chat {self.chat_id}: no button with {wanted}; buttons seen: {seen}")

    def _callback(self, message: ChatMessage, data: str, label: str) -> dict[str, Any]:
        state = self._sb.state
        query_id = str(secrets.randbits(63))
        state.callback_queries[query_id] = CallbackQueryRecord(
            id=query_id,
            chat_id=self._chat.id,
            message_id=message.message_id,
            user_id=self.user.id,
            data=data,
            created=self._sb.clock(),
        )
        self._presses.append((query_id, time.monotonic()))
        state.record_action(
            self._chat, "press", f"[pressed: {label}]", self.user.id, message.message_id
        )
        update = {
            "callback_query": {
                "id": query_id,
                "from": self.user.to_api(),
                "message": state.message_api(message),
                "chat_instance": self._chat.chat_instance,
                "data": data,
            }
        }
        return self._sb.enqueue_from(self._chat, self.user, update)

    async def press(
        self,
        text: str | None = None,
        *,
        data: str | None = None,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        """Press an inline button by its text (or ``data=``) on the newest bot message showing
        it; with ``message_id`` on that message, even if the bot has since replaced its
        keyboard (a tap that raced the edit)."""
        if (text is None) == (data is None):
            raise ValueError("press() needs the button text or data=, not both")
        message, button = self._find_button(text, data, message_id)
        return self._callback(message, button["callback_data"], str(button.get("text")))

    async def press_data(self, data: str, *, message_id: int | None = None) -> dict[str, Any]:
        """Send a callback query with arbitrary (possibly forged) data for a bot message
        (default: the newest one with an inline keyboard, else the newest one)."""
        if message_id is not None:
            message = self._chat.messages.get(message_id)
            if message is None or message.deleted:
                raise LookupError(f"chat {self.chat_id}: no message #{message_id}")
        else:
            messages = list(reversed(self._chat.bot_messages()))
            if not messages:
                raise LookupError(f"chat {self.chat_id}: the bot has sent no message yet")
            with_keyboard = [m for m in messages if m.reply_markup]
            message = (with_keyboard or messages)[0]
        return self._callback(message, data, f"data {data!r}")

    # ----- blocking --------------------------------------------------------------------------
    def _member_update(self, old: str, new: str) -> dict[str, Any]:
        bot_user = self._sb.state.bot_user
        new_member: dict[str, Any] = {"user": bot_user, "status": new}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"user": bot_user, "status": old}
        if old == "kicked":
            old_member["until_date"] = 0
        return {
            "my_chat_member": {
                "chat": self._chat.to_api(),
                "from": self.user.to_api(),
                "date": self._sb.state.now(),
                "old_chat_member": old_member,
                "new_chat_member": new_member,
            }
        }

    async def block(self) -> dict[str, Any] | None:
        """Block the bot: sends now get 403 and the bot gets ``my_chat_member`` (→ kicked)."""
        if self._chat.blocked:
            return None
        self._chat.blocked = True
        self._sb.state.record_action(self._chat, "block", "[blocked the bot]", self.user.id)
        return self._sb.enqueue_from(self._chat, self.user, self._member_update("member", "kicked"))

    async def unblock(self) -> dict[str, Any] | None:
        """Unblock the bot (``my_chat_member`` kicked → member)."""
        if not self._chat.blocked:
            return None
        self._chat.blocked = False
        self._sb.state.record_action(self._chat, "unblock", "[unblocked the bot]", self.user.id)
        return self._sb.enqueue_from(self._chat, self.user, self._member_update("kicked", "member"))


class Group(ChatView):
    """A group chat the bot is a member of (rate-limited at ``group_per_min``)."""

    async def send_text(self, sender: Phone | int, text: str) -> dict[str, Any]:
        """A member writes in the group."""
        user = sender.user if isinstance(sender, Phone) else self._sb.state.users[sender]
        state = self._sb.state
        message = ChatMessage(
            message_id=self._chat.allocate_message_id(),
            chat_id=self._chat.id,
            from_bot=False,
            date=state.now(),
            kind="text",
            text=text,
            entities=command_entities(text),
            sender=user.to_api(),
        )
        self._chat.messages[message.message_id] = message
        state.record_action(self._chat, "text", text, user.id, message.message_id)
        return self._sb.enqueue_from(self._chat, user, {"message": state.message_api(message)})
