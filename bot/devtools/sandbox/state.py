"""Users, chats and messages: the world the bot talks to.

Message ids are per chat and shared by user and bot messages, as on Telegram. A private chat
only exists for the bot once the user has written to it (otherwise Telegram says
``chat not found``), and a blocked chat refuses sends with 403 — both are the situations the
bot's send path has to handle, so the state tracks them explicitly.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from bot.devtools.sandbox import errors
from bot.devtools.sandbox.clock import Clock, WallClock
from bot.devtools.sandbox.events import ChatMessage, Event, Notifier, UserAction


@dataclass
class UserRecord:
    """A Telegram user played by the sandbox."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    seen_by_bot: bool = False  # the bot received an update mentioning this user

    def to_api(self) -> dict[str, Any]:
        """Bot API ``User``."""
        result: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            result["last_name"] = self.last_name
        if self.username:
            result["username"] = self.username
        if self.language_code:
            result["language_code"] = self.language_code
        return result


@dataclass
class ChatRecord:
    """A chat (private or group) with its message state and the bot-side event log."""

    id: int
    type: str  # "private", "group" or "supergroup"
    user: UserRecord | None = None
    title: str | None = None
    started: bool = False  # the bot has received something from this chat
    blocked: bool = False  # the user blocked the bot
    next_message_id: int = 1
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    history: list[Event | UserAction] = field(default_factory=list)
    notifier: Notifier = field(default_factory=Notifier)
    chat_instance: str = field(default_factory=lambda: str(secrets.randbits(62)))
    last_change: float = field(default_factory=time.monotonic)  # real time, for settle()

    def to_api(self) -> dict[str, Any]:
        """Bot API ``Chat``."""
        if self.type == "private" and self.user is not None:
            result: dict[str, Any] = {
                "id": self.id,
                "type": "private",
                "first_name": self.user.first_name,
            }
            if self.user.last_name:
                result["last_name"] = self.user.last_name
            if self.user.username:
                result["username"] = self.user.username
            return result
        return {"id": self.id, "type": self.type, "title": self.title or str(self.id)}

    def allocate_message_id(self) -> int:
        """Next message id in this chat (shared by both sides)."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def bot_messages(self) -> list[ChatMessage]:
        """The bot's messages still in the chat, oldest first."""
        return [m for m in self.messages.values() if m.from_bot and not m.deleted]


@dataclass
class CallbackQueryRecord:
    """A button press sent to the bot, awaiting answerCallbackQuery."""

    id: str
    chat_id: int
    message_id: int | None
    user_id: int
    data: str | None
    created: float
    answered: bool = False


class SandboxState:
    """All users and chats, plus the bot's identity."""

    def __init__(self, bot_user: dict[str, Any], clock: Clock, wall: WallClock) -> None:
        self.bot_user = bot_user
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self._clock = clock
        self._wall = wall

    def now(self) -> int:
        """Unix time for ``date`` fields."""
        return int(self._wall())

    def ensure_user(
        self,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> UserRecord:
        """Get or create a user (the private chat is created alongside)."""
        user = self.users.get(user_id)
        if user is None:
            user = UserRecord(user_id, first_name, last_name, username, language_code)
            self.users[user_id] = user
        if user_id not in self.chats:
            self.chats[user_id] = ChatRecord(id=user_id, type="private", user=user)
        return user

    def ensure_group(self, chat_id: int, title: str, chat_type: str = "group") -> ChatRecord:
        """Get or create a group chat (negative id); the bot is a member, so it is started."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = ChatRecord(id=chat_id, type=chat_type, title=title, started=True)
            self.chats[chat_id] = chat
        return chat

    def chat_for_bot(self, chat_id: int | None) -> ChatRecord:
        """The chat a bot call addresses, refusing chats the bot cannot know about."""
        if chat_id is None:
            raise errors.bad_request("chat_id is empty")
        chat = self.chats.get(chat_id)
        if chat is None:
            raise errors.bad_request(errors.CHAT_NOT_FOUND)
        if not chat.started:
            if chat.user is not None and chat.user.seen_by_bot:
                raise errors.forbidden(errors.CANT_INITIATE)
            raise errors.bad_request(errors.CHAT_NOT_FOUND)
        return chat

    def record_event(self, chat: ChatRecord, kind: str, method: str, **fields: Any) -> Event:
        """Append a bot-side event to the chat's log and wake whoever waits on it."""
        event = Event(
            index=len(chat.events) + 1,
            kind=kind,
            chat_id=chat.id,
            time=self._clock(),
            method=method,
            **fields,
        )
        chat.events.append(event)
        chat.history.append(event)
        chat.last_change = time.monotonic()
        chat.notifier.notify()
        return event

    def record_action(
        self, chat: ChatRecord, kind: str, text: str, user_id: int, message_id: int | None = None
    ) -> UserAction:
        """Append a user-side action to the transcript history."""
        action = UserAction(kind, text, self._clock(), user_id, message_id)
        chat.history.append(action)
        chat.last_change = time.monotonic()
        chat.notifier.notify()
        return action

    def message_api(self, message: ChatMessage, *, with_reply: bool = True) -> dict[str, Any]:
        """Bot API ``Message`` for the current state of ``message``."""
        chat = self.chats[message.chat_id]
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": message.sender or self.bot_user,
            "chat": chat.to_api(),
            "date": message.date,
        }
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        if message.reply_to is not None and with_reply:
            replied = chat.messages.get(message.reply_to)
            if replied is not None and not replied.deleted:
                result["reply_to_message"] = self.message_api(replied, with_reply=False)
        if message.text is not None:
            result["text"] = message.text
            if message.entities:
                result["entities"] = message.entities
        if message.file is not None:
            if message.kind == "photo":
                result["photo"] = message.file.photo_sizes()
            elif message.kind == "voice":
                result["voice"] = message.file.voice()
            else:
                result["document"] = message.file.document()
        if message.caption is not None:
            result["caption"] = message.caption
            if message.entities:
                result["caption_entities"] = message.entities
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            result["reply_markup"] = message.reply_markup
        result.update(message.extra)
        return result
