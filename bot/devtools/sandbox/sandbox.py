"""The :class:`Sandbox`: a fake Telegram Bot API server plus the phones that talk to the bot.

It runs inside the caller's event loop (aiohttp on loopback), so a test can drive
python-telegram-bot over real HTTP and play the users from the same coroutine, with no
threads and no network beyond 127.0.0.1.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.devtools.sandbox.clock import Clock, WallClock, monotonic, wall
from bot.devtools.sandbox.commands import CommandStore, check_language, scope_key
from bot.devtools.sandbox.faults import Faults
from bot.devtools.sandbox.files import FileStore
from bot.devtools.sandbox.limits import Limits, RateLimiter
from bot.devtools.sandbox.phones import Group, Phone
from bot.devtools.sandbox.state import ChatRecord, SandboxState, UserRecord
from bot.devtools.sandbox.stats import Stats
from bot.devtools.sandbox.transcript import format_transcript
from bot.devtools.sandbox.updates import QueuedUpdate, UpdateQueue, update_chat_id
from bot.devtools.sandbox.webhook import WebhookDelivery


class Sandbox:
    """A strict fake Telegram Bot API server on loopback.

    Point python-telegram-bot at :attr:`base_url` / :attr:`base_file_url`; play users with
    :meth:`user`; inspect with :attr:`stats`, :meth:`transcript`, :meth:`commands`.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "partner_demo_bot",
        limits: Limits | None = None,
        *,
        bot_first_name: str = "Partner Demo Bot",
        clock: Clock = monotonic,
        wall_clock: WallClock = wall,
        strict_html: bool = True,
        callback_timeout: float = 15.0,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("token must look like '<bot id>:<secret>'")
        self.token = token
        self.bot_id = int(bot_id)
        self.bot_username = bot_username
        self.clock = clock
        self.strict_html = strict_html
        self.callback_timeout = callback_timeout
        self._limits = limits if limits is not None else Limits()
        self.limiter = RateLimiter(lambda: self._limits, clock)
        self.faults = Faults(clock)
        self.stats = Stats()
        bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.state = SandboxState(bot_user, clock, wall_clock)
        self.files = FileStore()
        self.updates = UpdateQueue(on_enqueue=self._count_update)
        self.webhook = WebhookDelivery(
            self.updates, self.stats, wall_clock, on_delivered=self._webhook_delivered
        )
        self.command_store = CommandStore()
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {("name", ""): bot_first_name}
        self._phones: dict[int, Phone] = {}
        self._groups: dict[int, Group] = {}
        #: Set by a harness that runs the bot in this process: True while the bot is still
        #: handling an update of that chat, so ``settle`` does not mistake a slow handler
        #: for a quiet chat.
        self.bot_busy: Callable[[int], bool] = lambda _chat_id: False
        self._runner: web.AppRunner | None = None
        self.host: str | None = None
        self.port: int | None = None

    # ----- lifecycle -------------------------------------------------------------------------
    @property
    def limits(self) -> Limits:
        """Flood-limit settings; mutate fields or assign a new :class:`Limits` at any time."""
        return self._limits

    @limits.setter
    def limits(self, value: Limits) -> None:
        self._limits = value

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
        """Serve on ``host:port`` in the running loop (``port=0``: a free port)."""
        from bot.devtools.sandbox.server import build_app

        if self._runner is not None:
            raise RuntimeError("sandbox already started")
        self.updates.closing = False
        runner = web.AppRunner(
            build_app(self), handler_cancellation=True, shutdown_timeout=0.5, access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self.host = host
        self.port = int(runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Stop serving; waiting long polls return, webhook delivery stops."""
        self.updates.closing = True
        self.updates.notifier.notify()
        await self.webhook.stop()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _root(self) -> str:
        if self.port is None:
            raise RuntimeError("sandbox not started: await sandbox.start() first")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Bot API base for python-telegram-bot (``{base_url}{token}/{method}``)."""
        return f"{self._root()}/bot"

    @property
    def base_file_url(self) -> str:
        """File download base (``{base_file_url}{token}/{file_path}``)."""
        return f"{self._root()}/file/bot"

    @property
    def control_url(self) -> str:
        """Root of the JSON control API."""
        return f"{self._root()}/sandbox"

    # ----- people ----------------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        language_code: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> Phone:
        """Get or create a user and their phone; given fields update an existing user."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        existing = self.state.users.get(user_id)
        user = self.state.ensure_user(
            user_id,
            first_name=first_name or f"User{user_id}",
            last_name=last_name,
            username=username,
            language_code=language_code if language_code is not None else "en",
        )
        if existing is not None:
            for name, value in (
                ("first_name", first_name),
                ("language_code", language_code),
                ("last_name", last_name),
                ("username", username),
            ):
                if value is not None:
                    setattr(user, name, value)
        phone = self._phones.get(user_id)
        if phone is None:
            phone = self._phones[user_id] = Phone(self, user, self.state.chats[user_id])
        return phone

    def phone(self, user_id: int) -> Phone:
        """The phone of an existing user (KeyError if unknown)."""
        if user_id not in self._phones:
            raise KeyError(f"no sandbox user {user_id}")
        return self._phones[user_id]

    @property
    def phones(self) -> list[Phone]:
        """All phones created so far."""
        return list(self._phones.values())

    def group(self, chat_id: int, title: str = "Group", chat_type: str = "group") -> Group:
        """Get or create a group chat (negative id) the bot is a member of."""
        group = self._groups.get(chat_id)
        if group is None:
            chat = self.state.ensure_group(chat_id, title, chat_type)
            group = self._groups[chat_id] = Group(self, chat)
        return group

    # ----- updates ---------------------------------------------------------------------------
    def _count_update(self) -> None:
        self.stats.updates_enqueued += 1

    def _webhook_delivered(self, entry: QueuedUpdate) -> None:
        self.note_handed_out(entry.payload, time.monotonic())

    def note_handed_out(self, update: dict[str, Any], now: float) -> None:
        """An update reached the bot: its chat counts as active for ``settle``."""
        chat_id = update_chat_id(update)
        chat = self.state.chats.get(chat_id) if chat_id is not None else None
        if chat is not None:
            chat.last_change = now

    def enqueue_from(
        self, chat: ChatRecord, user: UserRecord, update: dict[str, Any]
    ) -> dict[str, Any]:
        """Queue an update a user caused; the bot now knows the user (and a private chat)."""
        user.seen_by_bot = True
        if chat.type == "private":
            chat.started = True
        return self.updates.enqueue(update)

    async def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (``update_id`` assigned if missing); returns it."""
        chat_id = update_chat_id(update)
        chat = self.state.chats.get(chat_id) if chat_id is not None else None
        if chat is not None:
            chat.started = True
            if chat.user is not None:
                chat.user.seen_by_bot = True
        return self.updates.enqueue(update)

    async def redeliver(self, update_id: int) -> dict[str, Any]:
        """Deliver an already delivered update again with the same ``update_id``."""
        return self.updates.redeliver(update_id)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet."""
        return self.updates.pending()

    # ----- inspection ------------------------------------------------------------------------
    def transcript(self, user_id: int, *, times: bool = False, chat_actions: bool = False) -> str:
        """Readable transcript of a chat (a user's private chat, or a group by its id)."""
        chat = self.state.chats.get(user_id)
        if chat is None:
            raise KeyError(f"no sandbox chat {user_id}")
        return format_transcript(
            self.state, chat, bot_name=self.bot_username, times=times, chat_actions=chat_actions
        )

    def commands(
        self, scope: str | dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """Commands the bot set for exactly this scope and language (``[]`` if none).

        ``scope`` is a scope type (``"default"``, ``"all_private_chats"``...) or a
        BotCommandScope dict such as ``{"type": "chat", "chat_id": 1001}``.
        """
        return self.command_store.get(scope_key(scope), check_language(language_code))

    def visible_commands(self, chat_id: int, language_code: str | None) -> list[dict[str, str]]:
        """What a user in a private chat sees, with Telegram's scope/language fallback."""
        return self.command_store.visible(chat_id, language_code)

    def menu_button(self, chat_id: int | None = None) -> dict[str, Any]:
        """The menu button for a chat (falls back to the default one)."""
        if chat_id is not None and chat_id in self.menu_buttons:
            return self.menu_buttons[chat_id]
        return self.menu_buttons.get(None, {"type": "commands"})

    def webhook_info(self) -> dict[str, Any]:
        """Same as getWebhookInfo."""
        return self.webhook.info()

    def reset_stats(self) -> None:
        """Zero :attr:`stats`."""
        self.stats.reset()
