"""The aiohttp client under python-telegram-bot keeps PTB's error contract, which the send
path's retry rules depend on: a timeout is ``TimedOut``, any other transport failure is
``NetworkError``, and files go as multipart."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram_http import AiohttpRequest, RequestNotSent


@pytest.fixture
async def client() -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest(connection_pool_size=2, read_timeout=0.3, connect_timeout=2)
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_refused_connection_is_a_network_error(client: AiohttpRequest) -> None:
    with pytest.raises(NetworkError) as caught:
        await client.do_request(f"http://127.0.0.1:{_closed_port()}/bot/getMe", "POST")
    assert not isinstance(caught.value, TimedOut)
    assert isinstance(caught.value, RequestNotSent)  # certainly not sent: safe to send again


async def test_a_connection_closed_before_the_answer_may_have_been_sent(
    client: AiohttpRequest,
) -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")  # the request arrived ...
        writer.close()  # ... and no answer comes back

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(NetworkError) as caught:
            await client.do_request(f"http://127.0.0.1:{port}/bot/sendMessage", "POST")
    finally:
        server.close()
        await server.wait_closed()
    assert not isinstance(caught.value, RequestNotSent)


async def test_a_server_that_never_answers_is_a_timeout(client: AiohttpRequest) -> None:
    accepted = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set()
        await reader.read()  # never answers; returns when the client gives up

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(TimedOut):
            await client.do_request(f"http://127.0.0.1:{port}/bot/getMe", "POST")
        assert accepted.is_set()
    finally:
        server.close()
        await server.wait_closed()


async def test_parameters_and_files_reach_the_server(client: AiohttpRequest) -> None:
    received: list[bytes] = []

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        received.append(head + await reader.readexactly(length))
        body = json.dumps({"ok": True, "result": True}).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        data = RequestData(
            [
                RequestParameter("chat_id", 42, None),
                RequestParameter("document", None, [InputFile(b"a,b\n1,2\n", filename="x.csv")]),
            ]
        )
        status, payload = await client.do_request(
            f"http://127.0.0.1:{port}/bot/sendDocument", "POST", request_data=data
        )
    finally:
        server.close()
        await server.wait_closed()
    assert status == 200 and json.loads(payload)["result"] is True
    [raw] = received
    assert b"multipart/form-data" in raw
    assert b'name="chat_id"' in raw and b"42" in raw
    assert b'filename="x.csv"' in raw and b"a,b\n1,2\n" in raw
