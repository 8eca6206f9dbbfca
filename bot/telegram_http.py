"""The HTTP client under python-telegram-bot: aiohttp instead of the default httpx.

Issue 13 measured both on the survey bench (40 partners answering through the sandbox, three
runs each under the same load): the bot spent 15.3–19.0 ms CPU per answer with this client
against 18.2–21.3 ms with httpx, whose request path (URL parsing, header validation, anyio
wrappers around every socket call) is the heavier of the two. Behaviour is python-telegram-
bot's contract for a ``BaseRequest``: the same timeouts, ``TimedOut`` for any timeout and
``NetworkError`` for any other transport failure, so the send path's retry rules
(``bot.sending``) see what they saw with httpx.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    from bot.metrics import Heartbeat


class RequestNotSent(NetworkError):
    """No connection was made, so the request cannot have reached Telegram: sending it again
    cannot make a duplicate. Any other failure may have come after Telegram acted on it."""


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded connection pool; build one per use (updates, calls)."""

    __slots__ = ("_connect", "_heartbeat", "_pool", "_pool_size", "_read", "_session", "_write")

    def __init__(
        self,
        connection_pool_size: int = 64,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        #: beaten whenever the Bot API answers (the health check's "Telegram is reachable")
        self._heartbeat = heartbeat

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                # The Bot API sets no cookies; a dummy jar skips cookie handling per request.
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp has no separate write timeout: a request's body is written within its
        # connect-to-first-byte window, so the read timeout bounds a slow upload as well.
        timeout = _timeout(read, connect, pool)
        body: Any = None
        headers = None
        if request_data is not None:
            files = request_data.multipart_data
            if files:
                body = _form(request_data.json_parameters, files)
            elif parameters := request_data.parameters:
                # A JSON body, which the Bot API takes as well as a form: one json.dumps
                # instead of aiohttp's form encoder (≈4 % of the bot's CPU per answer).
                body = json.dumps(parameters, ensure_ascii=False).encode()
                headers = _JSON
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as res:
                payload = await res.read()
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as err:
            raise RequestNotSent(f"aiohttp.{err.__class__.__name__}: {err}") from err
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        if self._heartbeat is not None and res.status < 500:
            self._heartbeat.beat()
        return res.status, payload


_JSON = {"Content-Type": "application/json"}


@functools.lru_cache(maxsize=64)
def _timeout(
    read: float | None, connect: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    """One ClientTimeout per distinct set of limits, built once (a handful per process)."""
    return aiohttp.ClientTimeout(
        total=None,
        connect=None if connect is None and pool is None else (connect or 0) + (pool or 0),
        sock_connect=connect,
        sock_read=read,
    )


def _form(fields: dict[str, str], files: dict[str, Any]) -> aiohttp.FormData:
    """A multipart body: the plain parameters, then each file as ``(name, content, type)``."""
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in files.items():
        if isinstance(part, tuple):
            filename, content, mimetype = (*part, None)[:3]
            form.add_field(name, content, filename=filename, content_type=mimetype)
        else:
            form.add_field(name, part)
    return form
