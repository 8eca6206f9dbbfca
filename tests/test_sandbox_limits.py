"""Flood limits (429 with retry_after), storms and injected faults.

Limits use an injected :class:`ManualClock` so the tests are exact and fast: time only moves
when a test says so.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import telegram
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.devtools.sandbox import Limits, ManualClock, Sandbox
from bot.devtools.sandbox.faults import Faults
from bot.devtools.sandbox.limits import RateLimiter, TokenBucket

TOKEN = "123456:TEST"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def sandbox(clock: ManualClock) -> AsyncIterator[Sandbox]:
    sb = Sandbox(token=TOKEN, clock=clock)
    await sb.start()
    yield sb
    await sb.stop()


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=sandbox.base_url) as client:
        yield client


async def phones(sandbox: Sandbox, count: int, first_id: int = 1001) -> list[int]:
    ids = []
    for user_id in range(first_id, first_id + count):
        await sandbox.user(user_id).start()
        ids.append(user_id)
    return ids


async def test_chat_burst_then_429(sandbox: Sandbox, bot: telegram.Bot, clock: ManualClock) -> None:
    await phones(sandbox, 1)
    for n in range(20):
        await bot.send_message(1001, f"message {n}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1001, "the 21st")
    assert caught.value.retry_after == 1
    assert sandbox.stats.http_429 == 1
    assert sandbox.stats.http_429_by_reason["chat"] == 1
    assert sandbox.stats.delivered[1001] == 20  # the refused one was not delivered
    assert len(sandbox.user(1001).messages) == 20
    # edits count too; chat actions and deletes do not
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("edited", chat_id=1001, message_id=2)
    await bot.send_chat_action(1001, "typing")
    await bot.delete_message(1001, 2)
    clock.advance(1.0)
    await bot.send_message(1001, "after a second")
    with pytest.raises(RetryAfter):
        await bot.send_message(1001, "too soon again")


async def test_retry_after_is_an_integer_in_the_raw_answer(
    sandbox: Sandbox, clock: ManualClock
) -> None:
    await phones(sandbox, 1)
    sandbox.limits.chat_burst = 1
    sandbox.limits.chat_refill_per_s = 0.4  # next token in 2.5 s
    url = f"{sandbox.base_url}{TOKEN}/sendMessage"
    async with httpx.AsyncClient() as http:
        assert (await http.post(url, data={"chat_id": "1001", "text": "a"})).status_code == 200
        answer = await http.post(url, data={"chat_id": "1001", "text": "b"})
    assert answer.status_code == 429
    assert answer.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


async def test_global_limit_across_chats(sandbox: Sandbox, bot: telegram.Bot) -> None:
    ids = await phones(sandbox, 31)
    for user_id in ids[:30]:
        await bot.send_message(user_id, "news")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ids[30], "news")
    assert caught.value.retry_after == 1
    assert sandbox.stats.http_429_by_reason["global"] == 1
    assert sandbox.stats.total_delivered == 30


async def test_group_limit_per_minute(
    sandbox: Sandbox, bot: telegram.Bot, clock: ManualClock
) -> None:
    group = sandbox.group(-100200, title="Staff")
    for n in range(20):
        await bot.send_message(group.chat_id, f"g{n}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group.chat_id, "one too many")
    assert caught.value.retry_after == 3  # 20 per minute: one token every 3 s
    assert sandbox.stats.http_429_by_reason["group"] == 1
    clock.advance(3.0)
    await bot.send_message(group.chat_id, "ok again")
    assert len(group.messages) == 21


async def test_limits_switchable_and_scaled(
    sandbox: Sandbox, bot: telegram.Bot, clock: ManualClock
) -> None:
    await phones(sandbox, 1)
    sandbox.limits.chat_enabled = False
    for n in range(25):
        await bot.send_message(1001, f"{n}")
    sandbox.limits = Limits(enabled=False)
    for n in range(40):
        await bot.send_message(1001, f"again {n}")
    sandbox.limits = Limits(scale=10.0, chat_burst=1)
    await bot.send_message(1001, "one")
    with pytest.raises(RetryAfter):
        await bot.send_message(1001, "two")
    clock.advance(0.1)  # scale 10: the chat refills at 10/s
    await bot.send_message(1001, "three")


async def test_storm(sandbox: Sandbox, bot: telegram.Bot, clock: ManualClock) -> None:
    await phones(sandbox, 1)
    sandbox.faults.storm(seconds=2.0, retry_after=1)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1001, "during the storm")
    assert caught.value.retry_after == 1
    # non-message calls are unaffected
    assert (await bot.get_me()).username == "partner_demo_bot"
    await bot.send_chat_action(1001, "typing")
    clock.advance(1.0)
    with pytest.raises(RetryAfter):
        await bot.send_message(1001, "still stormy")
    clock.advance(1.0)
    await bot.send_message(1001, "calm")
    assert sandbox.stats.http_429_by_reason["storm"] == 2


async def test_error_and_drop_faults(sandbox: Sandbox, bot: telegram.Bot) -> None:
    await phones(sandbox, 1)
    sandbox.faults.error_rate = 1.0
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(1001, "x")
    sandbox.faults.reset()
    sandbox.faults.drop_rate = 1.0
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(1001, "x")
    assert not isinstance(caught.value, TimedOut)
    sandbox.faults.reset()
    await bot.send_message(1001, "healthy")
    assert sandbox.stats.http_5xx == 1 and sandbox.stats.dropped == 1
    assert [m.text for m in sandbox.user(1001).messages] == ["healthy"]


async def test_latency(sandbox: Sandbox, bot: telegram.Bot) -> None:
    sandbox.faults.latency = 0.2
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.2


async def test_seeded_faults_are_deterministic(sandbox: Sandbox, bot: telegram.Bot) -> None:
    await phones(sandbox, 1)

    async def outcomes() -> list[bool]:
        result = []
        for _ in range(12):
            try:
                await bot.send_chat_action(1001, "typing")
                result.append(True)
            except NetworkError:
                result.append(False)
        return result

    sandbox.faults.error_rate = 0.5
    sandbox.faults.seed(42)
    first = await outcomes()
    sandbox.faults.seed(42)
    assert await outcomes() == first
    assert True in first and False in first


def test_token_bucket_refill() -> None:
    bucket = TokenBucket(capacity=2, now=0.0)
    assert bucket.wait_time(2, 1.0, 0.0) == 0
    bucket.take()
    bucket.take()
    assert bucket.wait_time(2, 1.0, 0.0) == pytest.approx(1.0)
    assert bucket.wait_time(2, 1.0, 0.5) == pytest.approx(0.5)
    assert bucket.wait_time(2, 1.0, 10.0) == 0
    bucket.take()
    bucket.take()
    assert bucket.wait_time(2, 1.0, 10.0) > 0  # capped at capacity, not 10 tokens


def test_refused_calls_consume_nothing() -> None:
    clock = ManualClock(0.0)
    limits = Limits(global_burst=2, chat_burst=1)
    limiter = RateLimiter(lambda: limits, clock)
    assert limiter.acquire(1) is None
    throttle = limiter.acquire(1)
    assert throttle is not None and throttle.reason == "chat"
    assert limiter.acquire(2) is None  # the refused call did not spend a global token
    throttle = limiter.acquire(3)
    assert throttle is not None and throttle.reason == "global"


def test_faults_update_from_json() -> None:
    faults = Faults(ManualClock())
    faults.update({"latency": 0.1, "error_rate": 0.2, "storm": {"seconds": 5, "retry_after": 2}})
    assert faults.latency == 0.1 and faults.error_rate == 0.2
    assert faults.storm_retry_after() == 2
    with pytest.raises(ValueError):
        faults.update({"drop_rate": 2})
    faults.update({"reset": True})
    assert faults.storm_retry_after() is None and faults.latency == 0


async def test_limit_survives_real_time_load() -> None:
    """With the real clock, a quick burst of 21 sends to one chat gets exactly one 429."""
    async with Sandbox(token=TOKEN) as sandbox:
        await sandbox.user(1001).start()
        async with telegram.Bot(TOKEN, base_url=sandbox.base_url) as bot:
            results = await asyncio.gather(
                *(bot.send_message(1001, f"{n}") for n in range(21)), return_exceptions=True
            )
        refused = [r for r in results if isinstance(r, RetryAfter)]
        assert len(refused) == 1
