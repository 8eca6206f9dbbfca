"""The send path on its own: pacing, priorities, retries and blocked chats (no network)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.send_outcomes import SendUncertain
from bot.sending import BULK, INTERACTIVE, PriorityGate, SendPath
from bot.telegram_http import RequestNotSent


class Recorder:
    """Plays the Bot API: records each call and can fail the first few."""

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures = list(failures or [])

    async def __call__(self, endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((endpoint, data))
        if self.failures:
            raise self.failures.pop(0)
        return {"ok": True}


async def send(path: SendPath, api: Recorder, chat_id: int, text: str, **rl: Any) -> Any:
    data = {"chat_id": chat_id, "text": text}
    return await path.process_request(
        api, ("sendMessage", data), {}, "sendMessage", data, rl or None
    )


async def test_retry_after_is_honoured_and_the_message_sent_once() -> None:
    api = Recorder([RetryAfter(1)])
    path = SendPath(chat_rate_per_s=100, chat_burst=100, global_rate_per_s=100)
    started = time.monotonic()
    await send(path, api, 1, "hello")
    assert time.monotonic() - started >= 0.95
    assert [c[1]["text"] for c in api.calls] == ["hello", "hello"]
    assert path.stats.sent == 1
    assert path.stats.retried_429 == 1


async def test_network_errors_are_retried_with_backoff() -> None:
    api = Recorder([NetworkError("reset"), NetworkError("reset")])
    path = SendPath(network_backoff_s=0.01)
    await send(path, api, 1, "hi")
    assert len(api.calls) == 3
    assert path.stats.retried_network == 2
    assert path.stats.sent == 1


async def test_bad_request_is_not_retried() -> None:
    api = Recorder([BadRequest("message is too long")])
    path = SendPath()
    with pytest.raises(BadRequest):
        await send(path, api, 1, "x")
    assert len(api.calls) == 1


async def test_forbidden_marks_the_chat_blocked_and_stops_sending() -> None:
    blocked: list[int] = []

    async def on_blocked(chat_id: int) -> None:
        blocked.append(chat_id)

    api = Recorder([Forbidden("Forbidden: bot was blocked by the user")])
    path = SendPath(on_blocked=on_blocked)
    with pytest.raises(Forbidden):
        await send(path, api, 42, "one")
    with pytest.raises(Forbidden):
        await send(path, api, 42, "two")
    assert blocked == [42]
    assert len(api.calls) == 1  # the second never reached the API
    path.unblock(42)
    await send(path, api, 42, "three")
    assert len(api.calls) == 2


async def test_one_chat_is_paced_after_its_burst() -> None:
    api = Recorder()
    path = SendPath(chat_burst=3, chat_rate_per_s=10, global_rate_per_s=1000, global_burst=1000)
    started = time.monotonic()
    await asyncio.gather(*(send(path, api, 7, f"m{i}") for i in range(6)))
    elapsed = time.monotonic() - started
    assert elapsed >= 0.25  # three beyond the burst at 10/s
    assert [c[1]["text"] for c in api.calls] == [f"m{i}" for i in range(6)]  # order kept


async def test_interactive_requests_overtake_waiting_bulk() -> None:
    gate = PriorityGate(rate_per_s=50, burst=1, clock=time.monotonic)
    order: list[str] = []

    async def take(name: str, priority: int) -> None:
        await gate.acquire(priority)
        order.append(name)

    bulk = [asyncio.create_task(take(f"bulk{i}", BULK)) for i in range(10)]
    await asyncio.sleep(0.03)
    reply = asyncio.create_task(take("reply", INTERACTIVE))
    await asyncio.gather(reply, *bulk)
    assert order.index("reply") <= 3
    assert order[-1].startswith("bulk")


async def test_bulk_marker_comes_from_rate_limit_args() -> None:
    api = Recorder()
    path = SendPath()
    await send(path, api, 3, "push", priority="bulk")
    assert path.stats.sent == 1


async def test_global_rate_holds_across_chats() -> None:
    api = Recorder()
    path = SendPath(global_rate_per_s=50, global_burst=5, chat_burst=100, chat_rate_per_s=100)
    started = time.monotonic()
    await asyncio.gather(*(send(path, api, chat, "x") for chat in range(1, 31)))
    elapsed = time.monotonic() - started
    assert elapsed >= (30 - 5) / 50 * 0.9
    assert len(api.calls) == 30


async def test_a_bulk_request_that_may_have_arrived_is_not_sent_twice() -> None:
    """The ambiguous-send policy (bot.send_outcomes): a push whose connection broke after it
    was made is reported uncertain and not retried; one that never connected is retried;
    a reply in a conversation is retried either way."""
    uncertain = Recorder([NetworkError("Server disconnected")])
    path = SendPath(network_backoff_s=0.01)
    with pytest.raises(SendUncertain):
        await send(path, uncertain, 4, "reminder", priority="bulk")
    assert len(uncertain.calls) == 1 and path.stats.uncertain == 1

    never_connected = Recorder([RequestNotSent("Cannot connect to host")])
    await send(path, never_connected, 5, "reminder", priority="bulk")
    assert len(never_connected.calls) == 2 and path.stats.sent == 1

    reply = Recorder([NetworkError("Server disconnected")])
    await send(path, reply, 6, "next question")
    assert len(reply.calls) == 2 and path.stats.sent == 2
