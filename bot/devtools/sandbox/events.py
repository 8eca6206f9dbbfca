"""What the phones see: bot-side events, user-side actions and current message state.

Tests assert on what a partner would see on their phone, so everything the bot does in a chat
is recorded in order as an :class:`Event` (1-based ``index`` per chat, monotonic ``time``),
the current state of each message is kept as a :class:`ChatMessage`, and what the user did is
kept as a :class:`UserAction` so transcripts can show both sides.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, fields
from typing import Any

from bot.devtools.sandbox.files import StoredFile
from bot.devtools.sandbox.markup import markup_buttons

MESSAGE_KINDS: tuple[str, ...] = ("message", "photo", "document")
"""Event kinds that put a new bot message on the phone (the default for ``Phone.wait``)."""

ALL_KINDS: tuple[str, ...] = (
    "message",
    "photo",
    "document",
    "edit",
    "delete",
    "callback_answer",
    "chat_action",
)


@dataclass(frozen=True)
class FileInfo:
    """A file the bot sent, as stored by the sandbox."""

    file_id: str
    file_unique_id: str
    size: int
    filename: str | None
    mime_type: str | None
    data: bytes | None
    width: int | None = None
    height: int | None = None

    @classmethod
    def of(cls, stored: StoredFile) -> FileInfo:
        """Snapshot of a stored file (every field here has its namesake on :class:`StoredFile`)."""
        return cls(**{f.name: getattr(stored, f.name) for f in fields(cls)})

    def to_dict(self) -> dict[str, Any]:
        """JSON form: every field but the bytes, in field order."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "data"}


@dataclass(kw_only=True)
class Shown:
    """What a message shows on the phone: text or caption, entities and keyboard.

    An :class:`Event` (what the bot did) and a :class:`ChatMessage` (how a message looks now)
    carry the same content, so tests read both alike; the fields are keyword-only so each
    subclass keeps its own positional fields first.
    """

    text: str | None = None
    caption: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    parse_mode: str | None = None
    source: str | None = None
    reply_markup: dict[str, Any] | None = None

    def shown(self) -> dict[str, Any]:
        """These fields by name: what an event records of a message's current state."""
        return {f.name: getattr(self, f.name) for f in fields(Shown)}

    @property
    def content(self) -> str | None:
        """Text or caption, whichever there is."""
        return self.text if self.text is not None else self.caption

    @property
    def buttons(self) -> list[list[str]]:
        """Button texts, row by row."""
        return [[str(b.get("text", "")) for b in row] for row in markup_buttons(self.reply_markup)]


@dataclass
class Event(Shown):
    """One bot-side action in a chat.

    ``kind`` is one of ``message``, ``photo``, ``document`` (a new bot message), ``edit``,
    ``delete``, ``callback_answer`` or ``chat_action``. ``text`` is what the user sees (after
    HTML/Markdown parsing); ``source`` is what the bot sent; media carry ``caption`` and
    ``file``.
    """

    index: int
    kind: str
    chat_id: int
    time: float
    method: str
    message_id: int | None = None
    file: FileInfo | None = None
    callback_query_id: str | None = None
    show_alert: bool = False
    url: str | None = None
    action: str | None = None

    @property
    def button_data(self) -> dict[str, str]:
        """Button text -> callback_data for inline callback buttons."""
        return {
            b["text"]: b["callback_data"]
            for row in markup_buttons(self.reply_markup)
            for b in row
            if "callback_data" in b
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the control API."""
        return {
            "index": self.index,
            "kind": self.kind,
            "chat_id": self.chat_id,
            "time": self.time,
            "method": self.method,
            "message_id": self.message_id,
            **self.shown(),
            "buttons": self.buttons,
            "file": self.file.to_dict() if self.file else None,
            "callback_query_id": self.callback_query_id,
            "show_alert": self.show_alert,
            "url": self.url,
            "action": self.action,
        }


@dataclass
class UserAction:
    """Something the user did (for transcripts): ``text``, ``press``, ``voice``, ``block``..."""

    kind: str
    text: str
    time: float
    user_id: int
    message_id: int | None = None


@dataclass
class ChatMessage(Shown):
    """The current state of one message in a chat (bot's or user's)."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    kind: str  # "text", "photo", "document", "voice"
    file: StoredFile | None = None
    edit_date: int | None = None
    deleted: bool = False
    sender: dict[str, Any] | None = None  # Bot API User who sent it
    reply_to: int | None = None
    markup_history: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def edited(self) -> bool:
        """Whether the message was edited since it was sent."""
        return self.edit_date is not None

    @property
    def file_info(self) -> FileInfo | None:
        """The attached file, if any."""
        return FileInfo.of(self.file) if self.file else None

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the control API."""
        return {
            "message_id": self.message_id,
            "from_bot": self.from_bot,
            "kind": self.kind,
            "text": self.text,
            "caption": self.caption,
            "entities": self.entities,
            "reply_markup": self.reply_markup,
            "buttons": self.buttons,
            "edited": self.edited,
            "deleted": self.deleted,
            "file": self.file_info.to_dict() if self.file else None,
        }


class Notifier:
    """Wakes every waiter when something changed; waiters re-check their own condition.

    The asyncio.Event is created lazily, so it binds to whichever loop first waits.
    """

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        """Wake all current waiters."""
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, timeout: float | None) -> bool:
        """Wait for the next :meth:`notify`; False on timeout."""
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        if timeout is not None and timeout <= 0:
            return False
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True
