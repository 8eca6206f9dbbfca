"""The phones: play partners and staff in Python.

A :class:`Phone` is one user's private chat with the bot and a :class:`Group` a group chat the
bot is in. Their send methods enqueue the update Telegram would create (text, commands, voice,
documents, button presses, blocking); reading what the bot did is
:class:`~bot.devtools.sandbox.chat_view.ChatView`'s part, which both inherit.
"""

from __future__ import annotations

import mimetypes
import secrets
import time
from typing import TYPE_CHECKING, Any

from bot.devtools.sandbox.chat_view import ChatView, WaitTimeout
from bot.devtools.sandbox.events import ChatMessage
from bot.devtools.sandbox.formatting import command_entities
from bot.devtools.sandbox.markup import markup_buttons
from bot.devtools.sandbox.state import CallbackQueryRecord, ChatRecord, UserRecord

if TYPE_CHECKING:
    from bot.devtools.sandbox.sandbox import Sandbox

__all__ = ["ChatView", "Group", "Phone", "WaitTimeout"]


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
    async def send_text(self, text: str) -> dict[str, Any]:
        """Type and send a text message; returns the update the bot will receive."""
        return self._post_user_message(
            self.user,
            action_kind="text",
            action_text=text,
            text=text,
            entities=command_entities(text),
        )

    async def send_command(self, command: str, args: str = "") -> dict[str, Any]:
        """Send ``/command args`` (with its ``bot_command`` entity)."""
        text = "/" + command.lstrip("/")
        if args:
            text += " " + args
        return self._post_user_message(
            self.user,
            action_kind="command",
            action_text=text,
            text=text,
            entities=command_entities(text),
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
        return self._post_user_message(
            self.user,
            action_kind="voice",
            action_text=f"[voice {duration}s]",
            kind="voice",
            file=stored,
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
        return self._post_user_message(
            self.user,
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
        return self._post_user_message(
            user, action_kind="text", action_text=text, text=text, entities=command_entities(text)
        )
