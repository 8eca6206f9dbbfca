"""``partnerbot run --webhook``: our own small webhook server, in place of PTB's tornado one.

PTB's server read every body whole before looking at the secret token, had no size limit (a
10 MB update was accepted and the process grew by 90 MB) and answered malformed JSON with 500,
which makes Telegram retry a request that can never succeed. This one does, in this order:

1. ``POST`` to the webhook path only (404 for other paths, 405 for other methods);
2. the ``X-Telegram-Bot-Api-Secret-Token`` header, compared in constant time: 403 before a
   single body byte is read, so whoever does not hold the secret costs us one header parse;
3. ``Content-Length`` above :data:`MAX_BODY_BYTES`: 413, again before reading; a body without
   a length (chunked) is cut off at the same limit while it is read;
4. a body that is not JSON, not a JSON object, or not an update: 400 with a short plain-text
   body (for Telegram's ``getWebhookInfo.last_error_message``, not for people);
5. a valid update is handed over (:func:`hand_over`) and only then answered 200, because 200
   tells Telegram it may forget the update.

A refused request's unread body is never drained: the connection is closed instead
(``lingering_time=0``), so a client cannot make us read 10 MB by being refused.

Nothing from a request body, and neither the secret nor the token, is ever logged: only status
codes, reasons and update ids (see :mod:`bot.logs`).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from typing import Any, Final
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ExtBot

from bot import event_loop
from bot.lifecycle import serve_until_stopped, start_application
from bot.receiving import receive, replay_waiting

log = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"

# Telegram's updates are a few kilobytes: the largest, a message with a 4096-character text and
# its entities, or a poll with its options, stays well under 64 KiB. 1 MiB leaves room for any
# future update kind while keeping what one request can make us hold in memory small (the
# issue saw a 10 MB body grow the process from 110 to 200 MB).
MAX_BODY_BYTES: Final = 1024 * 1024

# How long stopping waits for requests already being answered; they only decode JSON and put
# an update on a queue, so a few seconds is plenty, and a stuck client must not hold up SIGTERM.
SHUTDOWN_GRACE_S: Final = 5.0

# Refusals (403, 413, 400) are logged at WARNING at most this often, with a count, so a wrong
# secret after a rotation shows up in the log but a flood of probes cannot fill the disk.
REFUSAL_LOG_INTERVAL_S: Final = 60.0


AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def webhook_path(url: str) -> str:
    """The path we listen on: the path of the public webhook URL (``/`` if it has none), so
    the URL given to Telegram and the route served are one setting and cannot drift apart."""
    path = urlsplit(url).path
    return path if path else "/"


async def hand_over(
    application: AnyApplication, update: Update, payload: dict[str, Any] | None = None
) -> None:
    """Give one accepted update to the bot. The webhook answers 200 only after this returns,
    and 200 lets Telegram forget the update: so it is stored in the inbox first
    (``bot.receiving``), as the ``payload`` Telegram sent when there is one."""
    await receive(application, [update], None if payload is None else [payload])


class _RefusalLog:
    """Counts refused requests and logs them at most once per :data:`REFUSAL_LOG_INTERVAL_S`."""

    def __init__(self) -> None:
        self._last = -REFUSAL_LOG_INTERVAL_S
        self._unlogged: dict[int, int] = {}

    def note(self, status: int, reason: str) -> None:
        log.debug("webhook request refused: %d %s", status, reason)
        self._unlogged[status] = self._unlogged.get(status, 0) + 1
        now = time.monotonic()
        if now - self._last < REFUSAL_LOG_INTERVAL_S:
            return
        self._last = now
        counts = ", ".join(f"{n}x{code}" for code, n in sorted(self._unlogged.items()))
        self._unlogged.clear()
        log.warning("webhook refused requests (%s); latest: %d %s", counts, status, reason)


class WebhookHandler:
    """The one route's logic; the checks run in the order the module docstring gives."""

    def __init__(self, application: AnyApplication, secret: str) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret token")
        self._application = application
        self._secret = secret.encode("utf-8")
        self._refusals = _RefusalLog()

    def _refuse(self, status: int, reason: str) -> web.Response:
        """A short plain-text answer; Telegram shows it in getWebhookInfo.last_error_message."""
        self._refusals.note(status, reason)
        return web.Response(status=status, text=reason)

    def _early_refusal(self, request: web.Request) -> web.Response | None:
        """Secret first, then the declared length: both from the headers alone."""
        offered = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(offered, self._secret):
            return self._refuse(403, "wrong or missing secret token")
        length = request.content_length
        if length is not None and length > MAX_BODY_BYTES:
            return self._refuse(413, "body too large")
        return None

    async def expect(self, request: web.Request) -> web.StreamResponse | None:
        """``Expect: 100-continue``: refuse before the client sends the body, else continue."""
        refusal = self._early_refusal(request)
        if refusal is not None:
            return refusal
        expect = request.headers.get("Expect", "")
        if request.version >= (1, 1) and expect.lower() == "100-continue":
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            request.writer.output_size = 0
        return None

    async def post(self, request: web.Request) -> web.Response:
        """Check, read (capped), decode, hand over, and only then answer 200."""
        refusal = self._early_refusal(request)
        if refusal is not None:
            return refusal
        try:
            body = await request.read()  # capped by the app's client_max_size
        except web.HTTPRequestEntityTooLarge:
            return self._refuse(413, "body too large")
        decoded = self._decode(body)
        if isinstance(decoded, web.Response):
            return decoded
        update, payload = decoded
        await hand_over(self._application, update, payload)
        log.debug("webhook update %d handed over", update.update_id)
        return web.Response(status=200)

    def _decode(self, body: bytes) -> tuple[Update, dict[str, Any]] | web.Response:
        """The update in ``body`` (parsed, and as sent), or the 400 that says why there is none.
        Exceptions are not logged with their messages: those quote the body."""
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # bad JSON, bad UTF-8, absurd nesting
            return self._refuse(400, "body is not JSON")
        if not isinstance(data, dict):
            return self._refuse(400, "body is not a JSON object")
        update_id = data.get("update_id")
        # Updates are de-duplicated by update_id: it must be a real integer, not a bool or text.
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return self._refuse(400, "body is not an update")
        bot = self._application.bot
        try:
            update = Update.de_json(data, bot)
            if isinstance(bot, ExtBot):  # arbitrary callback data, as PTB's own webhook does
                bot.insert_callback_data(update)
        except Exception as err:  # PTB raises TypeError, KeyError, AttributeError, ...
            log.debug("webhook body is not an update: %s", type(err).__name__)
            return self._refuse(400, "body is not an update")
        return update, data


def make_web_app(application: AnyApplication, *, secret: str, path: str) -> web.Application:
    """The aiohttp application: one POST route. ``client_max_size`` caps what ``read()`` will
    hold, which is what stops a chunked body that declared no length."""
    handler = WebhookHandler(application, secret)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_route("POST", path, handler.post, expect_handler=handler.expect)
    return app


class WebhookServer:
    """The listening socket around :func:`make_web_app`; ``port=0`` picks a free port (tests)."""

    def __init__(self, application: AnyApplication, *, secret: str, path: str) -> None:
        self._app = make_web_app(application, secret=secret, path=path)
        self._runner: web.AppRunner | None = None

    async def start(self, listen: str, port: int) -> None:
        """Bind and serve. ``lingering_time=0``: a refused request's body is not drained, the
        connection is closed. No access log: we log refusals ourselves, without addresses."""
        runner = web.AppRunner(
            self._app, access_log=None, lingering_time=0, shutdown_timeout=SHUTDOWN_GRACE_S
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, listen, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    @property
    def port(self) -> int:
        """The bound port (useful after ``start(..., 0)``)."""
        if self._runner is None:
            raise RuntimeError("the webhook server is not running")
        address = self._runner.addresses[0]
        return int(address[1])

    async def stop(self) -> None:
        """Stop accepting, let requests in flight finish (bounded), close. Idempotent."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()


async def serve(
    application: AnyApplication,
    *,
    url: str,
    secret: str,
    listen: str,
    port: int,
    stop: asyncio.Event | None = None,
) -> None:
    """Run the bot on a webhook until ``stop`` is set or SIGINT/SIGTERM arrives. Start-up
    never has Telegram call us before we listen: the application (and ``post_init``) first,
    then the inbox's leftovers, then bind, and only then ``setWebhook``. Teardown stops the
    server first, so no new update arrives while the handlers finish."""
    server = WebhookServer(application, secret=secret, path=webhook_path(url))

    async def start() -> None:
        await start_application(application)
        if "services" in application.bot_data:
            await replay_waiting(application)
        await server.start(listen, port)
        await application.bot.set_webhook(
            url=url,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
        log.info("webhook set; serving on %s:%d", listen, server.port)

    await serve_until_stopped(start, server.stop, application, stop)
    log.info("webhook stopped")


def run_webhook(
    application: AnyApplication, *, url: str, secret: str, listen: str, port: int
) -> None:
    """Blocking entry point for ``partnerbot run --webhook``: a fresh loop, as PTB's had."""
    event_loop.run(serve(application, url=url, secret=secret, listen=listen, port=port))
