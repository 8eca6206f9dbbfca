"""Update delivery: getUpdates confirmation and long polling, webhooks, redelivery, blocking.

These are the paths where a bot loses or duplicates partners' answers, so the sandbox must
follow Telegram's rules exactly; each test drives a real ``telegram.Bot``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram
from aiohttp import web
from telegram.error import Conflict, Forbidden

from bot.devtools.sandbox import Sandbox

TOKEN = "123456:TEST"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = Sandbox(token=TOKEN)
    await sb.start()
    yield sb
    await sb.stop()


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=sandbox.base_url) as client:
        yield client


class Receiver:
    """A tiny webhook endpoint: records requests, answers with scripted statuses."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, Any], str | None]] = []
        self.statuses: list[int] = []
        self.arrived = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append((body, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        self.arrived.set()
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hook"

    async def wait_for(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            assert time.monotonic() < deadline, f"only {len(self.requests)} webhook calls"
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), 0.1)
            except TimeoutError:
                pass


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    await hook.start()
    yield hook
    assert hook.runner is not None
    await hook.runner.cleanup()


async def test_offset_confirms_and_limit(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = sandbox.user(1001, first_name="Amina")
    for text in ("one", "two", "three"):
        await phone.send_text(text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["one", "two"]
    # without a higher offset nothing is confirmed
    assert len(await bot.get_updates()) == 3
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    assert sandbox.pending_updates() == []


async def test_negative_offset_keeps_last(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = sandbox.user(1001)
    for text in ("a", "b", "c"):
        await phone.send_text(text)
    [last] = await bot.get_updates(offset=-1)
    assert last.message.text == "c"


async def test_long_poll_returns_when_update_arrives(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = sandbox.user(1001)

    async def later() -> None:
        await asyncio.sleep(0.2)
        await phone.send_text("hello")

    task = asyncio.create_task(later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    elapsed = time.monotonic() - started
    await task
    assert [u.message.text for u in updates] == ["hello"]
    assert 0.15 < elapsed < 2.0
    started = time.monotonic()
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0.3) == ()
    assert time.monotonic() - started >= 0.25


async def test_second_poller_ends_the_first_with_conflict(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    # a second bot process (PTB serialises getUpdates within one Bot object)
    async with telegram.Bot(TOKEN, base_url=sandbox.base_url) as other:
        second = asyncio.create_task(other.get_updates(timeout=0.2))
        with pytest.raises(Conflict, match=r"(?i)terminated by other getupdates request"):
            await first
        assert await second == ()


async def test_redeliver_resends_a_confirmed_update(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = sandbox.user(1001)
    sent = await phone.send_text("answer 4")
    [update] = await bot.get_updates()
    assert update.update_id == sent["update_id"]
    await phone.send_text("next")
    later = await bot.get_updates(offset=update.update_id + 1)
    assert [u.message.text for u in later] == ["next"]
    assert await bot.get_updates(offset=later[-1].update_id + 1) == ()
    # Telegram re-sends around a restart: same update_id, after the bot confirmed it
    await sandbox.redeliver(update.update_id)
    [again] = await bot.get_updates(offset=later[-1].update_id + 1)
    assert again.update_id == update.update_id
    assert again.message.text == "answer 4"
    assert await bot.get_updates(offset=later[-1].update_id + 1) == ()


async def test_inject_raw_update(sandbox: Sandbox, bot: telegram.Bot) -> None:
    sandbox.user(1001, first_name="Amina")
    raw = {
        "message": {
            "message_id": 50,
            "date": 1700000000,
            "chat": {"id": 1001, "type": "private", "first_name": "Amina"},
            "from": {"id": 1001, "is_bot": False, "first_name": "Amina"},
            "text": "raw",
        }
    }
    injected = await sandbox.inject(raw)
    [update] = await bot.get_updates()
    assert update.update_id == injected["update_id"]
    assert update.message.text == "raw"
    await bot.send_message(1001, "reply to injected")  # the chat is now known


async def test_allowed_updates_filter(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = sandbox.user(1001)
    await phone.send_text("before")
    await bot.get_updates(allowed_updates=["callback_query"])
    sent = await bot.send_message(
        1001,
        "q",
        reply_markup=telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("A", callback_data="a")]]
        ),
    )
    assert sent
    await phone.send_text("ignored")
    await phone.press("A")
    updates = await bot.get_updates(offset=-100)
    kinds = [u.callback_query is not None for u in updates]
    assert kinds[-1] is True
    assert all(u.message is None or u.message.text != "ignored" for u in updates)


async def test_block_and_unblock(sandbox: Sandbox, bot: telegram.Bot) -> None:
    phone = sandbox.user(1001, first_name="Amina")
    await phone.start()
    await bot.send_message(1001, "hello")
    await phone.block()
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(1001, "reminder")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(1001, "typing")
    assert sandbox.stats.http_403 == 2
    await phone.unblock()
    await bot.send_message(1001, "welcome back")
    updates = await bot.get_updates()
    members = [u.my_chat_member for u in updates if u.my_chat_member]
    assert [(m.old_chat_member.status, m.new_chat_member.status) for m in members] == [
        ("member", "kicked"),
        ("kicked", "member"),
    ]
    assert members[0].from_user.id == 1001 and members[0].chat.id == 1001
    assert [m.text for m in phone.messages] == ["hello", "welcome back"]


async def test_webhook_delivery_secret_and_redelivery(
    sandbox: Sandbox, bot: telegram.Bot, receiver: Receiver
) -> None:
    sandbox.webhook.base_delay = 0.02
    phone = sandbox.user(1001, first_name="Amina")
    receiver.statuses = [500]  # the first attempt fails
    assert await bot.set_webhook(receiver.url, secret_token="s3cret_TOKEN")
    with pytest.raises(Conflict, match=r"(?i)can't use getupdates method while webhook is active"):
        await bot.get_updates()
    first = await phone.send_text("one")
    await phone.send_text("two")
    await receiver.wait_for(3)
    ids = [body["update_id"] for body, _ in receiver.requests]
    assert ids == [first["update_id"], first["update_id"], first["update_id"] + 1]
    assert all(secret == "s3cret_TOKEN" for _, secret in receiver.requests)
    assert receiver.requests[0][0]["message"]["text"] == "one"
    info = await bot.get_webhook_info()
    assert info.url == receiver.url
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert sandbox.stats.webhook_failures == 1
    # redelivery through the webhook too
    await sandbox.redeliver(first["update_id"])
    await receiver.wait_for(4)
    assert receiver.requests[3][0]["update_id"] == first["update_id"]
    # back to polling
    assert await bot.delete_webhook()
    await phone.send_text("three")
    [update] = await bot.get_updates()
    assert update.message.text == "three"
    assert json.dumps(receiver.requests[0][0])  # bodies are plain JSON


async def test_webhook_gives_up_after_bounded_retries(
    sandbox: Sandbox, bot: telegram.Bot, receiver: Receiver
) -> None:
    sandbox.webhook.base_delay = 0.01
    sandbox.webhook.max_attempts = 3
    phone = sandbox.user(1001)
    receiver.statuses = [500, 500, 500]
    await bot.set_webhook(receiver.url)
    poisoned = await phone.send_text("poison")
    fine = await phone.send_text("fine")
    await receiver.wait_for(4)
    ids = [body["update_id"] for body, _ in receiver.requests]
    assert ids == [poisoned["update_id"]] * 3 + [fine["update_id"]]
    assert sandbox.webhook.gave_up == [poisoned["update_id"]]


async def test_webhook_drop_pending_updates(
    sandbox: Sandbox, bot: telegram.Bot, receiver: Receiver
) -> None:
    phone = sandbox.user(1001)
    await phone.send_text("stale")
    await bot.set_webhook(receiver.url, drop_pending_updates=True)
    await phone.send_text("fresh")
    await receiver.wait_for(1)
    await asyncio.sleep(0.05)
    assert [body["message"]["text"] for body, _ in receiver.requests] == ["fresh"]
