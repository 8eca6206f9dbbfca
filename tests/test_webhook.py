"""The webhook server (bot.webhook) over real HTTP on loopback.

What it must never do: read a body for someone without the secret, hold more than
``MAX_BODY_BYTES`` of one, answer a client's mistake with 500 (Telegram would retry it forever)
or answer 200 before the update is handed over (Telegram would forget it). Raw sockets are
used where the point is *what the server did not wait for*: a response that arrives although
the promised body was never sent proves the body was not read.

No fixed sleeps: every wait is for an event, bounded by a generous :data:`TIMEOUT` that only
turns a hang into a failure (so the tests still pass on a loaded machine).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.devtools.sandbox import Sandbox
from bot.webhook import MAX_BODY_BYTES, SECRET_HEADER, WebhookServer, serve, webhook_path

SECRET = "s3cret_Token-for-tests"
PATH = "/telegram"
TIMEOUT = 30.0  # an upper bound for a hang, never a wait

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def message_update(update_id: int = 7, text: str = "private words") -> dict[str, Any]:
    """A private text message update, as Telegram sends it."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": 1001, "type": "private"},
            "from": {"id": 1001, "is_bot": False, "first_name": "Amina"},
            "text": text,
        },
    }


@dataclass
class Running:
    application: AnyApplication
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    """Just the server around a real (never initialised) Application: its update queue is
    where accepted updates must land."""
    application = Application.builder().token("123:abc").build()
    server = WebhookServer(application, secret=SECRET, path=PATH)
    await server.start("127.0.0.1", 0)
    try:
        yield Running(application, server.port)
    finally:
        await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as session:
        yield session


async def post(
    http: aiohttp.ClientSession,
    url: str,
    body: bytes,
    *,
    secret: str | None = SECRET,
) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with http.post(url, data=body, headers=headers) as response:
        return response.status, await response.text()


async def raw_exchange(port: int, request: bytes) -> tuple[int, bytes]:
    """Send ``request`` as is, then read the status and everything up to the server's close.

    Reading to EOF is the point: the server must answer *and* close although the request
    may promise a body that never comes."""

    async def exchange() -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(request)
            await writer.drain()
            response = await reader.read()  # until the server closes
        finally:
            writer.close()
            await writer.wait_closed()
        status_line = response.split(b"\r\n", 1)[0]
        return int(status_line.split()[1]), response

    return await asyncio.wait_for(exchange(), TIMEOUT)


def head(length: int | None, *, secret: str | None, extra: str = "") -> bytes:
    lines = [f"POST {PATH} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    if secret is not None:
        lines.append(f"{SECRET_HEADER}: {secret}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


# --- refused before the body -------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET[:-1], "é"])
async def test_wrong_or_missing_secret_is_403(
    running: Running, http: aiohttp.ClientSession, secret: str | None
) -> None:
    if secret == "é":  # a non-ASCII header must not make the comparison raise (500)
        status, _ = await raw_exchange(
            running.port,
            head(2, secret=None, extra=f"{SECRET_HEADER}: é\r\nConnection: close\r\n") + b"{}",
        )
    else:
        status, _ = await post(
            http, running.url, json.dumps(message_update()).encode(), secret=secret
        )
    assert status == 403
    assert running.application.update_queue.empty()


async def test_wrong_secret_with_huge_length_is_403_without_reading(running: Running) -> None:
    # Ten gigabytes promised, not one byte sent: the answer can only come from the headers.
    status, response = await raw_exchange(running.port, head(10 * 1024**3, secret="wrong"))
    assert status == 403
    assert b"secret" in response


async def test_expect_continue_with_wrong_secret_is_refused_before_continue(
    running: Running,
) -> None:
    request = head(10 * 1024**3, secret="wrong", extra="Expect: 100-continue\r\n")
    status, response = await raw_exchange(running.port, request)
    assert status == 403
    assert b"100 Continue" not in response


async def test_declared_length_over_limit_is_413_without_reading(running: Running) -> None:
    status, _ = await raw_exchange(running.port, head(MAX_BODY_BYTES + 1, secret=SECRET))
    assert status == 413
    assert running.application.update_queue.empty()


async def test_chunked_body_over_limit_is_413(running: Running) -> None:
    # No length to check up front: the read itself must stop at the limit. The final
    # zero-length chunk is never sent, so only the cap can end this request.
    chunk = b"x" * 65536
    count = MAX_BODY_BYTES // len(chunk) + 1
    framed = (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * count
    request = head(None, secret=SECRET, extra="Transfer-Encoding: chunked\r\n") + framed
    status, _ = await raw_exchange(running.port, request)
    assert status == 413
    assert running.application.update_queue.empty()


async def test_body_at_the_limit_is_read(running: Running, http: aiohttp.ClientSession) -> None:
    body = json.dumps(message_update()).encode()
    body += b" " * (MAX_BODY_BYTES - len(body))  # JSON allows trailing whitespace
    status, _ = await post(http, running.url, body)
    assert status == 200


# --- bodies that are not updates: 400, never 500 ----------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"not json",
        b"\xff\xfe\xfa",  # not UTF-8
        b"[" * 100_000 + b"]" * 100_000,  # nesting deep enough to exhaust the recursion limit
    ],
    ids=["empty", "truncated", "text", "bad-utf8", "deep"],
)
async def test_malformed_json_is_400(
    running: Running, http: aiohttp.ClientSession, body: bytes
) -> None:
    status, text = await post(http, running.url, body)
    assert status == 400
    assert text == "body is not JSON"
    assert running.application.update_queue.empty()


@pytest.mark.parametrize("body", [b"[1, 2]", b'"update"', b"null", b"42"])
async def test_json_that_is_not_an_object_is_400(
    running: Running, http: aiohttp.ClientSession, body: bytes
) -> None:
    status, text = await post(http, running.url, body)
    assert (status, text) == (400, "body is not a JSON object")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"foo": 1},
        {"update_id": "7"},
        {"update_id": True},
        {"update_id": 7, "message": "text"},
        {"update_id": 7, "message": {"message_id": 1}},
    ],
    ids=["empty", "no-id", "text-id", "bool-id", "message-not-object", "message-no-date"],
)
async def test_object_that_is_not_an_update_is_400(
    running: Running, http: aiohttp.ClientSession, data: dict[str, Any]
) -> None:
    status, text = await post(http, running.url, json.dumps(data).encode())
    assert (status, text) == (400, "body is not an update")
    assert running.application.update_queue.empty()


# --- the one path, the one method ------------------------------------------------------------


async def test_get_is_405(running: Running, http: aiohttp.ClientSession) -> None:
    async with http.get(running.url, headers={SECRET_HEADER: SECRET}) as response:
        assert response.status == 405


async def test_other_path_is_404(running: Running, http: aiohttp.ClientSession) -> None:
    url = f"http://127.0.0.1:{running.port}/elsewhere"
    status, _ = await post(http, url, json.dumps(message_update()).encode())
    assert status == 404


# --- a valid update ------------------------------------------------------------------------


async def test_valid_update_is_queued_before_200(
    running: Running, http: aiohttp.ClientSession
) -> None:
    status, _ = await post(http, running.url, json.dumps(message_update(update_id=42)).encode())
    assert status == 200
    # Already there when 200 came back: no waiting needed, or allowed.
    update = running.application.update_queue.get_nowait()
    assert isinstance(update, Update)
    assert update.update_id == 42
    assert update.message is not None and update.message.text == "private words"


async def test_connection_is_reused_after_an_update(
    running: Running, http: aiohttp.ClientSession
) -> None:
    for update_id in (1, 2, 3):
        status, _ = await post(http, running.url, json.dumps(message_update(update_id)).encode())
        assert status == 200
    queue = running.application.update_queue
    assert [queue.get_nowait().update_id for _ in range(3)] == [1, 2, 3]


async def test_logs_hold_no_secret_or_content(
    running: Running, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await post(http, running.url, json.dumps(message_update(text="private words")).encode())
    await post(http, running.url, b"{", secret="wrong-secret-value")
    await post(http, running.url, json.dumps({"update_id": 1, "message": "private"}).encode())
    text = caplog.text
    assert "refused" in text  # something was logged ...
    for leak in (SECRET, "wrong-secret-value", "private", "Amina"):
        assert leak not in text  # ... and nothing from the requests


def test_path_comes_from_the_url() -> None:
    assert webhook_path("https://bot.example.org/telegram") == "/telegram"
    assert webhook_path("https://bot.example.org:8443/a/b?x=1") == "/a/b"
    assert webhook_path("https://bot.example.org") == "/"


# --- the whole lifecycle, against the sandbox --------------------------------------------------


def free_port() -> int:
    """A port nobody listens on now (``serve`` needs it before binding, for setWebhook)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_serve_sets_webhook_runs_handlers_and_stops(sandbox: Sandbox) -> None:
    """post_init runs, setWebhook is called with the secret, the sandbox's delivery reaches a
    handler through the update queue, and stopping runs PTB's stop and shutdown hooks."""
    calls: list[str] = []
    heard: asyncio.Queue[str] = asyncio.Queue()

    async def post_init(app: AnyApplication) -> None:
        calls.append("post_init")

    async def post_stop(app: AnyApplication) -> None:
        calls.append("post_stop")

    async def post_shutdown(app: AnyApplication) -> None:
        calls.append("post_shutdown")

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await heard.put(update.message.text)

    application = (
        Application.builder()
        .token(sandbox.token)
        .base_url(sandbox.base_url)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, on_text))
    port = free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(application, url=url, secret=SECRET, listen="127.0.0.1", port=port, stop=stop)
    )
    try:
        # Sent before or after setWebhook, the sandbox keeps it pending until it can deliver.
        await sandbox.user(1001).send_text("hello over the webhook")
        assert await asyncio.wait_for(heard.get(), TIMEOUT) == "hello over the webhook"
        assert calls == ["post_init"]
        assert sandbox.webhook.config.url == url
        assert sandbox.webhook.config.secret_token == SECRET
        assert application.running
    finally:
        stop.set()
        await asyncio.wait_for(task, TIMEOUT)
    assert calls == ["post_init", "post_stop", "post_shutdown"]
    assert not application.running
    with pytest.raises(OSError):  # the port is closed again
        await asyncio.open_connection("127.0.0.1", port)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = Sandbox(token="123456:TEST")
    await sb.start()
    try:
        yield sb
    finally:
        await sb.stop()
